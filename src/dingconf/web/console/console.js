// dingconf console: plain JavaScript modules, no build, no dependencies.
// Every figure comes from the control API (/_dingconf/...); the pages poll it
// about once a second and only touch the parts of the page that changed, so
// keyboard focus and form input survive the updates. Each view is a module:
// overview.js, meeting.js, toolkit.js; lib.js holds what they share.

import { $, NeedsToken, saveToken, showing } from "./lib.js";
import { meetingView } from "./meeting.js";
import { overviewView } from "./overview.js";
import { toolkitView } from "./toolkit.js";

const POLL_MS = 1000;

let view = null;
let busy = false;

// A failure to read the page is said at its top; the next good read clears it.
function loadError(message) {
  const el = $("load-error");
  if (el) {
    el.textContent = message;
    el.hidden = !message;
  }
}

async function refresh() {
  if (!view || busy) return;
  busy = true;
  const reading = view;
  try {
    await reading.load();
    if (reading === view) loadError("");
  } catch (error) {
    if (!(error instanceof NeedsToken) && reading === view) loadError(`Could not load: ${error.message}`);
  } finally {
    busy = false;
  }
}

function route() {
  const hash = location.hash || "#/";
  const meeting = hash.match(/^#\/meetings\/([^/]+)$/);
  view = meeting ? meetingView(decodeURIComponent(meeting[1])) : hash === "#/toolkit" ? toolkitView() : overviewView();
  showing(view, refresh);
  document.title = `${view.title} · dingconf console`;
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === view.nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // A new page starts with nothing said: messages belong to the page they were said on.
  $("view").innerHTML = `<p id="load-error" class="error" role="alert" hidden></p>${view.skeleton()}`;
  if (view.bind) view.bind();
  refresh();
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  saveToken($("admin-token").value);
  $("admin-token").value = "";
  $("login").hidden = true;
  $("view").hidden = false;
  route();
});

window.addEventListener("hashchange", () => {
  route();
  $("main").focus();
});
setInterval(() => {
  if (!document.hidden && $("login").hidden) refresh();
}, POLL_MS);
route();
