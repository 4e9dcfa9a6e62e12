/// The live page's own script and style sheet, served at `/static/live.js` and `/static/live.css`.
///
/// The page (the woven chapter, with `/static/...` links and no inline script) loads CodeMirror 5,
/// its Swift mode and bracket matching, KaTeX and its auto-render extension before `live.js`.
/// The script then:
/// - renders the maths (KaTeX, `$$...$$` and `$...$`, never inside code or outputs);
/// - fetches `/api/chapter` and turns every `section.cell` of kind `main` or `exercise` into a
///   CodeMirror editor numbered with the chapter's Markdown lines, with a toolbar (`button.run`,
///   `button.stop`, `button.save`, `button.revert`, a `.cell-modified` marker) and a
///   `.cell-message` area; listings get a read-only editor and no toolbar;
/// - keeps unsaved edits in `localStorage` (key `d2l-live:PATH:ID`, with the source they were
///   made from) so that they survive a reload, and restores them marked "modified (unsaved,
///   restored)";
/// - follows `/api/events` (cell states, progress lines, the live training figure, the
///   snapshot's state in `#live-banner`, and changes of the file on disk, which never discard an
///   unsaved edit).
///
/// Keys in an editor: Shift-Enter runs the cell and moves to the next one, Ctrl-Enter (Cmd-Enter)
/// runs it and stays, Ctrl-S (Cmd-S) saves it into the chapter file, Tab indents with spaces.
/// Tests reach an editor as `section.cell[data-cell-id=ID] .CodeMirror` (`.CodeMirror` property)
/// and the page's state as `window.d2lLive`.
enum LivePageAssets {
    static let script = #"""
(function () {
  "use strict";

  var STATUS_LABELS = {
    "not-run": "not run", queued: "queued", running: "running", ran: "ran",
    failed: "failed", stale: "stale: re-run", skipped: "skipped"
  };
  var SNAPSHOT_LABELS = {
    starting: "starting…", compiling: "compiling…", training: "training…", ready: "ready",
    failed: "failed: a main cell failed", stopped: "stopped"
  };
  var BUSY = { running: true, queued: true };

  var page = {
    version: null, path: "", snapshot: null,
    cells: new Map(), order: [],
    diskVersion: null, savesInFlight: 0,
    events: null, disconnected: false, loaded: false
  };
  window.d2lLive = page;

  // ---------------------------------------------------------------- helpers

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function button(className, label, title, action) {
    var node = element("button", className, label);
    node.type = "button";
    if (title) node.title = title;
    node.addEventListener("click", function (event) { event.preventDefault(); action(); });
    return node;
  }

  function cellURL(id, action) {
    return "/api/cells/" + encodeURIComponent(id) + (action ? "/" + action : "");
  }

  /// Same-origin JSON request; resolves to {status, ok, data} (never rejects for HTTP errors).
  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data;
        try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text }; }
        if (data === null || typeof data !== "object") data = { value: data };
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function errorText(error) {
    return (error && error.message) ? error.message : String(error);
  }

  function formatSeconds(seconds) {
    if (seconds == null || !isFinite(seconds)) return "";
    if (seconds < 60) return seconds.toFixed(2) + " s";
    var minutes = Math.floor(seconds / 60);
    return minutes + " min " + Math.round(seconds - 60 * minutes) + " s";
  }

  function formatElapsed(seconds) {
    if (seconds < 60) return seconds.toFixed(1) + " s";
    var minutes = Math.floor(seconds / 60);
    var rest = Math.floor(seconds - 60 * minutes);
    return minutes + ":" + (rest < 10 ? "0" : "") + rest + " min";
  }

  function renderMath(root) {
    if (typeof window.renderMathInElement !== "function") return;
    try {
      window.renderMathInElement(root, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false }
        ],
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code"],
        // Results are text, never maths: only the prose is typeset.
        ignoredClasses: ["outputs", "cell-header", "run-summary", "CodeMirror"],
        throwOnError: false
      });
    } catch (e) {
      if (window.console) console.error("KaTeX:", e);
    }
  }

  // ---------------------------------------------------------------- unsaved edits

  var drafts = {
    key: function (id) { return "d2l-live:" + page.path + ":" + id; },
    get: function (id) {
      try {
        var raw = window.localStorage.getItem(this.key(id));
        var value = raw ? JSON.parse(raw) : null;
        return value && typeof value.source === "string" ? value : null;
      } catch (e) { return null; }
    },
    set: function (id, source, base) {
      try {
        window.localStorage.setItem(this.key(id), JSON.stringify({ source: source, base: base, savedAt: Date.now() }));
      } catch (e) { /* storage full or disabled: the edit stays in the editor */ }
    },
    remove: function (id) {
      try { window.localStorage.removeItem(this.key(id)); } catch (e) { /* ignore */ }
    }
  };

  // ---------------------------------------------------------------- the global banner

  var banner = {
    root: null, snapshot: null, connection: null, notice: null,
    ensure: function () {
      if (this.root) return;
      var root = document.getElementById("live-banner");
      if (!root) {
        root = element("div");
        root.id = "live-banner";
        document.body.appendChild(root);
      }
      root.setAttribute("role", "status");
      root.setAttribute("aria-live", "polite");
      this.snapshot = element("span", "live-snapshot");
      this.snapshot.hidden = true;
      this.connection = element("span", "live-connection");
      this.connection.hidden = true;
      this.notice = element("span", "live-notice");
      this.notice.hidden = true;
      root.appendChild(this.snapshot);
      root.appendChild(this.connection);
      root.appendChild(this.notice);
      this.root = root;
    },
    setSnapshot: function (state) {
      this.ensure();
      page.snapshot = state;
      if (!state) { this.snapshot.hidden = true; return; }
      this.snapshot.hidden = false;
      this.snapshot.textContent = SNAPSHOT_LABELS[state] || state;
      this.snapshot.className = "live-snapshot snapshot-" + state;
      this.snapshot.title = "The chapter program's state: " + state;
      this.root.setAttribute("data-snapshot", state);
    },
    setConnection: function (text) {
      this.ensure();
      this.connection.textContent = text || "";
      this.connection.hidden = !text;
    },
    showFileChanged: function () {
      this.ensure();
      var notice = this.notice;
      notice.textContent = "";
      notice.appendChild(element("span", "live-notice-text", "The chapter file changed on disk."));
      notice.appendChild(button("reload", "Reload from disk",
        "Take the file's cells; cells with unsaved edits keep them (Revert takes the file's version)",
        reloadFromDisk));
      notice.appendChild(button("dismiss", "×", "Hide this notice (nothing is reloaded)",
        function () { banner.hideNotice(); }));
      notice.hidden = false;
      this.root.classList.add("file-changed");
    },
    hideNotice: function () {
      if (!this.root) return;
      this.notice.hidden = true;
      this.notice.textContent = "";
      this.root.classList.remove("file-changed");
    }
  };

  // ---------------------------------------------------------------- one cell

  function LiveCell(section, state) {
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

  LiveCell.prototype.build = function (state) {
    var self = this;
    var section = this.section;
    section.setAttribute("data-cell-id", this.id);
    section.setAttribute("data-kind", this.kind);

    var host = element("div", "cell-editor");
    var pre = section.querySelector("pre.source");
    if (pre) pre.parentNode.replaceChild(host, pre);
    else this.header.parentNode.insertBefore(host, this.header.nextSibling);

    var keys = {};
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
      var loose = section.querySelectorAll(":scope > .output");
      for (var i = 0; i < loose.length; i++) this.outputs.appendChild(loose[i]);
      section.appendChild(this.outputs);
    }
    this.message = element("div", "cell-message");
    this.message.hidden = true;
    this.message.setAttribute("role", "alert");
    host.parentNode.insertBefore(this.message, host.nextSibling);

    this.live = element("div", "cell-live");
    this.progress = element("pre", "cell-progress");
    this.figure = element("div", "live-figure");
    this.live.appendChild(this.progress);
    this.live.appendChild(this.figure);
    this.live.hidden = true;
    this.outputs.parentNode.insertBefore(this.live, this.outputs.nextSibling);

    if (!this.editable) return;
    var bar = element("div", "cell-toolbar");
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
  };

  LiveCell.prototype.isDirty = function () {
    return this.editable && this.editor.getValue() !== this.saved;
  };

  /// After every edit: remember the draft (or forget it when back to the saved source).
  LiveCell.prototype.edited = function () {
    if (this.isDirty()) {
      drafts.set(this.id, this.editor.getValue(), this.base != null ? this.base : this.saved);
    } else {
      drafts.remove(this.id);
      this.base = null;
      this.restored = false;
    }
    this.updateModified();
  };

  LiveCell.prototype.updateModified = function () {
    if (!this.editable) return;
    var dirty = this.isDirty();
    this.section.classList.toggle("modified", dirty);
    this.modified.hidden = !dirty;
    this.modified.textContent = dirty ? (this.restored ? "modified (unsaved, restored)" : "modified") : "";
    this.modified.title = dirty ? "This cell differs from the chapter file; Ctrl-S saves it" : "";
    this.saveButton.disabled = !dirty;
    this.revertButton.disabled = !dirty;
  };

  /// On load: bring back an unsaved edit kept in localStorage.
  LiveCell.prototype.restoreDraft = function () {
    if (!this.editable) return;
    var draft = drafts.get(this.id);
    if (!draft) return;
    if (draft.source === this.saved) { drafts.remove(this.id); return; }
    this.restored = true;
    this.base = typeof draft.base === "string" ? draft.base : this.saved;
    this.editor.setValue(draft.source);
    this.editor.clearHistory();
    if (this.base !== this.saved) {
      this.showMessage("info", "Restored an unsaved edit made before this cell changed in the file; " +
        "Save writes your edit over it, Revert takes the file's version.");
    }
    this.updateModified();
  };

  LiveCell.prototype.setLine = function (line) {
    if (typeof line !== "number" || line === this.line) return;
    this.line = line;
    this.section.setAttribute("data-line", String(line));
    this.editor.setOption("firstLineNumber", line);
    var label = this.header.querySelector(".cell-line");
    if (label) label.textContent = page.path + ":" + line;
  };

  LiveCell.prototype.headerSpan = function (className, before) {
    var span = this.header.querySelector("." + className);
    if (!span) {
      span = element("span", className);
      var anchor = before ? this.header.querySelector("." + before) : null;
      if (anchor) {
        this.header.insertBefore(span, anchor);
        this.header.insertBefore(document.createTextNode(" "), anchor);
      } else {
        this.header.appendChild(document.createTextNode(" "));
        this.header.appendChild(span);
      }
    }
    return span;
  };

  LiveCell.prototype.setTime = function (text) {
    this.headerSpan("cell-time", "cell-status").textContent = text;
  };

  LiveCell.prototype.setStatus = function (status, seconds, note, startedAt) {
    var classes = Array.prototype.slice.call(this.section.classList);
    for (var i = 0; i < classes.length; i++) {
      if (classes[i].indexOf("status-") === 0) this.section.classList.remove(classes[i]);
    }
    this.section.classList.add("status-" + status);
    this.section.setAttribute("data-status", status);
    this.status = status;
    var label = this.headerSpan("cell-status");
    label.textContent = STATUS_LABELS[status] || status;
    label.title = note || "";
    if (status === "running") {
      this.startTicker(startedAt);
    } else {
      this.stopTicker();
      if (seconds != null) this.setTime(formatSeconds(seconds));
    }
    if (this.editable) {
      var busy = !!BUSY[status];
      this.runButton.disabled = busy;
      this.stopButton.hidden = !busy;
    }
  };

  /// `startedAt` (Unix seconds, the server's: the same machine's clock) keeps a page loaded
  /// mid-run counting from the run's start, not from the load.
  LiveCell.prototype.startTicker = function (startedAt) {
    if (this.timer) return;
    var self = this;
    this.startedAt = startedAt != null ? Math.min(startedAt * 1000, Date.now()) : Date.now();
    var tick = function () {
      var text = formatElapsed((Date.now() - self.startedAt) / 1000);
      self.setTime(text);
      if (self.elapsed) self.elapsed.textContent = "running for " + text;
    };
    tick();
    this.timer = window.setInterval(tick, 100);
  };

  LiveCell.prototype.stopTicker = function () {
    if (this.timer) window.clearInterval(this.timer);
    this.timer = null;
    if (this.elapsed) this.elapsed.textContent = "";
  };

  LiveCell.prototype.setOutputs = function (html) {
    if (typeof html === "string") this.outputs.innerHTML = html;
  };

  LiveCell.prototype.clearLive = function () {
    this.progress.textContent = "";
    this.figure.textContent = "";
    this.live.hidden = true;
  };

  LiveCell.prototype.showProgress = function (line) {
    this.progress.textContent = line == null ? "" : String(line);
    this.live.hidden = false;
  };

  LiveCell.prototype.showFigure = function (svg) {
    // The server's own SVG (as in the outputs): replaces the previous live figure.
    this.figure.innerHTML = svg || "";
    this.live.hidden = false;
  };

  /// A cell state from /api/chapter or a `cell` event.
  LiveCell.prototype.applyState = function (state) {
    this.setLine(state.line);
    this.setOutputs(state.html);
    this.setStatus(state.status, state.seconds, state.note, state.startedAt);
    if (!BUSY[state.status]) {
      this.clearLive();
    } else {
      // A page loaded (or reconnected) mid-run: what the events showed so far.
      if (state.progress != null) this.showProgress(state.progress);
      if (state.liveFigure != null) this.showFigure(state.liveFigure);
    }
  };

  LiveCell.prototype.applyAnswer = function (answer) {
    this.setOutputs(answer.html);
    this.setStatus(answer.status, answer.seconds);
    this.clearLive();
  };

  LiveCell.prototype.showMessage = function (kind, text, fadeAfter) {
    if (this.messageTimer) window.clearTimeout(this.messageTimer);
    this.messageTimer = null;
    this.message.className = "cell-message " + kind;
    this.message.textContent = text;
    this.message.hidden = false;
    if (fadeAfter) {
      var self = this;
      this.messageTimer = window.setTimeout(function () { self.clearMessage(); }, fadeAfter);
    }
  };

  LiveCell.prototype.clearMessage = function () {
    if (this.messageTimer) window.clearTimeout(this.messageTimer);
    this.messageTimer = null;
    this.message.hidden = true;
    this.message.textContent = "";
    this.message.className = "cell-message";
  };

  LiveCell.prototype.run = function () {
    if (!this.editable || BUSY[this.status]) return;
    var self = this;
    var source = this.editor.getValue();
    var previousStatus = this.status || "not-run";
    var previousTime = this.header.querySelector(".cell-time");
    previousTime = previousTime ? previousTime.textContent : "";
    var restore = function () {
      if (self.status !== "running") return; // an event told the real state meanwhile
      self.setStatus(previousStatus);
      self.setTime(previousTime);
    };
    this.clearMessage();
    this.clearLive();
    this.setStatus("running");
    api("POST", cellURL(this.id, "run"), { source: source }).then(function (answer) {
      if (answer.ok && answer.data.status) {
        self.applyAnswer(answer.data);
        return;
      }
      self.showMessage("error", "Not run: " + (answer.data.error || ("the server answered HTTP " + answer.status)));
      restore();
    }, function (error) {
      self.showMessage("error", "Not run: the server cannot be reached (" + errorText(error) + ")");
      restore();
    });
  };

  LiveCell.prototype.interrupt = function () {
    var self = this;
    api("POST", cellURL(this.id, "interrupt")).then(function (answer) {
      if (!answer.ok) {
        self.showMessage("error", "Could not stop the cell: " + (answer.data.error || "HTTP " + answer.status));
      } else if (answer.data.interrupted === false) {
        self.showMessage("info", "The cell was not running.", 4000);
      } else {
        self.showMessage("info", "Interrupted.", 4000);
      }
    }, function (error) {
      self.showMessage("error", "Could not stop the cell: the server cannot be reached (" + errorText(error) + ")");
    });
  };

  LiveCell.prototype.save = function () {
    if (!this.editable) return;
    var self = this;
    var source = this.editor.getValue();
    if (source === this.saved) {
      this.showMessage("info", "Nothing to save: the cell is as in the file.", 3000);
      return Promise.resolve(true);
    }
    this.saveButton.disabled = true;
    page.savesInFlight += 1;
    var saved = false;
    return api("PUT", cellURL(this.id), { source: source, version: page.version }).then(function (answer) {
      if (answer.ok) {
        if (answer.data.version) page.version = answer.data.version;
        self.saved = source;
        self.base = null;
        self.restored = false;
        drafts.remove(self.id);
        self.edited(); // the editor may have changed while saving
        saved = true;
        self.showMessage("info", "Saved to " + (page.path || "the chapter") + ".", 2500);
      } else if (answer.status === 409) {
        if (answer.data.version) page.diskVersion = answer.data.version;
        self.showMessage("error", "Not saved: the file changed on disk; your edit is kept here — reload or copy it." +
          (answer.data.error ? " (" + answer.data.error + ")" : ""));
        banner.showFileChanged();
      } else if (answer.status === 422) {
        self.showMessage("error", "Not saved: " + (answer.data.error || "this edit cannot be saved into the chapter") +
          ". Your edit is kept here.");
      } else {
        self.showMessage("error", "Not saved: " + (answer.data.error || "the server answered HTTP " + answer.status) +
          ". Your edit is kept here.");
      }
    }, function (error) {
      self.showMessage("error", "Not saved: the server cannot be reached (" + errorText(error) + "). Your edit is kept here.");
    }).then(function () {
      page.savesInFlight -= 1;
      self.updateModified();
      checkDiskVersion();
      return saved;
    });
  };

  LiveCell.prototype.revert = function () {
    if (!this.editable) return;
    this.base = null;
    this.restored = false;
    if (this.editor.getValue() !== this.saved) this.editor.setValue(this.saved);
    drafts.remove(this.id);
    this.clearMessage();
    this.updateModified();
  };

  /// "Reload from disk": the file's source replaces a clean editor; an edited one keeps the edit.
  LiveCell.prototype.reloadFrom = function (state) {
    var changed = state.source !== this.saved;
    if (this.editable) {
      var dirty = this.isDirty();
      this.saved = state.source;
      if (!dirty) {
        if (this.editor.getValue() !== state.source) this.editor.setValue(state.source);
      } else if (this.editor.getValue() === state.source) {
        drafts.remove(this.id);
      } else if (changed) {
        this.base = null;
        drafts.set(this.id, this.editor.getValue(), state.source);
        this.showMessage("info", "This cell changed on disk; your unsaved edit is kept here " +
          "(Save writes it over the file's version, Revert takes the file's version).");
      }
      this.updateModified();
    } else {
      this.saved = state.source;
      if (this.editor.getValue() !== state.source) this.editor.setValue(state.source);
    }
    this.applyState(state);
  };

  LiveCell.prototype.focusNext = function () {
    var index = page.order.indexOf(this);
    for (var i = index + 1; i < page.order.length; i++) {
      var next = page.order[i];
      if (next.editable) {
        next.editor.focus();
        next.editor.setCursor({ line: 0, ch: 0 });
        next.section.scrollIntoView({ block: "nearest" });
        return;
      }
    }
  };

  // ---------------------------------------------------------------- the page

  function checkDiskVersion() {
    if (page.savesInFlight > 0 || !page.diskVersion) return;
    if (page.diskVersion === page.version) { page.diskVersion = null; return; }
    banner.showFileChanged();
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
      var chapter = answer.data;
      var now = chapter.cells.map(function (c) { return c.id; }).join("\n");
      var shown = page.order.map(function (c) { return c.id; }).join("\n");
      if (now !== shown) {
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

  /// After the event stream reconnects: statuses and outputs may have changed meanwhile.
  function resync() {
    api("GET", "/api/chapter").then(function (answer) {
      if (!answer.ok) return;
      var chapter = answer.data;
      banner.setSnapshot(chapter.snapshot);
      chapter.cells.forEach(function (state) {
        var cell = page.cells.get(state.id);
        if (cell) cell.applyState(state);
      });
      fileChanged(chapter.version);
    }, function () { /* the stream's error handler reports it */ });
  }

  function connectEvents() {
    if (typeof window.EventSource !== "function") return;
    var source = new window.EventSource("/api/events", { withCredentials: true });
    page.events = source;
    var on = function (name, handler) {
      source.addEventListener(name, function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        try { handler(data || {}); } catch (e) { if (window.console) console.error("event " + name + ":", e); }
      });
    };
    var cellOf = function (data) { return data && page.cells.get(data.id); };
    source.addEventListener("open", function () {
      if (!page.disconnected) return;
      page.disconnected = false;
      banner.setConnection(null);
      resync();
    });
    source.addEventListener("error", function () {
      page.disconnected = true;
      banner.setConnection(source.readyState === 2
        ? "Disconnected from the server: reload the page once it runs again."
        : "Connection to the server lost; reconnecting…");
    });
    on("cell", function (data) { var cell = cellOf(data); if (cell) cell.applyState(data); });
    on("progress", function (data) { var cell = cellOf(data); if (cell) cell.showProgress(data.line); });
    on("figure", function (data) { var cell = cellOf(data); if (cell) cell.showFigure(data.svg); });
    on("snapshot", function (data) { banner.setSnapshot(data.snapshot); });
    on("file-changed", function (data) { fileChanged(data.version); });
  }

  /// Ctrl-S / Cmd-S outside an editor saves every edited cell, one after the other (each save
  /// needs the version the previous one made); it stops at the first refusal.
  function saveAll() {
    var edited = page.order.filter(function (cell) { return cell.isDirty(); });
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
    renderMath(document.body);
    banner.ensure();
    if (typeof window.CodeMirror !== "function") {
      banner.setConnection("The editor (CodeMirror) did not load: the page is read-only.");
      return;
    }
    api("GET", "/api/chapter").then(function (answer) {
      if (!answer.ok) throw new Error(answer.data.error || "HTTP " + answer.status);
      var chapter = answer.data;
      page.version = chapter.version;
      page.path = chapter.path || "";
      banner.setSnapshot(chapter.snapshot);
      var sections = new Map();
      var nodes = document.querySelectorAll("section.cell");
      for (var i = 0; i < nodes.length; i++) {
        sections.set(nodes[i].getAttribute("data-cell-id") || nodes[i].id, nodes[i]);
      }
      (chapter.cells || []).forEach(function (state) {
        var section = sections.get(state.id);
        if (!section) return;
        var cell = new LiveCell(section, state);
        page.cells.set(state.id, cell);
        page.order.push(cell);
      });
      page.order.forEach(function (cell) { cell.restoreDraft(); });
      page.loaded = true;
      document.body.classList.add("live-ready");
      connectEvents();
    }).catch(function (error) {
      banner.setConnection("Could not load the chapter's live state (" + errorText(error) + "): the page is read-only.");
      if (window.console) console.error(error);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
"""#

    static let style = #"""
:root { --live-amber: #d97706; --live-blue: #2563eb; --live-red: #dc2626; --live-green: #166534; }
[hidden] { display: none !important; }

/* Editors */
.cell-editor { border-bottom: 1px solid var(--rule, #e3e6ec); }
.cell .CodeMirror {
  height: auto; background: var(--code-bg, #f6f8fa); color: var(--ink, #1d2433);
  font: 13.5px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
.cell .CodeMirror-gutters { background: #eef0f4; border-right: 1px solid var(--rule, #e3e6ec); }
.cell .CodeMirror-linenumber { color: #98a1b0; padding: 0 6px 0 4px; }
.cell .CodeMirror-focused { box-shadow: inset 0 0 0 1px var(--live-blue); }
.cell[data-kind="listing"] .CodeMirror-cursor { display: none; }
.cell .CodeMirror .cm-keyword { color: #a626a4; }
.cell .CodeMirror .cm-def, .cell .CodeMirror .cm-variable-2 { color: #1d4ed8; }
.cell .CodeMirror .cm-type, .cell .CodeMirror .cm-builtin { color: #0e7490; }
.cell .CodeMirror .cm-string { color: #50a14f; }
.cell .CodeMirror .cm-number { color: #b76b01; }
.cell .CodeMirror .cm-comment { color: #7c8594; font-style: italic; }
.cell .CodeMirror .cm-attribute, .cell .CodeMirror .cm-meta { color: #c2410c; }
.cell .CodeMirror-matchingbracket { color: inherit !important; background: #d1fae5; outline: 1px solid #34d399; }
.cell .CodeMirror-nonmatchingbracket { color: inherit !important; background: #fee2e2; }

/* Toolbar */
.cell-toolbar {
  display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; padding: 0.25rem 0.75rem;
  font-size: 0.8rem; background: #fafbfc; border-bottom: 1px solid var(--rule, #e3e6ec);
}
.cell-toolbar button {
  font: inherit; line-height: 1.4; padding: 0.1rem 0.65rem; cursor: pointer; border-radius: 4px;
  border: 1px solid #c9ced8; background: #fff; color: var(--ink, #1d2433);
}
.cell-toolbar button:hover:not(:disabled) { border-color: var(--live-blue); background: #eef2ff; }
.cell-toolbar button:focus-visible { outline: 2px solid var(--live-blue); outline-offset: 1px; }
.cell-toolbar button:disabled { opacity: 0.45; cursor: default; }
.cell-toolbar button.run { color: #fff; background: var(--live-blue); border-color: var(--live-blue); }
.cell-toolbar button.run:hover:not(:disabled) { background: #1d4ed8; }
.cell-toolbar button.stop { color: #fff; background: var(--live-red); border-color: var(--live-red); }
.cell-toolbar button.stop:hover { background: #b91c1c; }
.cell-modified { color: var(--live-amber); font-weight: 600; }
.cell-elapsed { margin-left: auto; color: var(--muted, #5b6475); font-variant-numeric: tabular-nums; }
.cell-time { font-variant-numeric: tabular-nums; }

/* Messages, progress and the live figure */
.cell-message { padding: 0.4rem 1rem; font-size: 0.85rem; border-bottom: 1px solid var(--rule, #e3e6ec); white-space: pre-wrap; }
.cell-message.error { color: #991b1b; background: #fef2f2; }
.cell-message.info { color: #1e3a8a; background: #eff6ff; }
.cell-live { border-top: 1px dashed var(--rule, #e3e6ec); }
.cell-progress { margin: 0; padding: 0.4rem 1rem; color: var(--muted, #5b6475); background: #fbfbfd; }
.cell-progress:empty { display: none; }
.live-figure { padding: 0.5rem; text-align: center; }
.live-figure:empty { display: none; }
.live-figure svg { max-width: 100%; height: auto; }

/* Statuses (live names; the static page's status-ok etc. are replaced on load) */
.cell { transition: border-color 0.2s; }
.cell.modified { border-color: #f2c48d; }
.cell.status-running { border-color: var(--live-blue); border-left: 4px solid var(--live-blue); }
.cell.status-running .cell-status { color: var(--live-blue); font-weight: 600; }
.cell.status-running .cell-status::before {
  content: ""; display: inline-block; width: 0.55em; height: 0.55em; margin-right: 0.35em; border-radius: 50%;
  background: var(--live-blue); animation: live-pulse 1s ease-in-out infinite;
}
.cell.status-running .outputs { opacity: 0.55; }
.cell.status-queued { border-left: 4px solid #93c5fd; }
.cell.status-queued .cell-status { color: var(--live-blue); }
.cell.status-ran .cell-status { color: var(--live-green); }
.cell.status-failed { border-color: var(--live-red); border-left: 4px solid var(--live-red); }
.cell.status-failed .cell-status { color: var(--live-red); font-weight: 600; }
.cell.status-stale { border-left: 4px solid var(--live-amber); }
.cell.status-stale .cell-status { color: var(--live-amber); font-weight: 600; }
.cell.status-stale .outputs { opacity: 0.45; filter: grayscale(0.6); }
.cell.status-not-run .outputs, .cell.status-skipped .outputs { opacity: 0.65; }
.cell.status-not-run .cell-status, .cell.status-skipped .cell-status { font-style: italic; }
@keyframes live-pulse { 0%, 100% { opacity: 1; } 50% { opacity: 0.25; } }

/* The page's banner */
#live-banner {
  position: fixed; top: 0.75rem; right: 0.75rem; z-index: 20; max-width: calc(100vw - 1.5rem);
  display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; font-size: 0.8rem;
}
#live-banner > span:not([hidden]) {
  display: inline-flex; gap: 0.4rem; align-items: center; padding: 0.25rem 0.75rem; border-radius: 999px;
  background: #fff; border: 1px solid var(--rule, #e3e6ec); box-shadow: 0 2px 8px rgba(15, 23, 42, 0.08);
}
#live-banner .live-snapshot.snapshot-ready { color: var(--live-green); }
#live-banner .live-snapshot.snapshot-starting,
#live-banner .live-snapshot.snapshot-compiling,
#live-banner .live-snapshot.snapshot-training { color: var(--live-blue); }
#live-banner .live-snapshot.snapshot-failed { color: var(--live-red); font-weight: 600; }
#live-banner .live-snapshot.snapshot-stopped { color: var(--muted, #5b6475); }
#live-banner .live-connection { color: #991b1b; background: #fef2f2 !important; }
#live-banner .live-notice { color: #78350f; background: #fffbeb !important; border-color: #fcd34d !important; }
#live-banner button {
  font: inherit; padding: 0.05rem 0.6rem; cursor: pointer; border-radius: 4px;
  border: 1px solid #d97706; background: #fff; color: #78350f;
}
#live-banner button.reload { background: var(--live-amber); color: #fff; }
#live-banner button.dismiss { border-color: transparent; background: transparent; padding: 0 0.3rem; }
@media print { #live-banner, .cell-toolbar, .cell-message { display: none !important; } }
"""#
}
