// Typesetting the prose's maths with KaTeX's auto-render extension.

// The live page's options: the static page's (written once, in KaTeXAssets.swift, and served
// as katex-options.mjs), with the editors left alone too.
export function liveMathOptions(staticOptions) {
  return Object.assign({}, staticOptions, { ignoredClasses: staticOptions.ignoredClasses.concat(["CodeMirror"]) });
}

// Renders the maths in `root` with `render` (renderMathInElement, absent if KaTeX did not load:
// the prose then shows its TeX). A KaTeX failure is logged: the page still works.
export function renderMath(root, render, options, log) {
  if (typeof render !== "function") return;
  try {
    render(root, options);
  } catch (e) {
    log("KaTeX:", e);
  }
}
