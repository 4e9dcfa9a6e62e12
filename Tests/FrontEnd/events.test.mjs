import { test } from "node:test";
import assert from "node:assert/strict";
import { CLOSED, connectionLostText, dispatchEvents, pageEventHandlers, parseEventData }
  from "../../Sources/NotebookServer/Resources/live/events.mjs";

/// An EventSource's listener interface, with `emit` to deliver a server event.
class FakeSource {
  constructor() { this.listeners = {}; }
  addEventListener(name, handler) { (this.listeners[name] = this.listeners[name] || []).push(handler); }
  emit(name, text) { (this.listeners[name] || []).forEach((handler) => handler({ type: name, data: text })); }
}

test("event payloads are JSON; a JSON null reads as an empty object, anything else as nothing", () => {
  assert.deepEqual(parseEventData('{"id":"c1","status":"ran"}'), { id: "c1", status: "ran" });
  assert.deepEqual(parseEventData("null"), {});
  assert.equal(parseEventData("not json"), null);
  assert.equal(parseEventData(undefined), null);
});

test("the banner says whether the browser is still reconnecting", () => {
  assert.equal(connectionLostText(0), "Connection to the server lost; reconnecting…");
  assert.equal(connectionLostText(CLOSED), "Disconnected from the server: reload the page once it runs again.");
});

test("events reach their handlers; a broken payload is skipped and a failing handler logged", () => {
  const source = new FakeSource();
  const seen = [];
  const logged = [];
  dispatchEvents(source, {
    cell: (data) => seen.push(["cell", data]),
    snapshot: () => { throw new Error("bad snapshot"); }
  }, (...args) => logged.push(args));
  source.emit("cell", '{"id":"c1"}');
  source.emit("cell", "{truncated");
  source.emit("snapshot", '{"snapshot":"ready"}');
  source.emit("cell", '{"id":"c2"}');
  assert.deepEqual(seen, [["cell", { id: "c1" }], ["cell", { id: "c2" }]]);
  assert.equal(logged.length, 1);
  assert.equal(logged[0][0], "event snapshot:");
  assert.equal(logged[0][1].message, "bad snapshot");
});

test("the page's handlers route cell events to the cell they name and ignore unknown cells", () => {
  const calls = [];
  const cell = {
    applyState: (state) => calls.push(["applyState", state.status]),
    showProgress: (line) => calls.push(["showProgress", line]),
    showFigure: (svg) => calls.push(["showFigure", svg])
  };
  const cells = new Map([["c1", cell]]);
  const handlers = pageEventHandlers((data) => data && cells.get(data.id),
                                     (state) => calls.push(["setSnapshot", state]),
                                     (version) => calls.push(["fileChanged", version]));
  const source = new FakeSource();
  dispatchEvents(source, handlers, () => assert.fail("no handler should fail"));
  source.emit("cell", '{"id":"c1","status":"running"}');
  source.emit("progress", '{"id":"c1","line":"epoch 3, perplexity 9.2"}');
  source.emit("figure", '{"id":"c1","svg":"<svg></svg>"}');
  source.emit("progress", '{"id":"elsewhere","line":"ignored"}');
  source.emit("snapshot", '{"snapshot":"training"}');
  source.emit("file-changed", '{"version":"v9"}');
  assert.deepEqual(calls, [
    ["applyState", "running"], ["showProgress", "epoch 3, perplexity 9.2"], ["showFigure", "<svg></svg>"],
    ["setSnapshot", "training"], ["fileChanged", "v9"]
  ]);
});
