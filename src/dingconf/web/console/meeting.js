// One meeting: its counters, members (who speaks now), recording, minutes,
// timeline and events, and the actions a client or the host takes, each
// answering next to its controls.

import {
  $, CONF_STATUS, ENDED, RECORD, act, api, badge, esc, feedback, idTag, put, shortTime, span, table, tell, timeTag, when,
} from "./lib.js";

const ATTEND = {
  1: ["Invited", ""], 2: ["Being called", "warn"], 3: ["Inside", "ok"],
  4: ["Declined", "bad"], 5: ["Removed", "bad"], 6: ["Left", ""],
};
const MINUTES = { 0: ["Off", ""], 1: ["Running", "ok"], 2: ["Paused", "warn"], 3: ["Ended", ""] };

function roles(m) {
  return [m.host ? "Host" : m.cohost ? "Co-host" : "", m.outerOrg ? "Guest" : ""].filter(Boolean).join(", ");
}

function memberRow(m, d, speaking) {
  const inside = m.attendStatus === 3 && m.lastJoinTime ? d.now - m.lastJoinTime : 0;
  const talk = speaking.has(m.unionId) ? ` <span class="badge speaking">Speaking</span>` : "";
  return `<tr data-union-id="${esc(m.unionId)}">
    <td data-field="nick">${esc(m.nick)}</td><td>${idTag(m.unionId)}</td>
    <td data-field="role">${esc(roles(m))}</td>
    <td>${badge(ATTEND, m.attendStatus)}${talk}${m.muted ? " muted" : ""}</td>
    <td>${shortTime(m.firstJoinTime, d.now)}</td><td>${shortTime(m.lastJoinTime, d.now)}</td>
    <td>${shortTime(m.leaveTime, d.now)}</td>
    <td class="num nowrap">${span(m.duration + inside)}</td><td class="num">${m.stays}</td>
    <td>${esc([m.deviceType, m.deviceVersion].filter(Boolean).join(" "))}</td></tr>`;
}

function eventRow(e) {
  const sent = e.deliveries.map((x) =>
    `${idTag(x.appKey)}: ${esc(x.state)} (${x.attempts} attempt${x.attempts === 1 ? "" : "s"})` +
    `${x.lastError ? ` — ${esc(x.lastError)}` : ""}`).join("<br>");
  return `<tr><td class="nowrap">${timeTag(e.time)}</td><td>${idTag(e.eventType)}</td>
    <td class="num">${e.statusSeqNum}</td><td>${sent}</td></tr>`;
}

function spans(names, state) {
  return `<p>${badge(names, state.status)}${state.owner ? ` owner ${idTag(state.owner)}` : ""}</p>` +
    (state.spans.length ? `<ul class="plain">${state.spans.map((s) =>
      `<li>Take ${s.take}: ${timeTag(s.start)} – ${s.end ? timeTag(s.end) : "running"}</li>`).join("")}</ul>` : "");
}

const SKELETON = `<p><a href="#/">← Overview</a></p>
  <h1 id="meeting-title">Meeting</h1>
  <p class="meta" id="meeting-meta"></p>
  <dl class="counts" aria-label="Counters">
    <div><dt>Inside (activeNum)</dt><dd id="active-num">–</dd></div>
    <div><dt>Attended (attendNum)</dt><dd id="attend-num">–</dd></div>
    <div><dt>Invited (invitedNum)</dt><dd id="invited-num">–</dd></div>
  </dl>
  <p id="speaking" class="meta"></p>
  <section class="card" aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>
    <p id="actions-reason" class="reason" hidden></p>
    <fieldset id="actions" class="bare" aria-describedby="actions-reason">
      <legend class="sr-only">Actions on this meeting</legend>
      <form class="inline" id="person-form">
        <div class="field"><label for="person">Person</label><select id="person"></select></div>
        <button type="button" id="do-join">Join</button>
        <button type="button" id="do-leave" class="secondary">Leave</button>
        <button type="button" id="do-kick" class="secondary">Kick</button>
        <label class="check"><input type="checkbox" id="forbid-rejoin"> Forbid rejoining</label>
      </form>
      ${feedback("person-feedback")}
      <form class="inline" id="say-form" novalidate>
        <div class="field grow"><label for="line">Line to say (as the person above)</label>
          <input type="text" id="line" aria-describedby="say-feedback"></div>
        <button type="submit">Say</button>
      </form>
      ${feedback("say-feedback")}
      <div class="actions">
        <button type="button" id="do-record-start">Start recording</button>
        <button type="button" id="do-record-stop" class="secondary">Stop recording</button>
        <button type="button" id="do-close" class="danger">Close meeting</button>
      </div>
      ${feedback("host-feedback")}
    </fieldset>
    <p class="meta">Kick, recording and close act as the meeting's host, with the rules the API applies.</p>
  </section>
  <dialog id="close-dialog" aria-labelledby="close-dialog-h" aria-describedby="close-dialog-text">
    <h2 id="close-dialog-h">Close this meeting?</h2>
    <p id="close-dialog-text">Everyone inside leaves and the meeting ends for good, as
      CloseVideoConference by its host does. This cannot be undone.</p>
    <form method="dialog" class="actions">
      <button value="cancel" class="secondary" autofocus>Cancel</button>
      <button value="close" class="danger">Close the meeting</button>
    </form>
  </dialog>
  <section aria-labelledby="members-h"><h2 id="members-h">Members</h2><div id="members"></div></section>
  <div class="grid">
    <section aria-labelledby="recording-h"><h2 id="recording-h">Recording</h2><div id="recording"></div></section>
    <section aria-labelledby="minutes-h"><h2 id="minutes-h">Minutes</h2><div id="minutes"></div></section>
  </div>
  <section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><div id="timeline"></div></section>
  <section aria-labelledby="confinfo-h"><h2 id="confinfo-h">QueryConferenceInfo answers now</h2>
    <pre class="json" id="confinfo" tabindex="0" aria-labelledby="confinfo-h"></pre></section>
  <section aria-labelledby="events-h"><h2 id="events-h">Events sent</h2><div id="events"></div></section>`;

export function meetingView(id) {
  const base = `/_dingconf/conferences/${encodeURIComponent(id)}`;
  let people = [];
  const view = {
    title: "Meeting",
    nav: "meetings",
    skeleton: () => SKELETON,
    bind() {
      const who = () => $("person").value;
      const person = (label, path, body) => act(view, "person-feedback", label, "POST", `${base}/${path}`, body);
      const host = (label, path) => act(view, "host-feedback", label, "POST", `${base}/${path}`);
      $("do-join").addEventListener("click", () => person(`Join ${who()}`, "join", { unionId: who() }));
      $("do-leave").addEventListener("click", () => person(`Leave ${who()}`, "leave", { unionId: who() }));
      $("do-kick").addEventListener("click", () =>
        person(`Kick ${who()}`, "kick", { unionIds: [who()], forbidRejoin: $("forbid-rejoin").checked }));
      $("say-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const text = $("line").value;
        if (!text.trim()) {
          tell("say-feedback", "Nothing said: the line is empty. Type what the person says, then Say.", "bad");
          $("line").setAttribute("aria-invalid", "true");
          $("line").focus();
          return;
        }
        $("line").removeAttribute("aria-invalid");
        if (await act(view, "say-feedback", `${who()} says`, "POST", `${base}/say`, { unionId: who(), text })) {
          $("line").value = "";
        }
      });
      $("do-record-start").addEventListener("click", () => host("Start recording", "cloudRecord/start"));
      $("do-record-stop").addEventListener("click", () => host("Stop recording", "cloudRecord/stop"));
      // Closing cannot be undone: it asks first.
      $("do-close").addEventListener("click", () => $("close-dialog").showModal());
      $("close-dialog").addEventListener("close", () => {
        if ($("close-dialog").returnValue === "close") host("Close meeting", "close");
        else tell("host-feedback", "Close cancelled: the meeting goes on.");
        $("close-dialog").returnValue = "";
      });
    },
    async load() {
      let d;
      try {
        d = await api("GET", base);
      } catch (error) {
        if (error.code === "roomNotFound") return view.notFound();
        throw error;
      }
      const info = d.queryConferenceInfo.confInfo;
      const ended = info.status === ENDED;
      put("clock", when(d.now));
      document.title = `${info.title} · dingconf console`;
      put("meeting-title", esc(info.title));
      const host = d.members.find((m) => m.unionId === d.hostId) || d.users.find((u) => u.unionId === d.hostId);
      put("meeting-meta", `${badge(CONF_STATUS, info.status)} Room code ${idTag(info.roomCode)}
        · organisation ${idTag(d.corpId)} · host ${host ? esc(host.nick) + " " : ""}${idTag(d.hostId)}
        · started ${timeTag(info.startTime)}${info.endTime ? ` · ended ${timeTag(info.endTime)}` : ""}
        · lasted <span id="lasted">${span((info.endTime || d.now) - info.startTime)}</span>
        · <a href="${esc(info.externalLinkUrl)}" target="_blank" rel="noopener">Open the join page</a>`);
      put("active-num", String(info.activeNum));
      put("attend-num", String(info.attendNum));
      put("invited-num", String(info.invitedNum));
      put("speaking", ended ? "" : d.speaking.length
        ? `Speaking now: ${d.speaking.map((p) => `<span class="badge speaking">${esc(p.nick)}</span>`).join(" ")}`
        : "Nobody is speaking now.");
      view.actions(ended, info.endTime);
      view.people(d);
      const talking = new Set(d.speaking.map((p) => p.unionId));
      put("members", table("Members", [["Name"], ["unionId"], ["Role"], ["Status"], ["First joined (UTC)"],
        ["Last joined (UTC)"], ["Left (UTC)"], ["Time inside", "num"], ["Stays", "num"], ["Device"]],
      d.members.map((m) => memberRow(m, d, talking)), "Nobody was invited or joined yet."));
      put("recording", spans(RECORD, d.recording));
      put("minutes", spans(MINUTES, d.minutes));
      put("timeline", d.timeline.length ? `<ol class="timeline">${d.timeline.map((t) =>
        `<li data-kind="${esc(t.kind)}">${timeTag(t.time)}${esc(t.text)}</li>`).join("")}</ol>` : "");
      put("confinfo", esc(JSON.stringify(d.queryConferenceInfo, null, 2)));
      put("events", table("Events sent", [["Time"], ["Event"], ["statusSeqNum", "num"], ["Deliveries"]],
        d.events.map(eventRow), "No events: this organisation's apps receive none yet."));
    },
    // An ended meeting takes no action: every control is disabled, and says why.
    actions(ended, endTime) {
      $("actions").disabled = ended;
      const reason = $("actions-reason");
      reason.hidden = !ended;
      reason.textContent = ended
        ? `This meeting ended${endTime ? ` at ${when(endTime)}` : ""}: nobody can join, leave, speak or be ` +
          "removed any more, and recording and closing no longer apply."
        : "";
    },
    notFound() {
      document.title = "Meeting not found · dingconf console";
      view.load = async () => {};
      $("view").innerHTML = `<p><a href="#/">← Overview</a></p><h1>Meeting not found</h1>
        <p>No meeting ${idTag(id)} on this server: the id is wrong, or a reset removed it.
        <a href="#/">Back to the overview</a>.</p>`;
    },
    // The person picker: the organisation's users, then anyone else who is a member.
    people(d) {
      const seen = new Map(d.users.map((u) => [u.unionId, u.nick]));
      for (const m of d.members) if (!seen.has(m.unionId)) seen.set(m.unionId, m.nick);
      const next = [...seen.entries()];
      if (JSON.stringify(next) === JSON.stringify(people)) return;
      people = next;
      const select = $("person");
      const chosen = select.value;
      select.innerHTML = next.map(([u, n]) => `<option value="${esc(u)}">${esc(n)} (${esc(u)})</option>`).join("");
      if (chosen && seen.has(chosen)) select.value = chosen;
    },
  };
  return view;
}
