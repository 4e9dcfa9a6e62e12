// The words and times the page shows for a cell's status and the chapter program's state.

const STATUS_LABELS = {
  "not-run": "not run", queued: "queued", running: "running", ran: "ran",
  failed: "failed", "failed-as-expected": "failed as expected", stale: "stale: re-run", skipped: "skipped"
};
const SNAPSHOT_LABELS = {
  starting: "starting…", compiling: "compiling…", training: "training…", ready: "ready",
  failed: "failed: a main cell failed", stopped: "stopped"
};

// A cell status as the header shows it (an unknown one as it is).
export function statusLabel(status) { return STATUS_LABELS[status] || status; }

// The chapter program's state as the banner shows it.
export function snapshotLabel(state) { return SNAPSHOT_LABELS[state] || state; }

// Whether a cell with this status is waiting for or doing a run: it cannot be run again, and
// can be stopped.
export function isBusy(status) { return status === "running" || status === "queued"; }

// A finished run's duration, as the static page writes it ("0.25 s"); "" if unknown.
export function formatSeconds(seconds) {
  if (seconds == null || !isFinite(seconds)) return "";
  if (seconds < 60) return seconds.toFixed(2) + " s";
  const minutes = Math.floor(seconds / 60);
  return minutes + " min " + Math.round(seconds - 60 * minutes) + " s";
}

// A running cell's time so far, updated ten times a second ("12.3 s", then "1:05 min").
export function formatElapsed(seconds) {
  if (seconds < 60) return seconds.toFixed(1) + " s";
  const minutes = Math.floor(seconds / 60);
  const rest = Math.floor(seconds - 60 * minutes);
  return minutes + ":" + (rest < 10 ? "0" : "") + rest + " min";
}

// The toolbar's marker for an edited cell; "" when it is as in the file.
export function modifiedLabel(dirty, restored) {
  return dirty ? (restored ? "modified (unsaved, restored)" : "modified") : "";
}
