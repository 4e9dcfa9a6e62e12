// The page's banner (#live-banner, top right): the chapter program's state, the connection's
// trouble, and the notice that the chapter file changed on disk.
import { element, button } from "./dom.mjs";
import { snapshotLabel } from "./labels.mjs";

export class Banner {
  // `page` is the page's state (its `snapshot` is kept there); `reloadFromDisk` is what the
  // notice's button does.
  constructor(page, reloadFromDisk) {
    this.page = page;
    this.reloadFromDisk = reloadFromDisk;
    this.root = null;
    this.snapshot = null;
    this.connection = null;
    this.notice = null;
  }

  // Takes the page's #live-banner (or adds one) on first use.
  ensure() {
    if (this.root) return;
    let root = document.getElementById("live-banner");
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
  }

  setSnapshot(state) {
    this.ensure();
    this.page.snapshot = state;
    if (!state) { this.snapshot.hidden = true; return; }
    this.snapshot.hidden = false;
    this.snapshot.textContent = snapshotLabel(state);
    this.snapshot.className = "live-snapshot snapshot-" + state;
    this.snapshot.title = "The chapter program's state: " + state;
    this.root.setAttribute("data-snapshot", state);
  }

  setConnection(text) {
    this.ensure();
    this.connection.textContent = text || "";
    this.connection.hidden = !text;
  }

  showFileChanged() {
    this.ensure();
    const notice = this.notice;
    const self = this;
    notice.textContent = "";
    notice.appendChild(element("span", "live-notice-text", "The chapter file changed on disk."));
    notice.appendChild(button("reload", "Reload from disk",
      "Take the file's cells; cells with unsaved edits keep them (Revert takes the file's version)",
      this.reloadFromDisk));
    notice.appendChild(button("dismiss", "×", "Hide this notice (nothing is reloaded)",
      function () { self.hideNotice(); }));
    notice.hidden = false;
    this.root.classList.add("file-changed");
  }

  hideNotice() {
    if (!this.root) return;
    this.notice.hidden = true;
    this.notice.textContent = "";
    this.root.classList.remove("file-changed");
  }
}
