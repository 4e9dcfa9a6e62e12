// What a cell says about the server's answers to its run, stop and save requests. Each
// function returns the message to show ({kind: "info" | "error", text, fadeAfter?}) and, for a
// save, what the page learns from it.
import { errorText } from "./api.mjs";

// A run the server refused (a run it accepted is applied, not reported).
export function runRefused(answer) {
  return { kind: "error", text: "Not run: " + (answer.data.error || ("the server answered HTTP " + answer.status)) };
}

export function runUnreachable(error) {
  return { kind: "error", text: "Not run: the server cannot be reached (" + errorText(error) + ")" };
}

// Whether a run's answer carries the cell's new state (else it is a refusal).
export function runAccepted(answer) {
  return !!(answer.ok && answer.data.status);
}

export function interruptAnswered(answer) {
  if (!answer.ok) {
    return { kind: "error", text: "Could not stop the cell: " + (answer.data.error || "HTTP " + answer.status) };
  }
  if (answer.data.interrupted === false) return { kind: "info", text: "The cell was not running.", fadeAfter: 4000 };
  return { kind: "info", text: "Interrupted.", fadeAfter: 4000 };
}

export function interruptUnreachable(error) {
  return { kind: "error", text: "Could not stop the cell: the server cannot be reached (" + errorText(error) + ")" };
}

// A save's answer for the chapter at `path`: `saved`; the chapter's new `version` after a save;
// after a conflict (409) the `diskVersion` the server reports and `fileChanged` (the banner
// offers to reload); and the `message`. A refused save always says the edit is kept.
export function saveAnswered(answer, path) {
  const data = answer.data;
  if (answer.ok) {
    return { saved: true, version: data.version || null, diskVersion: null, fileChanged: false,
             message: { kind: "info", text: "Saved to " + (path || "the chapter") + ".", fadeAfter: 2500 } };
  }
  const refused = { saved: false, version: null, diskVersion: null, fileChanged: false };
  if (answer.status === 409) {
    return Object.assign(refused, {
      diskVersion: data.version || null, fileChanged: true,
      message: { kind: "error", text: "Not saved: the file changed on disk; your edit is kept here — reload or copy it." +
        (data.error ? " (" + data.error + ")" : "") }
    });
  }
  if (answer.status === 422) {
    return Object.assign(refused, {
      message: { kind: "error", text: "Not saved: " + (data.error || "this edit cannot be saved into the chapter") +
        ". Your edit is kept here." }
    });
  }
  return Object.assign(refused, {
    message: { kind: "error", text: "Not saved: " + (data.error || "the server answered HTTP " + answer.status) +
      ". Your edit is kept here." }
  });
}

export function saveUnreachable(error) {
  return { kind: "error", text: "Not saved: the server cannot be reached (" + errorText(error) + "). Your edit is kept here." };
}
