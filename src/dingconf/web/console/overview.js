// The overview: every meeting with its host, times and who speaks, a form to
// create one, and the organisations with their apps and users.

import {
  $, CONF_STATUS, ENDED, RECORD, act, api, badge, esc, feedback, idTag, put, shortTime, span, table, tell, when,
} from "./lib.js";

function speakers(people) {
  if (!people || !people.length) return "";
  return people.map((p) => `<span class="badge speaking" title="${esc(p.unionId)}">${esc(p.nick)}</span>`).join(" ");
}

function meetingRow(m, orgs, now) {
  const org = orgs[m.corpId];
  const host = org ? org.users.find((u) => u.unionId === m.hostId) : null;
  const ended = m.status === ENDED && m.endTime;
  const lasted = ended ? m.endTime - m.startTime : Math.max(0, now - m.startTime);
  return `<tr data-conference-id="${esc(m.conferenceId)}">
    <td><a href="#/meetings/${esc(m.conferenceId)}">${esc(m.title)}</a></td>
    <td>${esc(org ? org.name || org.corpId : m.corpId)}</td>
    <td>${badge(CONF_STATUS, m.status)}</td>
    <td data-field="host">${host ? esc(host.nick) : idTag(m.hostId)}</td>
    <td data-field="speaking">${speakers(m.speaking)}</td>
    <td>${idTag(m.roomCode)}</td>
    <td class="num nowrap"><span data-field="activeNum">${m.activeNum}</span> /
      <span data-field="attendNum">${m.attendNum}</span> / <span data-field="invitedNum">${m.invitedNum}</span></td>
    <td>${badge(RECORD, m.cloudRecordStatus)}</td>
    <td data-field="started">${shortTime(m.startTime, now)}</td>
    <td class="num nowrap" data-field="duration">${span(lasted)}</td>
    <td data-field="ended">${ended ? shortTime(m.endTime, now) : ""}</td></tr>`;
}

function orgCard(o) {
  const name = o.name || o.corpId;
  const apps = o.apps.length ? `<ul class="plain">${o.apps.map((a) =>
    `<li>${idTag(a.appKey)}${a.scopes.length ? ` — ${esc(a.scopes.join(", "))}` : ""}</li>`).join("")}</ul>`
    : `<p class="empty">No apps.</p>`;
  const users = o.users.length ? `<ul class="plain">${o.users.map((u) =>
    `<li>${esc(u.nick)} ${idTag(u.unionId)}</li>`).join("")}</ul>` : `<p class="empty">No users.</p>`;
  return `<section class="card" aria-label="${esc(name)}">
    <h3>${esc(name)} ${idTag(o.corpId)}</h3><h4>Apps</h4>${apps}<h4>Users</h4>${users}</section>`;
}

export function overviewView() {
  let orgs = [];
  const view = {
    title: "Overview",
    nav: "meetings",
    skeleton() {
      return `<h1>Overview</h1>
        <section class="card" aria-labelledby="create-h"><h2 id="create-h">New meeting</h2>
          <form class="inline" id="create-form" novalidate>
            <div class="field"><label for="create-org">Organisation</label><select id="create-org"></select></div>
            <div class="field"><label for="create-host">Host</label><select id="create-host"></select></div>
            <div class="field grow"><label for="create-title">Title</label>
              <input type="text" id="create-title" maxlength="256"></div>
            <button type="submit">Create meeting</button>
          </form>
          ${feedback("create-feedback")}
          <p class="meta">Created as CreateVideoConference creates it: live at once, the host rung.</p>
        </section>
        <section aria-labelledby="meetings-h"><h2 id="meetings-h">Meetings, newest first</h2>
          <div id="meetings"><p>Loading…</p></div></section>
        <section aria-labelledby="orgs-h"><h2 id="orgs-h">Organisations and apps</h2>
          <div id="orgs"></div></section>`;
    },
    bind() {
      $("create-org").addEventListener("change", () => view.hosts());
      $("create-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const title = $("create-title").value.trim();
        if (!title) {
          tell("create-feedback", "Nothing created: give the meeting a title.", "bad");
          $("create-title").focus();
          return;
        }
        const body = { corpId: $("create-org").value, hostId: $("create-host").value, title };
        const created = await act(view, "create-feedback", `Create “${title}”`, "POST", "/_dingconf/conferences", body);
        if (created) {
          $("create-title").value = "";
          tell("create-feedback", `Created “${esc(title)}”. <a href="#/meetings/${esc(created.conferenceId)}">Open it</a>`,
            "ok", true);
        }
      });
    },
    async load() {
      const data = await api("GET", "/_dingconf/overview");
      put("clock", when(data.now));
      const byCorp = Object.fromEntries(data.orgs.map((o) => [o.corpId, o]));
      view.organisations(data.orgs);
      put("meetings", table("Meetings", [["Title"], ["Organisation"], ["Status"], ["Host"], ["Speaking now"],
        ["Room code"], ["Inside / attended / invited", "num wrap"], ["Recording"],
        ["Started (UTC)"], ["Duration", "num"], ["Ended (UTC)"]],
      data.meetings.map((m) => meetingRow(m, byCorp, data.now)), "No meetings yet: create one above or through the API.",
      "meetings"));
      put("orgs", `<div class="grid">${data.orgs.map(orgCard).join("")}</div>`);
    },
    // The create form's pickers follow the organisations and their users.
    organisations(next) {
      const known = JSON.stringify(orgs);
      orgs = next;
      if (JSON.stringify(next) === known) return;
      const select = $("create-org");
      const chosen = select.value;
      select.innerHTML = next.map((o) => `<option value="${esc(o.corpId)}">${esc(o.name || o.corpId)}</option>`).join("");
      if (next.some((o) => o.corpId === chosen)) select.value = chosen;
      view.hosts();
    },
    hosts() {
      const org = orgs.find((o) => o.corpId === $("create-org").value);
      const select = $("create-host");
      const chosen = select.value;
      const users = org ? org.users : [];
      select.innerHTML = users.map((u) => `<option value="${esc(u.unionId)}">${esc(u.nick)} (${esc(u.unionId)})</option>`).join("");
      if (users.some((u) => u.unionId === chosen)) select.value = chosen;
    },
  };
  return view;
}
