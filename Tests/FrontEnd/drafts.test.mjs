import { test } from "node:test";
import assert from "node:assert/strict";
import { DraftStore, draftToRestore } from "../../Sources/NotebookServer/Resources/live/drafts.mjs";

/// localStorage's interface over a Map.
function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, String(value)); },
    removeItem: (key) => { items.delete(key); }
  };
}

test("drafts are keyed by chapter path and cell id, with the source they were made from", () => {
  const storage = memoryStorage();
  let path = "Chapters/a.md";
  const drafts = new DraftStore(() => storage, () => path, () => 1234);
  drafts.set("setup", "let x = 2", "let x = 1");
  assert.deepEqual([...storage.items.keys()], ["d2l-live:Chapters/a.md:setup"]);
  assert.deepEqual(drafts.get("setup"), { source: "let x = 2", base: "let x = 1", savedAt: 1234 });
  path = "Chapters/b.md";
  assert.equal(drafts.get("setup"), null, "another chapter's cell of the same id has no draft");
  path = "Chapters/a.md";
  drafts.remove("setup");
  assert.equal(drafts.get("setup"), null);
  assert.equal(storage.items.size, 0);
});

test("what is not a draft of ours reads as none", () => {
  const storage = memoryStorage();
  const drafts = new DraftStore(() => storage, () => "c.md");
  storage.setItem("d2l-live:c.md:broken", "{not json");
  storage.setItem("d2l-live:c.md:other", JSON.stringify({ text: "x" }));
  assert.equal(drafts.get("broken"), null);
  assert.equal(drafts.get("other"), null);
  assert.equal(drafts.get("missing"), null);
});

test("disabled or full storage never throws: the edit stays in the editor", () => {
  const failing = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("quota"); },
                    removeItem() { throw new Error("denied"); } };
  const drafts = new DraftStore(() => failing, () => "c.md");
  assert.doesNotThrow(() => drafts.set("a", "x", "y"));
  assert.doesNotThrow(() => drafts.remove("a"));
  assert.equal(drafts.get("a"), null);
  const unreadable = new DraftStore(() => { throw new Error("SecurityError"); }, () => "c.md");
  assert.equal(unreadable.get("a"), null);
  assert.doesNotThrow(() => unreadable.set("a", "x", "y"));
});

test("a draft equal to the file is discarded; another is restored, saying if the file moved on", () => {
  assert.deepEqual(draftToRestore(null, "a"), { action: "none" });
  assert.deepEqual(draftToRestore({ source: "a", base: "old" }, "a"), { action: "discard" });
  assert.deepEqual(draftToRestore({ source: "edit", base: "a" }, "a"),
                   { action: "restore", source: "edit", base: "a", changedInFile: false });
  assert.deepEqual(draftToRestore({ source: "edit", base: "older" }, "a"),
                   { action: "restore", source: "edit", base: "older", changedInFile: true });
  // A draft without its base (an older page's) counts as made from the file's source.
  assert.deepEqual(draftToRestore({ source: "edit" }, "a"),
                   { action: "restore", source: "edit", base: "a", changedInFile: false });
});
