// A cell's live area: the latest progress line and the figure the run is drawing, shown below
// its outputs while it runs. The elements are passed in, so the logic runs in node's unit tests.
import { isBusy } from "./labels.mjs";

export class LiveArea {
  // `container` holds `progress` (a <pre>) and `figure` (a <div>); it is hidden when empty.
  constructor(container, progress, figure) {
    this.container = container;
    this.progress = progress;
    this.figure = figure;
  }

  clear() {
    this.progress.textContent = "";
    this.figure.textContent = "";
    this.container.hidden = true;
  }

  showProgress(line) {
    this.progress.textContent = line == null ? "" : String(line);
    this.container.hidden = false;
  }

  // The server's own SVG (as in the outputs): it replaces the previous live figure.
  showFigure(svg) {
    this.figure.innerHTML = svg || "";
    this.container.hidden = false;
  }

  // A cell state from /api/chapter or a `cell` event: an idle cell's area is cleared; a page
  // loaded (or reconnected) mid-run shows what the events showed so far.
  follow(state) {
    if (!isBusy(state.status)) {
      this.clear();
      return;
    }
    if (state.progress != null) this.showProgress(state.progress);
    if (state.liveFigure != null) this.showFigure(state.liveFigure);
  }
}
