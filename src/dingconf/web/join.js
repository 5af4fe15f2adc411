// The join page: join as a user or a guest, stay inside by heartbeat, leave on close.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const params = new URLSearchParams(location.search);
  const link = { roomCode: params.get("roomCode") || "", token: params.get("token") || "" };
  // An auto-login link names its person and carries their pass; the server
  // embedded the person only if the pass is theirs.
  const memberPass = params.get("memberPass") || "";
  // A guest keeps the unionId the server gave it while this tab lives.
  const guestKey = "dingconf-guest:" + link.roomCode;
  const $ = (id) => document.getElementById(id);

  const STATUS = { 0: "Not started (it starts when someone joins)", 1: "Ended", 2: "In progress" };
  const REFUSED = {
    conferenceLocked: "The meeting is locked: the host locked it, so nobody else can join now.",
    forbiddenRejoin: "The host removed you from this meeting, and you may not join it again.",
    resourceClose: "The meeting has ended.",
    internalOnly: "Only members of the meeting's organisation may join this meeting.",
    memberPassRequired: "Joining as a member of the organisation needs your own link " +
      "(an auto-login link); anyone else joins as a guest.",
    linkNotFound: "This link is not valid any more.",
    roomNotFound: "This meeting no longer exists.",
  };
  const OUT = {
    kicked: "The host removed you from the meeting.",
    ended: "The meeting has ended.",
    left: "You are no longer in the meeting: you were made to leave, joined from another page, " +
      "or this page lost contact with the server for too long.",
    byYou: "You left the meeting.",
  };

  let presence = null; // { presenceId, unionId, nick } while inside
  let timer = null;

  function say(text) { $("message").textContent = text; }

  function showMeeting(m) {
    $("title").textContent = m.title;
    document.title = m.title + " · join · dingconf";
    $("status").textContent = STATUS[m.status] || String(m.status);
    $("active").textContent = String(m.activeNum || 0);
    $("recording").hidden = !m.recording || m.status === 1;
    const locked = $("locked");
    locked.hidden = !m.locked || m.status === 1;
    locked.textContent = presence
      ? "The host locked the meeting: nobody else can join, but you stay inside."
      : "The meeting is locked: only the host and co-hosts can join.";
  }

  function view(which) {
    $("join-form").hidden = which !== "form";
    $("inside").hidden = which !== "inside";
    $("out").hidden = which !== "out";
  }

  async function call(path, body) {
    const resp = await fetch("/app/api/" + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
    const json = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const error = new Error(json.message || "the server answered " + resp.status);
      error.code = json.code;
      throw error;
    }
    return json;
  }

  function fillPeople() {
    const select = $("person");
    if (data.member) {
      select.add(new Option(data.member.nick, data.member.unionId));
      select.add(new Option("A guest (enter your name below)", ""));
      select.value = data.member.unionId;
      $("person-field").hidden = false;
    } else {
      select.add(new Option("A guest", ""));
    }
    syncNick();
  }

  function syncNick() {
    const asGuest = $("person").value === "";
    $("nick").disabled = !asGuest;
    $("nick-field").hidden = !asGuest;
  }

  function formError(text, field) {
    $("form-error").textContent = text;
    $("nick").setAttribute("aria-invalid", field === "nick" ? "true" : "false");
    if (field) $(field).focus();
  }

  async function join(event) {
    event.preventDefault();
    formError("");
    const body = { ...link };
    const picked = $("person").value;
    if (picked) {
      body.unionId = picked;
      body.memberPass = memberPass;
    } else {
      const nick = $("nick").value.trim();
      if (!nick) return formError("Enter your name to join as a guest.", "nick");
      body.nick = nick;
      const kept = sessionStorage.getItem(guestKey);
      if (kept) body.unionId = kept;
    }
    const button = $("join");
    button.disabled = true;
    try {
      const joined = await call("join", body);
      if (joined.guest) sessionStorage.setItem(guestKey, joined.unionId);
      presence = { presenceId: joined.presenceId, unionId: joined.unionId, nick: joined.nick };
      $("me").textContent = joined.nick;
      showMeeting(joined.meeting);
      view("inside");
      say("You joined the meeting as " + joined.nick + ".");
      $("leave").focus();
      timer = setTimeout(beat, data.heartbeatMs);
    } catch (error) {
      formError(REFUSED[error.code] || "Could not join: " + error.message);
    } finally {
      button.disabled = false;
    }
  }

  function out(reason) {
    presence = null;
    clearTimeout(timer);
    $("out-reason").textContent = OUT[reason];
    $("again").hidden = reason === "ended";
    view("out");
    say(OUT[reason]);
  }

  async function beat() {
    if (!presence) return;
    try {
      const answer = await call("heartbeat", { ...link, presenceId: presence.presenceId });
      if (!presence) return;
      showMeeting(answer.meeting);
      if (answer.state === "inside") {
        if ($("message").dataset.lost) { delete $("message").dataset.lost; say(""); }
        timer = setTimeout(beat, data.heartbeatMs);
      } else {
        out(answer.state in OUT ? answer.state : "left");
      }
    } catch (error) {
      if (!presence) return;
      if (error.code === "linkNotFound") return out("left");
      $("message").dataset.lost = "1";
      say("Lost contact with the server; trying again…");
      timer = setTimeout(beat, 1000);
    }
  }

  async function leave() {
    if (!presence) return;
    const mine = presence;
    out("byYou");
    try { await call("leave", { ...link, presenceId: mine.presenceId }); } catch (_) { /* swept */ }
    $("again").focus();
  }

  // Closing or leaving the page takes the person out at once; a page that
  // cannot say so (a crash, a lost network) stops beating and times out.
  function leaveOnClose() {
    if (!presence) return;
    const body = JSON.stringify({ ...link, presenceId: presence.presenceId });
    presence = null;
    clearTimeout(timer);
    let sent = false;
    try {
      sent = navigator.sendBeacon("/app/api/leave", new Blob([body], { type: "application/json" }));
    } catch (_) { sent = false; }
    if (!sent) {
      fetch("/app/api/leave", {
        method: "POST", keepalive: true, headers: { "content-type": "application/json" }, body,
      });
    }
  }

  function again() {
    formError("");
    view("form");
    say("");
    ($("person-field").hidden ? $("nick") : $("person")).focus();
  }

  showMeeting(data.meeting);
  fillPeople();
  $("person").addEventListener("change", syncNick);
  $("join-form").addEventListener("submit", join);
  $("leave").addEventListener("click", leave);
  $("again").addEventListener("click", again);
  addEventListener("pagehide", leaveOnClose);
  // Back from the page cache after leaving: out, not inside.
  addEventListener("pageshow", (event) => {
    if (event.persisted && !$("inside").hidden) out("left");
  });
  if (data.meeting.status === 1) {
    view("none");
    say(OUT.ended);
  } else {
    view("form");
  }
})();
