// The live page's entry module (loaded as <script type="module">, so it runs after the classic
// scripts CodeMirror and KaTeX put their globals with). It renders the maths, turns every cell
// of /api/chapter into a LiveCell, restores unsaved edits, and follows /api/events.
//
// Keys in an editor: Shift-Enter runs the cell and moves to the next one, Ctrl-Enter (Cmd-Enter)
// runs it and stays, Ctrl-S (Cmd-S) saves it into the chapter file, Tab indents with spaces;
// Ctrl-S outside an editor saves every edited cell. Tests reach an editor as
// `section.cell[data-cell-id=ID] .CodeMirror` (its `.CodeMirror` property) and the page's
// state as `window.d2lLive`.
import { createAPI, errorText } from "./api.mjs";
import { Banner } from "./banner.mjs";
import { LiveCell } from "./cells.mjs";
import { diskVersionVerdict, sameCells } from "./chapter.mjs";
import { DraftStore } from "./drafts.mjs";
import { connectionLostText, dispatchEvents, pageEventHandlers } from "./events.mjs";
import { katexRenderOptions } from "./katex-options.mjs";
import { liveMathOptions, renderMath } from "./math.mjs";

function logError() {
  if (window.console) console.error.apply(console, arguments);
}

const page = {
  version: null, path: "", snapshot: null,
  cells: new Map(), order: [],
  diskVersion: null, savesInFlight: 0,
  events: null, disconnected: false, loaded: false
};
window.d2lLive = page;

// window.fetch is looked up on every request, not captured: a test's stub may replace it.
const api = createAPI(function (url, options) { return window.fetch(url, options); });
const drafts = new DraftStore(function () { return window.localStorage; }, function () { return page.path; });
const banner = new Banner(page, reloadFromDisk);
const live = { page: page, api: api, drafts: drafts, banner: banner, checkDiskVersion: checkDiskVersion };

function checkDiskVersion() {
  switch (diskVersionVerdict(page)) {
    case "own save": page.diskVersion = null; break;
    case "changed": banner.showFileChanged(); break;
    default: break;
  }
}

function fileChanged(version) {
  if (!version || version === page.version) return;
  page.diskVersion = version;
  // Our own save announces itself too: decide once the saves under way have answered.
  window.setTimeout(checkDiskVersion, 300);
}

function reloadFromDisk() {
  return api("GET", "/api/chapter").then(function (answer) {
    if (!answer.ok) throw new Error(answer.data.error || "HTTP " + answer.status);
    const chapter = answer.data;
    if (!sameCells(chapter.cells, page.order)) {
      // Cells were added, removed or renamed: rebuild the page. Unsaved edits are in
      // localStorage and come back after the reload.
      page.order.forEach(function (cell) {
        if (cell.isDirty()) drafts.set(cell.id, cell.editor.getValue(), cell.base != null ? cell.base : cell.saved);
      });
      window.location.reload();
      return;
    }
    page.version = chapter.version;
    page.diskVersion = null;
    banner.hideNotice();
    banner.setSnapshot(chapter.snapshot);
    chapter.cells.forEach(function (state) { page.cells.get(state.id).reloadFrom(state); });
  }).catch(function (error) {
    banner.setConnection("Could not reload the chapter: " + errorText(error));
  });
}

// After the event stream reconnects: statuses and outputs may have changed meanwhile.
function resync() {
  api("GET", "/api/chapter").then(function (answer) {
    if (!answer.ok) return;
    const chapter = answer.data;
    banner.setSnapshot(chapter.snapshot);
    chapter.cells.forEach(function (state) {
      const cell = page.cells.get(state.id);
      if (cell) cell.applyState(state);
    });
    fileChanged(chapter.version);
  }, function () { /* the stream's error handler reports it */ });
}

function connectEvents() {
  if (typeof window.EventSource !== "function") return;
  const source = new window.EventSource("/api/events", { withCredentials: true });
  page.events = source;
  source.addEventListener("open", function () {
    if (!page.disconnected) return;
    page.disconnected = false;
    banner.setConnection(null);
    resync();
  });
  source.addEventListener("error", function () {
    page.disconnected = true;
    banner.setConnection(connectionLostText(source.readyState));
  });
  const cellOf = function (data) { return data && page.cells.get(data.id); };
  dispatchEvents(source, pageEventHandlers(cellOf, function (state) { banner.setSnapshot(state); }, fileChanged), logError);
}

// Ctrl-S / Cmd-S outside an editor saves every edited cell, one after the other (each save
// needs the version the previous one made); it stops at the first refusal.
function saveAll() {
  const edited = page.order.filter(function (cell) { return cell.isDirty(); });
  return edited.reduce(function (previous, cell) {
    return previous.then(function (ok) { return ok ? cell.save() : false; });
  }, Promise.resolve(true));
}

document.addEventListener("keydown", function (event) {
  if (!page.loaded || event.defaultPrevented) return;
  if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
    event.preventDefault();
    saveAll();
  }
});

function start() {
  renderMath(document.body, window.renderMathInElement, liveMathOptions(katexRenderOptions), logError);
  banner.ensure();
  if (typeof window.CodeMirror !== "function") {
    banner.setConnection("The editor (CodeMirror) did not load: the page is read-only.");
    return;
  }
  api("GET", "/api/chapter").then(function (answer) {
    if (!answer.ok) throw new Error(answer.data.error || "HTTP " + answer.status);
    const chapter = answer.data;
    page.version = chapter.version;
    page.path = chapter.path || "";
    banner.setSnapshot(chapter.snapshot);
    const sections = new Map();
    const nodes = document.querySelectorAll("section.cell");
    for (let i = 0; i < nodes.length; i++) {
      sections.set(nodes[i].getAttribute("data-cell-id") || nodes[i].id, nodes[i]);
    }
    (chapter.cells || []).forEach(function (state) {
      const section = sections.get(state.id);
      if (!section) return;
      const cell = new LiveCell(section, state, live);
      page.cells.set(state.id, cell);
      page.order.push(cell);
    });
    page.order.forEach(function (cell) { cell.restoreDraft(); });
    page.loaded = true;
    document.body.classList.add("live-ready");
    connectEvents();
  }).catch(function (error) {
    banner.setConnection("Could not load the chapter's live state (" + errorText(error) + "): the page is read-only.");
    logError(error);
  });
}

// A module runs once the document is parsed; the check keeps the page working if it is ever
// loaded earlier.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
