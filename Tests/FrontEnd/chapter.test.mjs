import { test } from "node:test";
import assert from "node:assert/strict";
import { diskVersionVerdict, sameCells } from "../../Sources/NotebookServer/Resources/live/chapter.mjs";

test("news of the file on disk waits for the page's saves, then tells its own save from another writer's", () => {
  assert.equal(diskVersionVerdict({ version: "v1", diskVersion: null, savesInFlight: 0 }), "none");
  assert.equal(diskVersionVerdict({ version: "v1", diskVersion: null, savesInFlight: 1 }), "none");
  assert.equal(diskVersionVerdict({ version: "v1", diskVersion: "v2", savesInFlight: 1 }), "wait");
  assert.equal(diskVersionVerdict({ version: "v2", diskVersion: "v2", savesInFlight: 0 }), "own save");
  assert.equal(diskVersionVerdict({ version: "v1", diskVersion: "v2", savesInFlight: 0 }), "changed");
});

test("the page is rebuilt only when the cells' ids or order differ", () => {
  const cells = (...ids) => ids.map((id) => ({ id }));
  assert.equal(sameCells(cells("a", "b"), cells("a", "b")), true);
  assert.equal(sameCells(cells("a", "b"), cells("b", "a")), false);
  assert.equal(sameCells(cells("a", "b", "c"), cells("a", "b")), false);
  assert.equal(sameCells(cells("a", "renamed"), cells("a", "b")), false);
  assert.equal(sameCells([], []), true);
});
