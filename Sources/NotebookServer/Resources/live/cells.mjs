// One cell of the page: its CodeMirror editor, toolbar, message area and live area, and what
// running, stopping, saving and reverting it do.
import { cellURL } from "./api.mjs";
import { interruptAnswered, interruptUnreachable, runAccepted, runRefused, runUnreachable,
         saveAnswered, saveUnreachable } from "./answers.mjs";
import { element, button } from "./dom.mjs";
import { draftToRestore } from "./drafts.mjs";
import { LiveArea } from "./figures.mjs";
import { formatElapsed, formatSeconds, isBusy, modifiedLabel, statusLabel } from "./labels.mjs";

// A `section.cell` made live from its state in /api/chapter. `live` is what cells share:
// {page, api, drafts, banner, checkDiskVersion}.
export class LiveCell {
  constructor(section, state, live) {
    this.live = live;
    this.page = live.page;
    this.section = section;
    this.id = state.id;
    this.kind = state.kind;
    this.line = state.line;
    this.editable = state.kind === "main" || state.kind === "exercise";
    this.saved = state.source;     // the source in the file, as far as the page knows
    this.base = null;              // for a restored draft: the source it was made from
    this.restored = false;
    this.status = null;
    this.timer = null;
    this.startedAt = 0;
    this.messageTimer = null;
    this.header = section.querySelector(".cell-header");
    if (!this.header) {
      this.header = element("div", "cell-header");
      section.insertBefore(this.header, section.firstChild);
    }
    this.build(state);
    this.applyState(state);
  }

  build(state) {
    const self = this;
    const section = this.section;
    section.setAttribute("data-cell-id", this.id);
    section.setAttribute("data-kind", this.kind);

    const host = element("div", "cell-editor");
    const pre = section.querySelector("pre.source");
    if (pre) pre.parentNode.replaceChild(host, pre);
    else this.header.parentNode.insertBefore(host, this.header.nextSibling);

    let keys = {};
    if (this.editable) {
      keys = {
        "Shift-Enter": function () { self.run(); self.focusNext(); },
        "Ctrl-Enter": function () { self.run(); },
        "Cmd-Enter": function () { self.run(); },
        "Ctrl-S": function () { self.save(); },
        "Cmd-S": function () { self.save(); },
        "Tab": function (cm) {
          if (cm.somethingSelected()) cm.indentSelection("add"); else cm.execCommand("insertSoftTab");
        },
        "Shift-Tab": function (cm) { cm.indentSelection("subtract"); }
      };
    }
    this.editor = window.CodeMirror(host, {
      value: state.source,
      mode: "swift",
      lineNumbers: true,
      firstLineNumber: state.line,
      matchBrackets: true,
      viewportMargin: Infinity,
      indentUnit: 4,
      tabSize: 4,
      indentWithTabs: false,
      readOnly: !this.editable,
      extraKeys: keys
    });
    this.editor.getWrapperElement().setAttribute("data-cell-id", this.id);

    // Outputs live in div.outputs (the served page has one; a static page gets one).
    this.outputs = section.querySelector(".outputs");
    if (!this.outputs) {
      this.outputs = element("div", "outputs");
      const loose = section.querySelectorAll(":scope > .output");
      for (let i = 0; i < loose.length; i++) this.outputs.appendChild(loose[i]);
      section.appendChild(this.outputs);
    }
    this.message = element("div", "cell-message");
    this.message.hidden = true;
    this.message.setAttribute("role", "alert");
    host.parentNode.insertBefore(this.message, host.nextSibling);

    const liveContainer = element("div", "cell-live");
    const progress = element("pre", "cell-progress");
    const figure = element("div", "live-figure");
    liveContainer.appendChild(progress);
    liveContainer.appendChild(figure);
    this.outputs.parentNode.insertBefore(liveContainer, this.outputs.nextSibling);
    this.liveArea = new LiveArea(liveContainer, progress, figure);
    this.liveArea.clear();

    if (!this.editable) return;
    const bar = element("div", "cell-toolbar");
    this.runButton = button("run", "▶ Run",
      "Run this cell (Shift-Enter: run and go to the next cell; Ctrl-Enter: run and stay)",
      function () { self.run(); });
    this.stopButton = button("stop", "■ Stop", "Interrupt this cell", function () { self.interrupt(); });
    this.stopButton.hidden = true;
    this.saveButton = button("save", "Save", "Save this cell into the chapter file (Ctrl-S)",
      function () { self.save(); });
    this.revertButton = button("revert", "Revert",
      "Discard the local edit and show the saved source (Ctrl-Z in the editor brings the edit back)",
      function () { self.revert(); self.editor.focus(); });
    this.modified = element("span", "cell-modified");
    this.modified.hidden = true;
    this.elapsed = element("span", "cell-elapsed");
    bar.appendChild(this.runButton);
    bar.appendChild(this.stopButton);
    bar.appendChild(this.saveButton);
    bar.appendChild(this.revertButton);
    bar.appendChild(this.modified);
    bar.appendChild(this.elapsed);
    this.header.parentNode.insertBefore(bar, this.header.nextSibling);

    this.editor.on("changes", function () { self.edited(); });
    this.updateModified();
  }

  isDirty() {
    return this.editable && this.editor.getValue() !== this.saved;
  }

  // After every edit: remember the draft (or forget it when back to the saved source).
  edited() {
    if (this.isDirty()) {
      this.live.drafts.set(this.id, this.editor.getValue(), this.base != null ? this.base : this.saved);
    } else {
      this.live.drafts.remove(this.id);
      this.base = null;
      this.restored = false;
    }
    this.updateModified();
  }

  updateModified() {
    if (!this.editable) return;
    const dirty = this.isDirty();
    this.section.classList.toggle("modified", dirty);
    this.modified.hidden = !dirty;
    this.modified.textContent = modifiedLabel(dirty, this.restored);
    this.modified.title = dirty ? "This cell differs from the chapter file; Ctrl-S saves it" : "";
    this.saveButton.disabled = !dirty;
    this.revertButton.disabled = !dirty;
  }

  // On load: bring back an unsaved edit kept in localStorage.
  restoreDraft() {
    if (!this.editable) return;
    const decision = draftToRestore(this.live.drafts.get(this.id), this.saved);
    if (decision.action === "discard") this.live.drafts.remove(this.id);
    if (decision.action !== "restore") return;
    this.restored = true;
    this.base = decision.base;
    this.editor.setValue(decision.source);
    this.editor.clearHistory();
    if (decision.changedInFile) {
      this.showMessage("info", "Restored an unsaved edit made before this cell changed in the file; " +
        "Save writes your edit over it, Revert takes the file's version.");
    }
    this.updateModified();
  }

  setLine(line) {
    if (typeof line !== "number" || line === this.line) return;
    this.line = line;
    this.section.setAttribute("data-line", String(line));
    this.editor.setOption("firstLineNumber", line);
    const label = this.header.querySelector(".cell-line");
    if (label) label.textContent = this.page.path + ":" + line;
  }

  // The header's span of class `className`, added (before the one of class `before`, if any)
  // when the static page had none.
  headerSpan(className, before) {
    let span = this.header.querySelector("." + className);
    if (!span) {
      span = element("span", className);
      const anchor = before ? this.header.querySelector("." + before) : null;
      if (anchor) {
        this.header.insertBefore(span, anchor);
        this.header.insertBefore(document.createTextNode(" "), anchor);
      } else {
        this.header.appendChild(document.createTextNode(" "));
        this.header.appendChild(span);
      }
    }
    return span;
  }

  setTime(text) {
    this.headerSpan("cell-time", "cell-status").textContent = text;
  }

  setStatus(status, seconds, note, startedAt) {
    const classes = Array.prototype.slice.call(this.section.classList);
    for (let i = 0; i < classes.length; i++) {
      if (classes[i].indexOf("status-") === 0) this.section.classList.remove(classes[i]);
    }
    this.section.classList.add("status-" + status);
    this.section.setAttribute("data-status", status);
    this.status = status;
    const label = this.headerSpan("cell-status");
    label.textContent = statusLabel(status);
    label.title = note || "";
    if (status === "running") {
      this.startTicker(startedAt);
    } else {
      this.stopTicker();
      if (seconds != null) this.setTime(formatSeconds(seconds));
    }
    if (this.editable) {
      const busy = isBusy(status);
      this.runButton.disabled = busy;
      this.stopButton.hidden = !busy;
    }
  }

  // `startedAt` (Unix seconds, the server's: the same machine's clock) keeps a page loaded
  // mid-run counting from the run's start, not from the load.
  startTicker(startedAt) {
    if (this.timer) return;
    const self = this;
    this.startedAt = startedAt != null ? Math.min(startedAt * 1000, Date.now()) : Date.now();
    const tick = function () {
      const text = formatElapsed((Date.now() - self.startedAt) / 1000);
      self.setTime(text);
      if (self.elapsed) self.elapsed.textContent = "running for " + text;
    };
    tick();
    this.timer = window.setInterval(tick, 100);
  }

  stopTicker() {
    if (this.timer) window.clearInterval(this.timer);
    this.timer = null;
    if (this.elapsed) this.elapsed.textContent = "";
  }

  setOutputs(html) {
    if (typeof html === "string") this.outputs.innerHTML = html;
  }

  clearLive() { this.liveArea.clear(); }

  showProgress(line) { this.liveArea.showProgress(line); }

  showFigure(svg) { this.liveArea.showFigure(svg); }

  // A cell state from /api/chapter or a `cell` event.
  applyState(state) {
    this.setLine(state.line);
    this.setOutputs(state.html);
    this.setStatus(state.status, state.seconds, state.note, state.startedAt);
    this.liveArea.follow(state);
  }

  applyAnswer(answer) {
    this.setOutputs(answer.html);
    this.setStatus(answer.status, answer.seconds);
    this.clearLive();
  }

  showMessage(kind, text, fadeAfter) {
    if (this.messageTimer) window.clearTimeout(this.messageTimer);
    this.messageTimer = null;
    this.message.className = "cell-message " + kind;
    this.message.textContent = text;
    this.message.hidden = false;
    if (fadeAfter) {
      const self = this;
      this.messageTimer = window.setTimeout(function () { self.clearMessage(); }, fadeAfter);
    }
  }

  // Shows a message as answers.js words it.
  say(message) {
    this.showMessage(message.kind, message.text, message.fadeAfter);
  }

  clearMessage() {
    if (this.messageTimer) window.clearTimeout(this.messageTimer);
    this.messageTimer = null;
    this.message.hidden = true;
    this.message.textContent = "";
    this.message.className = "cell-message";
  }

  run() {
    if (!this.editable || isBusy(this.status)) return;
    const self = this;
    const source = this.editor.getValue();
    const previousStatus = this.status || "not-run";
    const previousTimeSpan = this.header.querySelector(".cell-time");
    const previousTime = previousTimeSpan ? previousTimeSpan.textContent : "";
    const restore = function () {
      if (self.status !== "running") return; // an event told the real state meanwhile
      self.setStatus(previousStatus);
      self.setTime(previousTime);
    };
    this.clearMessage();
    this.clearLive();
    this.setStatus("running");
    this.live.api("POST", cellURL(this.id, "run"), { source: source }).then(function (answer) {
      if (runAccepted(answer)) {
        self.applyAnswer(answer.data);
        return;
      }
      self.say(runRefused(answer));
      restore();
    }, function (error) {
      self.say(runUnreachable(error));
      restore();
    });
  }

  interrupt() {
    const self = this;
    this.live.api("POST", cellURL(this.id, "interrupt")).then(function (answer) {
      self.say(interruptAnswered(answer));
    }, function (error) {
      self.say(interruptUnreachable(error));
    });
  }

  // Saves the editor's source into the chapter file; resolves to whether it was saved.
  save() {
    if (!this.editable) return;
    const self = this;
    const page = this.page;
    const source = this.editor.getValue();
    if (source === this.saved) {
      this.showMessage("info", "Nothing to save: the cell is as in the file.", 3000);
      return Promise.resolve(true);
    }
    this.saveButton.disabled = true;
    page.savesInFlight += 1;
    let saved = false;
    return this.live.api("PUT", cellURL(this.id), { source: source, version: page.version }).then(function (answer) {
      const outcome = saveAnswered(answer, page.path);
      if (outcome.saved) {
        if (outcome.version) page.version = outcome.version;
        self.saved = source;
        self.base = null;
        self.restored = false;
        self.live.drafts.remove(self.id);
        self.edited(); // the editor may have changed while saving
        saved = true;
      }
      if (outcome.diskVersion) page.diskVersion = outcome.diskVersion;
      self.say(outcome.message);
      if (outcome.fileChanged) self.live.banner.showFileChanged();
    }, function (error) {
      self.say(saveUnreachable(error));
    }).then(function () {
      page.savesInFlight -= 1;
      self.updateModified();
      self.live.checkDiskVersion();
      return saved;
    });
  }

  revert() {
    if (!this.editable) return;
    this.base = null;
    this.restored = false;
    if (this.editor.getValue() !== this.saved) this.editor.setValue(this.saved);
    this.live.drafts.remove(this.id);
    this.clearMessage();
    this.updateModified();
  }

  // "Reload from disk": the file's source replaces a clean editor; an edited one keeps the edit.
  reloadFrom(state) {
    const changed = state.source !== this.saved;
    if (this.editable) {
      const dirty = this.isDirty();
      this.saved = state.source;
      if (!dirty) {
        if (this.editor.getValue() !== state.source) this.editor.setValue(state.source);
      } else if (this.editor.getValue() === state.source) {
        this.live.drafts.remove(this.id);
      } else if (changed) {
        this.base = null;
        this.live.drafts.set(this.id, this.editor.getValue(), state.source);
        this.showMessage("info", "This cell changed on disk; your unsaved edit is kept here " +
          "(Save writes it over the file's version, Revert takes the file's version).");
      }
      this.updateModified();
    } else {
      this.saved = state.source;
      if (this.editor.getValue() !== state.source) this.editor.setValue(state.source);
    }
    this.applyState(state);
  }

  focusNext() {
    const order = this.page.order;
    const index = order.indexOf(this);
    for (let i = index + 1; i < order.length; i++) {
      const next = order[i];
      if (next.editable) {
        next.editor.focus();
        next.editor.setCursor({ line: 0, ch: 0 });
        next.section.scrollIntoView({ block: "nearest" });
        return;
      }
    }
  }
}
