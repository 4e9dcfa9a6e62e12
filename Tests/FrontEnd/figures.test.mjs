import { test } from "node:test";
import assert from "node:assert/strict";
import { LiveArea } from "../../Sources/NotebookServer/Resources/live/figures.mjs";
import { liveMathOptions, renderMath } from "../../Sources/NotebookServer/Resources/live/math.mjs";

function area() {
  const container = { hidden: false };
  const progress = { textContent: "old progress" };
  const figure = { textContent: "", innerHTML: "<svg>old</svg>" };
  return { container, progress, figure, live: new LiveArea(container, progress, figure) };
}

test("progress and figures show the area; the newest figure replaces the last", () => {
  const { container, progress, figure, live } = area();
  live.clear();
  assert.equal(container.hidden, true);
  assert.equal(progress.textContent, "");
  live.showProgress("epoch 1, perplexity 20.1");
  assert.equal(container.hidden, false);
  assert.equal(progress.textContent, "epoch 1, perplexity 20.1");
  live.showProgress(42);
  assert.equal(progress.textContent, "42");
  live.showProgress(null);
  assert.equal(progress.textContent, "");
  live.showFigure("<svg>1</svg>");
  live.showFigure("<svg>2</svg>");
  assert.equal(figure.innerHTML, "<svg>2</svg>");
  live.showFigure(undefined);
  assert.equal(figure.innerHTML, "");
});

test("an idle cell's state clears the area; a running one restores what the events showed", () => {
  const { container, progress, figure, live } = area();
  live.follow({ status: "running", progress: "epoch 42, perplexity 7.1", liveFigure: "<svg class=\"restored\"></svg>" });
  assert.equal(container.hidden, false);
  assert.equal(progress.textContent, "epoch 42, perplexity 7.1");
  assert.equal(figure.innerHTML, "<svg class=\"restored\"></svg>");
  live.follow({ status: "queued" });
  assert.equal(progress.textContent, "epoch 42, perplexity 7.1", "a state without progress keeps the shown one");
  live.follow({ status: "ran" });
  assert.equal(container.hidden, true);
  assert.equal(progress.textContent, "");
  assert.equal(figure.textContent, "");
});

test("the live page typesets as the static page does, and leaves the editors alone", () => {
  const staticOptions = { delimiters: [{ left: "$", right: "$", display: false }], ignoredClasses: ["outputs"], throwOnError: false };
  const options = liveMathOptions(staticOptions);
  assert.deepEqual(options.ignoredClasses, ["outputs", "CodeMirror"]);
  assert.deepEqual(staticOptions.ignoredClasses, ["outputs"], "the shared options are not changed");
  assert.equal(options.delimiters, staticOptions.delimiters);
  assert.equal(options.throwOnError, false);
});

test("maths renders when KaTeX loaded, and a KaTeX failure is logged, not thrown", () => {
  const rendered = [];
  renderMath("body", (root, options) => rendered.push([root, options]), { o: 1 }, () => assert.fail("no log"));
  assert.deepEqual(rendered, [["body", { o: 1 }]]);
  assert.doesNotThrow(() => renderMath("body", undefined, {}, () => assert.fail("no log")));
  const logged = [];
  renderMath("body", () => { throw new Error("parse"); }, {}, (...args) => logged.push(args));
  assert.equal(logged[0][0], "KaTeX:");
});
