import { test } from "node:test";
import assert from "node:assert/strict";
import { interruptAnswered, interruptUnreachable, runAccepted, runRefused, runUnreachable, saveAnswered, saveUnreachable }
  from "../../Sources/NotebookServer/Resources/live/answers.mjs";

const answer = (status, data) => ({ status, ok: status >= 200 && status < 300, data });

test("a run is accepted only with the cell's new status", () => {
  assert.equal(runAccepted(answer(200, { status: "ran", html: "" })), true);
  assert.equal(runAccepted(answer(200, {})), false);
  assert.equal(runAccepted(answer(503, { status: "ran" })), false);
});

test("a refused or unreachable run says why", () => {
  assert.deepEqual(runRefused(answer(503, { error: "the snapshot is not ready" })),
                   { kind: "error", text: "Not run: the snapshot is not ready" });
  assert.deepEqual(runRefused(answer(500, {})), { kind: "error", text: "Not run: the server answered HTTP 500" });
  assert.equal(runUnreachable(new TypeError("Failed to fetch")).text, "Not run: the server cannot be reached (Failed to fetch)");
});

test("stopping a cell reports whether it was running", () => {
  assert.deepEqual(interruptAnswered(answer(200, { interrupted: true })), { kind: "info", text: "Interrupted.", fadeAfter: 4000 });
  assert.deepEqual(interruptAnswered(answer(200, { interrupted: false })),
                   { kind: "info", text: "The cell was not running.", fadeAfter: 4000 });
  assert.deepEqual(interruptAnswered(answer(404, {})), { kind: "error", text: "Could not stop the cell: HTTP 404" });
  assert.equal(interruptUnreachable("down").text, "Could not stop the cell: the server cannot be reached (down)");
});

test("a save takes the new version and names the file", () => {
  assert.deepEqual(saveAnswered(answer(200, { version: "v2" }), "Chapters/mock.md"), {
    saved: true, version: "v2", diskVersion: null, fileChanged: false,
    message: { kind: "info", text: "Saved to Chapters/mock.md.", fadeAfter: 2500 }
  });
  assert.equal(saveAnswered(answer(200, {}), "").message.text, "Saved to the chapter.");
});

test("a conflicting save reports the file's version and offers to reload", () => {
  const outcome = saveAnswered(answer(409, { error: "stale version", version: "v-disk" }), "c.md");
  assert.equal(outcome.saved, false);
  assert.equal(outcome.version, null);
  assert.equal(outcome.diskVersion, "v-disk");
  assert.equal(outcome.fileChanged, true);
  assert.equal(outcome.message.text,
               "Not saved: the file changed on disk; your edit is kept here — reload or copy it. (stale version)");
});

test("other refusals keep the edit and say so", () => {
  const unsavable = saveAnswered(answer(422, { error: "the edit would close the fence" }), "c.md");
  assert.deepEqual([unsavable.saved, unsavable.fileChanged], [false, false]);
  assert.equal(unsavable.message.text, "Not saved: the edit would close the fence. Your edit is kept here.");
  assert.equal(saveAnswered(answer(422, {}), "c.md").message.text,
               "Not saved: this edit cannot be saved into the chapter. Your edit is kept here.");
  assert.equal(saveAnswered(answer(500, {}), "c.md").message.text,
               "Not saved: the server answered HTTP 500. Your edit is kept here.");
  assert.equal(saveUnreachable(new Error("offline")).text,
               "Not saved: the server cannot be reached (offline). Your edit is kept here.");
});
