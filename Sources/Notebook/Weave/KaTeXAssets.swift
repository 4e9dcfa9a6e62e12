import Foundation

/// KaTeX from Debian's `libjs-katex`, inlined in the page so maths renders offline. The fonts
/// are copied next to the page (`katex/fonts/`); without them KaTeX falls back to system fonts.
public struct KaTeXAssets: Equatable, Sendable {
    public var css: String
    public var script: String
    public var autoRender: String
    /// Where the fonts come from.
    public var fontDirectory: String

    /// Debian's install location.
    public static let debianDirectory = "/usr/share/javascript/katex"

    /// Loads KaTeX from `directory`, or nil when it is not installed.
    public static func load(from directory: String = debianDirectory) -> KaTeXAssets? {
        func read(_ name: String) -> String? { try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8) }
        guard let css = read("katex.min.css"), let script = read("katex.min.js"),
              let autoRender = read("contrib/auto-render.min.js") ?? read("contrib/auto-render.js") else { return nil }
        return KaTeXAssets(css: css.replacingOccurrences(of: "url(fonts/", with: "url(katex/fonts/"),
                           script: script, autoRender: autoRender, fontDirectory: "\(directory)/fonts")
    }

    /// Copies the fonts to `outputDirectory/katex/fonts`.
    public func copyFonts(to outputDirectory: URL) throws {
        let target = outputDirectory.appendingPathComponent("katex/fonts")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: fontDirectory) where name.hasSuffix(".woff2") {
            let destination = target.appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: destination.path) {
                try FileManager.default.copyItem(atPath: "\(fontDirectory)/\(name)", toPath: destination.path)
            }
        }
    }

    var headHTML: String { "<style>\(css)</style>" }

    /// KaTeX auto-render's options, as a JavaScript object literal. Maths is typeset in the prose
    /// alone: outputs, cell headers and the summary are text, so a `$` a cell prints stays a `$`.
    /// The static page inlines them; `d2l-run serve` serves them to the live page as a module
    /// (``LiveAssetManifest/katexOptionsModule``).
    public static let renderOptions = """
    {delimiters: [
      {left: "$$", right: "$$", display: true}, {left: "$", right: "$", display: false}],
      ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code"],
      ignoredClasses: ["outputs", "cell-header", "run-summary"], throwOnError: false}
    """

    /// Scripts closed safely: a `</script>` inside KaTeX's source would end the element.
    var renderScript: String {
        func inline(_ js: String) -> String { "<script>" + js.replacingOccurrences(of: "</script", with: "<\\/script") + "</script>" }
        return inline(script) + "\n" + inline(autoRender) + "\n<script>renderMathInElement(document.body, \(Self.renderOptions));</script>"
    }
}
