// The toolkit: the clock, event deliveries, fault rules and the request journal.

import { $, act, api, esc, feedback, idTag, put, refreshNow, shortTime, table, timeTag, when } from "./lib.js";

function deliveryRow(e, now) {
  return `<tr><td>${shortTime(e.eventBornTime, now)}</td><td>${idTag(e.eventType)}</td>
    <td><a href="#/meetings/${esc(e.conferenceId)}">${idTag(e.conferenceId)}</a></td>
    <td class="num">${e.statusSeqNum}</td><td>${esc(e.state)}</td><td class="num">${e.attempts}</td>
    <td>${esc(e.lastError)}</td>
    <td><button type="button" class="secondary" data-redeliver="${esc(e.eventId)}"
      aria-label="Redeliver ${esc(e.eventType)} #${e.statusSeqNum} of ${esc(e.conferenceId)}">Redeliver</button></td></tr>`;
}

function faultRow(f) {
  const answer = [f.status, f.code, f.latencyMs ? `+${f.latencyMs} ms` : "", f.drop ? "drop" : ""].filter(Boolean);
  return `<tr><td>${idTag(f.id)}</td><td>${esc(f.action || "any")}</td><td>${esc(answer.join(" "))}</td>
    <td class="num">${f.probability}</td><td class="num">${f.hits}</td><td class="num">${f.remaining ?? "∞"}</td>
    <td><button type="button" class="secondary" data-remove-fault="${esc(f.id)}"
      aria-label="Remove fault rule ${esc(f.id)}">Remove</button></td></tr>`;
}

function journalRow(e, now) {
  const request = `${e.method} ${e.path}${e.query ? "?" + e.query : ""}`;
  // A call that matched no operation names the closest one, when the server knows it.
  const near = e.closest && e.closest.method && e.closest.path
    ? `<p class="hint">did you mean <code>${esc(e.closest.method)} ${esc(e.closest.path)}</code>?</p>` : "";
  const bodies = JSON.stringify({ request: e.request, response: e.response }, null, 2);
  const action = e.action || "";
  return `<tr><td>${shortTime(e.time, now)}</td><td><span class="cut" title="${esc(action)}">${esc(action)}</span></td>
    <td><span class="cut mono" title="${esc(request)}">${esc(request)}</span>${near}</td>
    <td class="num">${e.dropped ? "dropped" : e.status}</td><td class="num nowrap">${e.latencyMs.toFixed(1)} ms</td>
    <td>${e.appKey ? idTag(e.appKey) : ""}</td>
    <td><details><summary>Show</summary><pre>${esc(bodies)}</pre></details></td></tr>`;
}

const SKELETON = `<h1>Toolkit</h1>
  <section class="card" aria-labelledby="clock-h"><h2 id="clock-h">Clock</h2>
    <p>Server time: <span id="clock-now"></span></p>
    <form class="inline" id="clock-form">
      <div class="field"><label for="advance">Advance by (seconds)</label>
        <input type="number" id="advance" min="1" step="1" value="60" required></div>
      <button type="submit">Advance the clock</button>
    </form>${feedback("clock-feedback")}</section>
  <section aria-labelledby="events-h"><h2 id="events-h">Event deliveries</h2>
    <form class="inline" id="events-form">
      <div class="field"><label for="events-app">App</label><select id="events-app"></select></div>
    </form>${feedback("deliveries-feedback")}<div id="deliveries"></div></section>
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
    </form>${feedback("faults-feedback")}<div id="faults"></div></section>
  <section aria-labelledby="journal-h"><h2 id="journal-h">Request journal</h2>
    <div class="actions"><button type="button" id="journal-clear" class="secondary">Clear the journal</button></div>
    ${feedback("journal-feedback")}<div id="journal"></div></section>`;

export function toolkitView() {
  let apps = [];
  // The app the operator picked; until then, the first app that has events.
  let picked = "";
  const view = {
    title: "Toolkit",
    nav: "toolkit",
    skeleton: () => SKELETON,
    bind() {
      const run = (where, label, method, path, body) => act(view, where, label, method, path, body);
      $("clock-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const seconds = Number($("advance").value);
        run("clock-feedback", `Advance the clock by ${seconds} s`, "POST", "/_dingconf/clock", { advanceMs: seconds * 1000 });
      });
      $("events-app").addEventListener("change", () => {
        picked = $("events-app").value;
        refreshNow();
      });
      $("fault-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const rule = { code: $("fault-code").value, status: Number($("fault-status").value) };
        if ($("fault-action").value) rule.action = $("fault-action").value;
        run("faults-feedback", "Add fault rule", "POST", "/_dingconf/faults", rule);
      });
      $("faults-clear").addEventListener("click", () =>
        run("faults-feedback", "Remove all fault rules", "DELETE", "/_dingconf/faults"));
      $("journal-clear").addEventListener("click", () =>
        run("journal-feedback", "Clear the journal", "DELETE", "/_dingconf/journal"));
      $("faults").addEventListener("click", (event) => {
        const id = event.target.dataset.removeFault;
        if (id) run("faults-feedback", `Remove fault rule ${id}`, "DELETE", `/_dingconf/faults/${encodeURIComponent(id)}`);
      });
      $("deliveries").addEventListener("click", (event) => {
        const id = event.target.dataset.redeliver;
        if (id) {
          run("deliveries-feedback", `Redeliver ${id}`, "POST", `/_dingconf/events/${encodeURIComponent(id)}/redeliver`,
            { appKey: $("events-app").value });
        }
      });
    },
    async load() {
      const [clock, overview, faults, journal] = await Promise.all([
        api("GET", "/_dingconf/clock"), api("GET", "/_dingconf/overview"),
        api("GET", "/_dingconf/faults"), api("GET", "/_dingconf/journal?limit=100"),
      ]);
      const now = clock.now;
      put("clock", when(now));
      put("clock-now", timeTag(now));
      view.apps(overview.orgs.flatMap((o) => o.apps));
      const app = $("events-app").value;
      const events = app ? (await api("GET", `/_dingconf/events?appKey=${encodeURIComponent(app)}`)).events : [];
      put("deliveries", table("Event deliveries", [["Born (UTC)"], ["Event"], ["Meeting"], ["statusSeqNum", "num"],
        ["State"], ["Attempts", "num"], ["Last error"], ["Action"]],
      events.map((e) => deliveryRow(e, now)), app ? "No events for this app." : "No apps."));
      put("faults", table("Fault rules", [["Id"], ["Action"], ["Answer"], ["Probability", "num"], ["Hits", "num"],
        ["Remaining", "num"], [""]], faults.faults.map(faultRow), "No fault rules: every call is answered normally."));
      put("journal", journal.capacity === 0 ? `<p class="empty">The journal is off (--journal-size 0).</p>` :
        table("Request journal", [["Time (UTC)"], ["Action"], ["Request"], ["Status", "num"], ["Latency", "num"],
          ["App"], ["Bodies"]], journal.requests.map((e) => journalRow(e, now)), "No calls yet.", "journal"));
    },
    // The app picker, each app with its event count.
    apps(next) {
      const shown = next.map((a) => [a.appKey, a.events || 0]);
      if (JSON.stringify(shown) === JSON.stringify(apps)) return;
      apps = shown;
      const select = $("events-app");
      select.innerHTML = shown.map(([k, n]) =>
        `<option value="${esc(k)}">${esc(k)} (${n} event${n === 1 ? "" : "s"})</option>`).join("");
      const busy = shown.find(([, n]) => n > 0);
      const keys = shown.map(([k]) => k);
      if (keys.includes(picked)) select.value = picked;
      else if (busy) select.value = busy[0];
    },
  };
  return view;
}
