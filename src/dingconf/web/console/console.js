// dingconf console: plain JavaScript, no build, no dependencies.
// Every figure comes from the control API (/_dingconf/...); the pages poll it
// about once a second and only touch the parts of the page that changed, so
// keyboard focus and form input survive the updates.
"use strict";

const TOKEN_KEY = "dingconfAdminToken";
const ADMIN_HEADER = "x-dingconf-admin-token";
const POLL_MS = 1000;

const CONF_STATUS = { 0: ["Not started", ""], 1: ["Ended", ""], 2: ["Live", "ok"] };
const ATTEND = {
  1: ["Invited", ""], 2: ["Being called", "warn"], 3: ["Inside", "ok"],
  4: ["Declined", "bad"], 5: ["Removed", "bad"], 6: ["Left", ""],
};
const RECORD = { 0: ["Not recording", ""], 1: ["Recording", "ok"], 2: ["Paused", "warn"], 3: ["Finished", ""] };
const MINUTES = { 0: ["Off", ""], 1: ["Running", "ok"], 2: ["Paused", "warn"], 3: ["Ended", ""] };

// ---- helpers -------------------------------------------------------------

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
const $ = (id) => document.getElementById(id);

function when(ms) {
  if (ms === undefined || ms === null) return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

function timeTag(ms) {
  if (ms === undefined || ms === null) return "";
  return `<time datetime="${esc(new Date(ms).toISOString())}">${esc(when(ms))}</time>`;
}

function span(ms) {
  const s = Math.round((ms || 0) / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}h ${m}m ${r}s` : m ? `${m}m ${r}s` : `${r}s`;
}

function badge(table, value) {
  const [label, tone] = table[value] || [String(value), ""];
  return `<span class="badge ${tone}">${esc(label)}</span>`;
}

// Replace an element's content only when it changed (keeps focus and scroll).
function put(id, html) {
  const el = $(id);
  if (el && el.dataset.html !== html) {
    el.innerHTML = html;
    el.dataset.html = html;
  }
}

function say(message) {
  $("status").textContent = message;
}

function table(label, head, rows, empty) {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  const ths = head.map(([h, cls]) => `<th scope="col"${cls ? ` class="${cls}"` : ""}>${esc(h)}</th>`);
  return `<div class="scroll" role="region" tabindex="0" aria-label="${esc(label)}">` +
    `<table><thead><tr>${ths.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

// ---- the control API -----------------------------------------------------

class NeedsToken extends Error {}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers[ADMIN_HEADER] = token;
  const init = { method, headers };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (data && data.code === "InvalidAuthentication") {
    showLogin(token ? "That admin token was refused." : "");
    throw new NeedsToken();
  }
  if (!response.ok) {
    const error = new Error(`${data.code || response.status}: ${data.message || response.statusText}`);
    error.code = data.code;
    throw error;
  }
  return data;
}

function showLogin(message) {
  $("login").hidden = false;
  $("view").hidden = true;
  $("login-error").textContent = message;
  if (document.activeElement !== $("admin-token")) $("admin-token").focus();
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("admin-token").value);
  $("admin-token").value = "";
  $("login").hidden = true;
  $("view").hidden = false;
  route();
});

// Run an action, report it in the status line, then refresh the page at once.
async function act(label, method, path, body) {
  try {
    await api(method, path, body);
    say(`${label}: done.`);
  } catch (error) {
    if (!(error instanceof NeedsToken)) say(`${label} failed: ${error.message}`);
  }
  await refresh();
}

// ---- overview --------------------------------------------------------------

const overview = {
  title: "Overview",
  nav: "meetings",
  skeleton() {
    return `<h1>Overview</h1>
      <section aria-labelledby="meetings-h"><h2 id="meetings-h">Meetings, newest first</h2>
        <div id="meetings"><p>Loading…</p></div></section>
      <section aria-labelledby="orgs-h"><h2 id="orgs-h">Organisations and apps</h2>
        <div id="orgs"></div></section>`;
  },
  async load() {
    const data = await api("GET", "/_dingconf/overview");
    put("clock", when(data.now));
    const names = Object.fromEntries(data.orgs.map((o) => [o.corpId, o.name || o.corpId]));
    const rows = data.meetings.map((m) => `<tr data-conference-id="${esc(m.conferenceId)}">
      <td><a href="#/meetings/${esc(m.conferenceId)}">${esc(m.title)}</a></td>
      <td>${esc(names[m.corpId] || m.corpId)}</td>
      <td>${badge(CONF_STATUS, m.status)}</td>
      <td class="mono">${esc(m.roomCode)}</td>
      <td class="num" data-field="activeNum">${m.activeNum}</td>
      <td class="num" data-field="attendNum">${m.attendNum}</td>
      <td class="num" data-field="invitedNum">${m.invitedNum}</td>
      <td>${badge(RECORD, m.cloudRecordStatus)}</td>
      <td>${timeTag(m.startTime)}</td></tr>`);
    put("meetings", table("Meetings", [["Title"], ["Organisation"], ["Status"], ["Room code"],
      ["Inside", "num"], ["Attended", "num"], ["Invited", "num"], ["Recording"], ["Started"]],
    rows, "No meetings yet. Create one through the API."));
    put("orgs", `<div class="grid">${data.orgs.map((o) => `<section class="card" aria-label="${esc(o.name || o.corpId)}">
      <h3>${esc(o.name || o.corpId)} <span class="mono">(${esc(o.corpId)})</span></h3>
      <h4>Apps</h4>${o.apps.length ? `<ul class="plain">${o.apps.map((a) =>
        `<li><span class="mono">${esc(a.appKey)}</span>${a.scopes.length ? ` — ${esc(a.scopes.join(", "))}` : ""}</li>`).join("")}</ul>`
        : `<p class="empty">No apps.</p>`}
      <h4>Users</h4>${o.users.length ? `<ul class="plain">${o.users.map((u) =>
        `<li>${esc(u.nick)} <span class="mono">(${esc(u.unionId)})</span></li>`).join("")}</ul>`
        : `<p class="empty">No users.</p>`}
    </section>`).join("")}</div>`);
  },
};

// ---- one meeting -----------------------------------------------------------

function meetingView(id) {
  const base = `/_dingconf/conferences/${encodeURIComponent(id)}`;
  let people = [];
  return {
    title: "Meeting",
    nav: "meetings",
    skeleton() {
      return `<p><a href="#/">← Overview</a></p>
        <h1 id="meeting-title">Meeting</h1>
        <p class="meta" id="meeting-meta"></p>
        <dl class="counts" aria-label="Counters">
          <div><dt>Inside (activeNum)</dt><dd id="active-num">–</dd></div>
          <div><dt>Attended (attendNum)</dt><dd id="attend-num">–</dd></div>
          <div><dt>Invited (invitedNum)</dt><dd id="invited-num">–</dd></div>
        </dl>
        <section class="card" aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>
          <form class="inline" id="person-form">
            <div class="field"><label for="person">Person</label><select id="person"></select></div>
            <button type="button" id="do-join">Join</button>
            <button type="button" id="do-leave" class="secondary">Leave</button>
            <button type="button" id="do-kick" class="secondary">Kick</button>
            <label class="check"><input type="checkbox" id="forbid-rejoin"> Forbid rejoining</label>
          </form>
          <form class="inline" id="say-form">
            <div class="field grow"><label for="line">Line to say (as the person above)</label>
              <input type="text" id="line" required></div>
            <button type="submit">Say</button>
          </form>
          <div class="actions">
            <button type="button" id="do-record-start">Start recording</button>
            <button type="button" id="do-record-stop" class="secondary">Stop recording</button>
            <button type="button" id="do-close" class="danger">Close meeting</button>
          </div>
          <p class="meta">Kick, recording and close act as the meeting's host, with the rules the API applies.</p>
        </section>
        <section aria-labelledby="members-h"><h2 id="members-h">Members</h2><div id="members"></div></section>
        <div class="grid">
          <section aria-labelledby="recording-h"><h2 id="recording-h">Recording</h2><div id="recording"></div></section>
          <section aria-labelledby="minutes-h"><h2 id="minutes-h">Minutes</h2><div id="minutes"></div></section>
        </div>
        <section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><div id="timeline"></div></section>
        <section aria-labelledby="confinfo-h"><h2 id="confinfo-h">QueryConferenceInfo answers now</h2>
          <pre class="json" id="confinfo" tabindex="0" aria-labelledby="confinfo-h"></pre></section>
        <section aria-labelledby="events-h"><h2 id="events-h">Events sent</h2><div id="events"></div></section>`;
    },
    bind() {
      const who = () => $("person").value;
      $("do-join").addEventListener("click", () =>
        act(`Join ${who()}`, "POST", `${base}/join`, { unionId: who() }));
      $("do-leave").addEventListener("click", () =>
        act(`Leave ${who()}`, "POST", `${base}/leave`, { unionId: who() }));
      $("do-kick").addEventListener("click", () =>
        act(`Kick ${who()}`, "POST", `${base}/kick`,
          { unionIds: [who()], forbidRejoin: $("forbid-rejoin").checked }));
      $("say-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const text = $("line").value;
        act(`${who()} says`, "POST", `${base}/say`, { unionId: who(), text }).then(() => {
          $("line").value = "";
        });
      });
      $("do-record-start").addEventListener("click", () =>
        act("Start recording", "POST", `${base}/cloudRecord/start`));
      $("do-record-stop").addEventListener("click", () =>
        act("Stop recording", "POST", `${base}/cloudRecord/stop`));
      $("do-close").addEventListener("click", () => act("Close meeting", "POST", `${base}/close`));
    },
    async load() {
      const d = await api("GET", base);
      const info = d.queryConferenceInfo.confInfo;
      put("clock", when(d.now));
      document.title = `${info.title} · dingconf console`;
      put("meeting-title", esc(info.title));
      put("meeting-meta", `${badge(CONF_STATUS, info.status)} Room code <span class="mono">${esc(info.roomCode)}</span>
        · organisation <span class="mono">${esc(d.corpId)}</span> · host <span class="mono">${esc(d.hostId)}</span>
        · started ${timeTag(info.startTime)}${info.endTime ? ` · ended ${timeTag(info.endTime)}` : ""}
        · <a href="${esc(info.externalLinkUrl)}" target="_blank" rel="noopener">Open the join page</a>`);
      put("active-num", String(info.activeNum));
      put("attend-num", String(info.attendNum));
      put("invited-num", String(info.invitedNum));
      this.people(d);
      put("members", table("Members", [["Name"], ["unionId"], ["Role"], ["Status"], ["First joined"],
        ["Last joined"], ["Left"], ["Time inside", "num"], ["Stays", "num"], ["Device"]],
      d.members.map((m) => `<tr data-union-id="${esc(m.unionId)}">
        <td>${esc(m.nick)}${m.outerOrg ? " (guest)" : ""}</td><td class="mono">${esc(m.unionId)}</td>
        <td>${m.host ? "Host" : m.cohost ? "Co-host" : ""}</td>
        <td>${badge(ATTEND, m.attendStatus)}${m.muted ? " muted" : ""}</td>
        <td>${timeTag(m.firstJoinTime)}</td><td>${timeTag(m.lastJoinTime)}</td><td>${timeTag(m.leaveTime)}</td>
        <td class="num">${span(m.duration + (m.attendStatus === 3 && m.lastJoinTime ? d.now - m.lastJoinTime : 0))}</td><td class="num">${m.stays}</td>
        <td>${esc([m.deviceType, m.deviceVersion].filter(Boolean).join(" "))}</td></tr>`),
      "Nobody was invited or joined yet."));
      put("recording", this.spans(RECORD, d.recording));
      put("minutes", this.spans(MINUTES, d.minutes));
      put("timeline", d.timeline.length ? `<ol class="timeline">${d.timeline.map((t) =>
        `<li data-kind="${esc(t.kind)}">${timeTag(t.time)}${esc(t.text)}</li>`).join("")}</ol>` : "");
      put("confinfo", esc(JSON.stringify(d.queryConferenceInfo, null, 2)));
      put("events", table("Events sent", [["Time"], ["Event"], ["statusSeqNum", "num"], ["Deliveries"]],
        d.events.map((e) => `<tr><td>${timeTag(e.time)}</td><td class="mono">${esc(e.eventType)}</td>
          <td class="num">${e.statusSeqNum}</td><td>${e.deliveries.map((x) =>
            `<span class="mono">${esc(x.appKey)}</span>: ${esc(x.state)} (${x.attempts} attempt${x.attempts === 1 ? "" : "s"})` +
            `${x.lastError ? ` — ${esc(x.lastError)}` : ""}`).join("<br>")}</td></tr>`),
        "No events: this organisation's apps receive none yet."));
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
    spans(names, state) {
      return `<p>${badge(names, state.status)}${state.owner ? ` owner <span class="mono">${esc(state.owner)}</span>` : ""}</p>` +
        (state.spans.length ? `<ul class="plain">${state.spans.map((s) =>
          `<li>Take ${s.take}: ${timeTag(s.start)} – ${s.end ? timeTag(s.end) : "running"}</li>`).join("")}</ul>` : "");
    },
  };
}

// ---- toolkit ---------------------------------------------------------------

const toolkit = {
  title: "Toolkit",
  nav: "toolkit",
  appKeys: [],
  skeleton() {
    return `<h1>Toolkit</h1>
      <section class="card" aria-labelledby="clock-h"><h2 id="clock-h">Clock</h2>
        <p>Server time: <span id="clock-now"></span></p>
        <form class="inline" id="clock-form">
          <div class="field"><label for="advance">Advance by (seconds)</label>
            <input type="number" id="advance" min="1" step="1" value="60" required></div>
          <button type="submit">Advance the clock</button>
        </form></section>
      <section aria-labelledby="events-h"><h2 id="events-h">Event deliveries</h2>
        <form class="inline" id="events-form">
          <div class="field"><label for="events-app">App</label><select id="events-app"></select></div>
        </form><div id="deliveries"></div></section>
      <section aria-labelledby="faults-h"><h2 id="faults-h">Fault rules</h2>
        <form class="inline" id="fault-form">
          <div class="field"><label for="fault-action">Action (empty: any)</label>
            <input type="text" id="fault-action" placeholder="QueryConferenceInfo"></div>
          <div class="field"><label for="fault-code">Error code</label>
            <input type="text" id="fault-code" value="systemError" required></div>
          <div class="field"><label for="fault-status">HTTP status</label>
            <input type="number" id="fault-status" min="400" max="599" value="500" required></div>
          <button type="submit">Add fault rule</button>
          <button type="button" id="faults-clear" class="secondary">Remove all</button>
        </form><div id="faults"></div></section>
      <section aria-labelledby="journal-h"><h2 id="journal-h">Request journal</h2>
        <div class="actions"><button type="button" id="journal-clear" class="secondary">Clear the journal</button></div>
        <div id="journal"></div></section>`;
  },
  bind() {
    $("clock-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const seconds = Number($("advance").value);
      act(`Advance the clock by ${seconds} s`, "POST", "/_dingconf/clock", { advanceMs: seconds * 1000 });
    });
    $("events-app").addEventListener("change", () => refresh());
    $("fault-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const rule = { code: $("fault-code").value, status: Number($("fault-status").value) };
      if ($("fault-action").value) rule.action = $("fault-action").value;
      act("Add fault rule", "POST", "/_dingconf/faults", rule);
    });
    $("faults-clear").addEventListener("click", () => act("Remove all fault rules", "DELETE", "/_dingconf/faults"));
    $("journal-clear").addEventListener("click", () => act("Clear the journal", "DELETE", "/_dingconf/journal"));
    $("faults").addEventListener("click", (event) => {
      const id = event.target.dataset.removeFault;
      if (id) act(`Remove fault rule ${id}`, "DELETE", `/_dingconf/faults/${encodeURIComponent(id)}`);
    });
    $("deliveries").addEventListener("click", (event) => {
      const id = event.target.dataset.redeliver;
      if (id) act(`Redeliver ${id}`, "POST", `/_dingconf/events/${encodeURIComponent(id)}/redeliver`,
        { appKey: $("events-app").value });
    });
  },
  async load() {
    const [clock, overview, faults, journal] = await Promise.all([
      api("GET", "/_dingconf/clock"), api("GET", "/_dingconf/overview"),
      api("GET", "/_dingconf/faults"), api("GET", "/_dingconf/journal?limit=100"),
    ]);
    put("clock", when(clock.now));
    put("clock-now", timeTag(clock.now));
    this.apps(overview.orgs.flatMap((o) => o.apps.map((a) => a.appKey)));
    const app = $("events-app").value;
    const events = app ? (await api("GET", `/_dingconf/events?appKey=${encodeURIComponent(app)}`)).events : [];
    put("deliveries", table("Event deliveries", [["Born"], ["Event"], ["Meeting"], ["statusSeqNum", "num"],
      ["State"], ["Attempts", "num"], ["Last error"], ["Action"]],
    events.map((e) => `<tr><td>${timeTag(e.eventBornTime)}</td><td class="mono">${esc(e.eventType)}</td>
      <td><a class="mono" href="#/meetings/${esc(e.conferenceId)}">${esc(e.conferenceId)}</a></td>
      <td class="num">${e.statusSeqNum}</td><td>${esc(e.state)}</td><td class="num">${e.attempts}</td>
      <td>${esc(e.lastError)}</td>
      <td><button type="button" class="secondary" data-redeliver="${esc(e.eventId)}"
        aria-label="Redeliver ${esc(e.eventType)} #${e.statusSeqNum} of ${esc(e.conferenceId)}">Redeliver</button></td></tr>`),
    app ? "No events for this app." : "No apps."));
    put("faults", table("Fault rules", [["Id"], ["Action"], ["Answer"], ["Probability", "num"], ["Hits", "num"], ["Remaining", "num"], [""]],
      faults.faults.map((f) => `<tr><td class="mono">${esc(f.id)}</td><td>${esc(f.action || "any")}</td>
        <td>${esc([f.status, f.code, f.latencyMs ? `+${f.latencyMs} ms` : "", f.drop ? "drop" : ""].filter(Boolean).join(" "))}</td>
        <td class="num">${f.probability}</td><td class="num">${f.hits}</td><td class="num">${f.remaining ?? "∞"}</td>
        <td><button type="button" class="secondary" data-remove-fault="${esc(f.id)}"
          aria-label="Remove fault rule ${esc(f.id)}">Remove</button></td></tr>`),
      "No fault rules: every call is answered normally."));
    put("journal", journal.capacity === 0 ? `<p class="empty">The journal is off (--journal-size 0).</p>` :
      table("Request journal", [["Time"], ["Action"], ["Request"], ["Status", "num"], ["Latency", "num"], ["App"], ["Bodies"]],
        journal.requests.map((e) => `<tr><td>${timeTag(e.time)}</td><td>${esc(e.action || "")}</td>
          <td class="mono">${esc(e.method)} ${esc(e.path)}${e.query ? "?" + esc(e.query) : ""}</td>
          <td class="num">${e.dropped ? "dropped" : e.status}</td><td class="num">${e.latencyMs.toFixed(1)} ms</td>
          <td class="mono">${esc(e.appKey || "")}</td>
          <td><details><summary>Show</summary><pre>${esc(JSON.stringify({ request: e.request, response: e.response }, null, 2))}</pre></details></td></tr>`),
        "No calls yet."));
  },
  apps(keys) {
    if (JSON.stringify(keys) === JSON.stringify(this.appKeys)) return;
    this.appKeys = keys;
    const select = $("events-app");
    const chosen = select.value;
    select.innerHTML = keys.map((k) => `<option value="${esc(k)}">${esc(k)}</option>`).join("");
    if (keys.includes(chosen)) select.value = chosen;
  },
};

// ---- routing and polling ---------------------------------------------------

let view = null;
let busy = false;

async function refresh() {
  if (!view || busy) return;
  busy = true;
  try {
    await view.load();
  } catch (error) {
    if (!(error instanceof NeedsToken)) say(`Could not load: ${error.message}`);
  } finally {
    busy = false;
  }
}

function route() {
  const hash = location.hash || "#/";
  const meeting = hash.match(/^#\/meetings\/([^/]+)$/);
  view = meeting ? meetingView(decodeURIComponent(meeting[1])) : hash === "#/toolkit" ? toolkit : overview;
  document.title = `${view.title} · dingconf console`;
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === view.nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  $("view").innerHTML = view.skeleton();
  if (view.bind) view.bind();
  refresh();
}

window.addEventListener("hashchange", () => {
  route();
  $("main").focus();
});
setInterval(() => {
  if (!document.hidden && $("login").hidden) refresh();
}, POLL_MS);
route();
