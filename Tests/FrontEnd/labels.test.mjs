import { test } from "node:test";
import assert from "node:assert/strict";
import { formatElapsed, formatSeconds, isBusy, modifiedLabel, snapshotLabel, statusLabel }
  from "../../Sources/NotebookServer/Resources/live/labels.mjs";

test("statuses read as the header shows them; unknown ones as they are", () => {
  assert.equal(statusLabel("not-run"), "not run");
  assert.equal(statusLabel("stale"), "stale: re-run");
  assert.equal(statusLabel("ran"), "ran");
  assert.equal(statusLabel("failed-as-expected"), "failed as expected");
  assert.equal(statusLabel("brand-new"), "brand-new");
});

test("the chapter program's states read as the banner shows them", () => {
  assert.equal(snapshotLabel("compiling"), "compiling…");
  assert.equal(snapshotLabel("failed"), "failed: a main cell failed");
  assert.equal(snapshotLabel("paused"), "paused");
});

test("only queued and running cells are busy", () => {
  assert.equal(isBusy("running"), true);
  assert.equal(isBusy("queued"), true);
  for (const status of ["ran", "failed", "failed-as-expected", "stale", "not-run", "skipped", undefined, null]) {
    assert.equal(isBusy(status), false, String(status));
  }
});

test("a finished run's time is written as the static page writes it", () => {
  assert.equal(formatSeconds(0.25), "0.25 s");
  assert.equal(formatSeconds(59.994), "59.99 s");
  assert.equal(formatSeconds(125.4), "2 min 5 s");
  assert.equal(formatSeconds(null), "");
  assert.equal(formatSeconds(undefined), "");
  assert.equal(formatSeconds(Infinity), "");
});

test("a running cell's time counts tenths, then minutes", () => {
  assert.equal(formatElapsed(0), "0.0 s");
  assert.equal(formatElapsed(12.34), "12.3 s");
  assert.equal(formatElapsed(65.9), "1:05 min");
  assert.equal(formatElapsed(95), "1:35 min");
  assert.equal(formatElapsed(600), "10:00 min");
});

test("the modified marker says whether the edit was restored", () => {
  assert.equal(modifiedLabel(false, false), "");
  assert.equal(modifiedLabel(false, true), "");
  assert.equal(modifiedLabel(true, false), "modified");
  assert.equal(modifiedLabel(true, true), "modified (unsaved, restored)");
});
