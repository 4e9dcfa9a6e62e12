/// The page's stylesheet, inlined so the page needs nothing else to read well.
enum PageStyle {
    static let css = """
    :root { --ink: #1d2433; --muted: #5b6475; --rule: #e3e6ec; --code-bg: #f6f8fa; --accent: #2563eb; }
    body { margin: 0; color: var(--ink); font: 16px/1.6 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; background: #fff; }
    main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
    h1, h2, h3 { line-height: 1.25; margin-top: 2rem; }
    a { color: var(--accent); }
    code, pre { font: 13.5px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    :not(pre) > code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; }
    pre { overflow-x: auto; margin: 0; padding: 0.75rem 1rem; }
    .d2l-highlight { background: #fff7d6; border-radius: 3px; }
    .numref.external { font-style: italic; }
    .tab { border-left: 3px solid var(--rule); padding-left: 1rem; }
    .tab::before { content: attr(data-tab); color: var(--muted); font-size: 0.85em; }
    .listing { background: var(--code-bg); border-radius: 6px; margin: 1rem 0; }
    .cell { border: 1px solid var(--rule); border-radius: 8px; margin: 1.25rem 0; overflow: hidden; }
    .cell-header { display: flex; gap: 0.75rem; flex-wrap: wrap; align-items: baseline; padding: 0.3rem 1rem;
      font-size: 0.8rem; color: var(--muted); background: #fafbfc; border-bottom: 1px solid var(--rule); }
    .cell-id { font-weight: 600; color: var(--ink); }
    .cell-status { margin-left: auto; }
    .status-failed { border-color: #dc2626; }
    .status-failed .cell-status { color: #dc2626; font-weight: 600; }
    .status-failedAsExpected .cell-status { color: #b45309; }
    .status-skipped .source, .status-notRun .source { opacity: 0.65; }
    .previous-run .cell-status { color: #15803d; }
    .stale { border-left: 4px solid #d97706; }
    .stale .outputs { opacity: 0.55; }
    .stale .cell-status { color: #b45309; font-weight: 600; }
    .source { background: var(--code-bg); }
    .output { border-top: 1px dashed var(--rule); padding: 0.5rem 1rem; margin: 0; }
    .stderr { color: #92400e; background: #fffbeb; }
    .error { color: #991b1b; background: #fef2f2; white-space: pre-wrap; }
    .check { color: #166534; font-size: 0.9rem; }
    .note { color: var(--muted); font-size: 0.85rem; font-style: italic; }
    table.output { border-collapse: collapse; margin: 0.5rem 1rem; font-size: 0.9rem; }
    table.output th, table.output td { border: 1px solid var(--rule); padding: 0.2rem 0.6rem; text-align: left; }
    table.output td.number { text-align: right; font-variant-numeric: tabular-nums; }
    figure.output { margin: 0; padding: 0.5rem; text-align: center; }
    figure.output svg { max-width: 100%; height: auto; }
    figcaption { font-size: 0.75rem; color: var(--muted); }
    .tok-keyword { color: #a626a4; } .tok-type { color: #0e7490; } .tok-string { color: #50a14f; }
    .tok-number { color: #b76b01; } .tok-comment { color: #7c8594; font-style: italic; }
    .tok-attribute, .tok-directive { color: #c2410c; }
    .run-summary { margin-top: 3rem; color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--rule); padding-top: 0.75rem; }
    """
}
