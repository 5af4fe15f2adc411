// What every console view shares: rendering helpers, the control API, and
// actions that say what they did next to where they were taken.

const TOKEN_KEY = "dingconfAdminToken";
const ADMIN_HEADER = "x-dingconf-admin-token";

export const CONF_STATUS = { 0: ["Not started", ""], 1: ["Ended", ""], 2: ["Live", "ok"] };
export const RECORD = { 0: ["Not recording", ""], 1: ["Recording", "ok"], 2: ["Paused", "warn"], 3: ["Finished", ""] };
export const ENDED = 1;

// ---- rendering -------------------------------------------------------------

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
export const $ = (id) => document.getElementById(id);

export function when(ms) {
  if (ms === undefined || ms === null) return "";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

export function timeTag(ms) {
  if (ms === undefined || ms === null) return "";
  return `<time datetime="${esc(new Date(ms).toISOString())}">${esc(when(ms))}</time>`;
}

// A time on one line: the time of day on the server's current (UTC) day, else
// the date and minute; the full time in its title.
export function shortTime(ms, now) {
  if (ms === undefined || ms === null) return "";
  const iso = new Date(ms).toISOString();
  const today = now !== undefined && iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  const shown = today ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return `<time class="when" datetime="${esc(iso)}" title="${esc(when(ms))}">${esc(shown)}</time>`;
}

export function span(ms) {
  const s = Math.round((ms || 0) / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}h ${m}m ${r}s` : m ? `${m}m ${r}s` : `${r}s`;
}

export function badge(names, value) {
  const [label, tone] = names[value] || [String(value), ""];
  return `<span class="badge ${tone}">${esc(label)}</span>`;
}

// An identifier on one line (cut with an ellipsis where it must be), whole in its title.
export function idTag(value) {
  return `<span class="id" title="${esc(value)}">${esc(value)}</span>`;
}

// Replace an element's content only when it changed (keeps focus and scroll).
export function put(id, html) {
  const el = $(id);
  if (el && el.dataset.html !== html) {
    el.innerHTML = html;
    el.dataset.html = html;
  }
}

export function table(label, head, rows, empty, cls = "") {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  const ths = head.map(([h, c]) => `<th scope="col"${c ? ` class="${c}"` : ""}>${esc(h)}</th>`);
  return `<div class="scroll" role="region" tabindex="0" aria-label="${esc(label)}">` +
    `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${ths.join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></div>`;
}

// A place for an action's outcome, right below the controls that take it.
export function feedback(id) {
  return `<p class="feedback" id="${id}" role="status" aria-live="polite"></p>`;
}

// Say an outcome in a feedback place: text, or markup when it holds a link.
export function tell(id, message, tone = "", html = false) {
  const el = $(id);
  if (!el) return;
  el.className = `feedback ${tone}`;
  if (html) el.innerHTML = message;
  else el.textContent = message;
}

// ---- the control API -------------------------------------------------------

export class NeedsToken extends Error {}

export function showLogin(message) {
  $("login").hidden = false;
  $("view").hidden = true;
  $("login-error").textContent = message;
  if (document.activeElement !== $("admin-token")) $("admin-token").focus();
}

export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export async function api(method, path, body) {
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

// ---- actions -----------------------------------------------------------------

let shown = null;
let refresher = async () => {};

// The router says which view is on screen and how to refresh it.
export function showing(view, refresh) {
  shown = view;
  refresher = refresh;
}

// Refresh the view on screen now (after a change of the operator's choices).
export function refreshNow() {
  return refresher();
}

// Run an action of `view`, say how it went in the feedback place `where`, then
// refresh at once. An answer arriving after the operator moved to another
// page or meeting is not shown there. Resolves to the API's reply, or null.
export async function act(view, where, label, method, path, body) {
  let reply = null;
  try {
    reply = await api(method, path, body);
    if (shown === view) tell(where, `${label}: done.`, "ok");
  } catch (error) {
    if (!(error instanceof NeedsToken) && shown === view) tell(where, `${label} failed: ${error.message}`, "bad");
  }
  if (shown === view) await refresher();
  return reply;
}
