/// The live page's assets (`d2l-run serve`): the style sheets and scripts it links, in order,
/// and the folders the server serves them from. The weaver writes the page's links from it and
/// the server routes its folders from it, so that each URL is written once.
///
/// CodeMirror 5 and KaTeX are Debian's (`libjs-codemirror`, `libjs-katex`), loaded as classic
/// scripts that set globals; the page's own front end is ES modules in the server's resource
/// bundle (`Sources/NotebookServer/Resources/live`). A module script is deferred, so the entry
/// module runs after the classic scripts have set `CodeMirror` and `renderMathInElement`.
public enum LiveAssetManifest {
    /// A folder served under `/static/<name>/`.
    public struct Folder: Sendable, Equatable {
        /// The URL path's component after `/static/`.
        public let name: String
        /// Where the folder's files are on the serving machine.
        public let location: Location

        /// `/static/<name>/`, the URL path every file of the folder starts with.
        public var urlPrefix: String { "/static/\(name)/" }

        /// The URL path of the file at `relativePath` inside the folder.
        public func url(_ relativePath: String) -> String { urlPrefix + relativePath }
    }

    /// Where a folder's files come from.
    public enum Location: Sendable, Equatable {
        /// A Debian package's folder. `trustedTargets` are the folders outside it that its own
        /// symbolic links legitimately lead into (the server refuses any other link leading out).
        case system(directory: String, trustedTargets: [String])
        /// The server's own front end: the folder of that name in its resource bundle.
        case serverResources
    }

    /// Debian's CodeMirror 5.
    public static let codeMirror = Folder(
        name: "codemirror", location: .system(directory: "/usr/share/javascript/codemirror", trustedTargets: []))
    /// Debian's KaTeX, whose `fonts` folder is a link to `/usr/share/fonts/truetype/katex`.
    public static let katex = Folder(
        name: "katex", location: .system(directory: KaTeXAssets.debianDirectory,
                                         trustedTargets: ["/usr/share/fonts/truetype/katex"]))
    /// The page's own modules and style sheet.
    public static let frontEnd = Folder(name: "live", location: .serverResources)

    /// Every folder the server serves under `/static/`.
    public static let folders = [codeMirror, katex, frontEnd]

    /// The style sheets the page links in its head, in order (after the chapter's own inlined
    /// stylesheet, so the live page's rules win where both style an element).
    public static let styles = [katex.url("katex.min.css"), codeMirror.url("lib/codemirror.css"), frontEnd.url("live.css")]

    /// The classic scripts at the end of the page's body, in order: CodeMirror before its mode and
    /// add-on, KaTeX before its auto-render extension.
    public static let classicScripts = [
        codeMirror.url("lib/codemirror.js"), codeMirror.url("mode/swift/swift.js"),
        codeMirror.url("addon/edit/matchbrackets.js"), katex.url("katex.min.js"), katex.url("contrib/auto-render.js"),
    ]

    /// The front end's entry module, after the classic scripts; it imports the other modules.
    public static let entryModule = frontEnd.url("live.mjs")

    /// The name, in ``frontEnd``, of the module the server writes from
    /// ``KaTeXAssets/renderOptions``: the live page typesets with the static page's options.
    public static let katexOptionsModule = "katex-options.mjs"
}
