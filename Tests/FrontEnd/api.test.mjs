import { test } from "node:test";
import assert from "node:assert/strict";
import { answerFrom, cellURL, createAPI, errorText, requestOptions } from "../../Sources/NotebookServer/Resources/live/api.mjs";

test("cell URLs encode the id and append the action", () => {
  assert.equal(cellURL("setup"), "/api/cells/setup");
  assert.equal(cellURL("ex-sampling", "run"), "/api/cells/ex-sampling/run");
  assert.equal(cellURL("a b/c?", "interrupt"), "/api/cells/a%20b%2Fc%3F/interrupt");
});

test("a request without a body sends no Content-Type and keeps the cookie", () => {
  assert.deepEqual(requestOptions("GET"), {
    method: "GET", credentials: "same-origin", headers: { Accept: "application/json" }
  });
});

test("a request with a body sends it as JSON", () => {
  const options = requestOptions("PUT", { source: "let x = 1", version: "v1" });
  assert.equal(options.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(options.body), { source: "let x = 1", version: "v1" });
});

test("answers always carry an object as data", () => {
  assert.deepEqual(answerFrom(200, true, '{"version":"v2"}'), { status: 200, ok: true, data: { version: "v2" } });
  assert.deepEqual(answerFrom(204, true, ""), { status: 204, ok: true, data: {} });
  assert.deepEqual(answerFrom(502, false, "Bad Gateway"), { status: 502, ok: false, data: { error: "Bad Gateway" } });
  assert.deepEqual(answerFrom(200, true, "null").data, { value: null });
  assert.deepEqual(answerFrom(200, true, "42").data, { value: 42 });
});

test("api fetches with the built options and resolves HTTP errors instead of rejecting", async () => {
  const calls = [];
  const api = createAPI((url, options) => {
    calls.push({ url, options });
    return Promise.resolve({ status: 409, ok: false, text: () => Promise.resolve('{"error":"stale","version":"v3"}') });
  });
  const answer = await api("PUT", "/api/cells/c1", { source: "x" });
  assert.deepEqual(answer, { status: 409, ok: false, data: { error: "stale", version: "v3" } });
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, "/api/cells/c1");
  assert.equal(calls[0].options.method, "PUT");
  assert.equal(calls[0].options.body, '{"source":"x"}');
});

test("api rejects when the server cannot be reached", async () => {
  const api = createAPI(() => Promise.reject(new TypeError("Failed to fetch")));
  await assert.rejects(api("GET", "/api/chapter"), { message: "Failed to fetch" });
});

test("errors show their message, anything else as text", () => {
  assert.equal(errorText(new Error("boom")), "boom");
  assert.equal(errorText("plain"), "plain");
  assert.equal(errorText(undefined), "undefined");
});
