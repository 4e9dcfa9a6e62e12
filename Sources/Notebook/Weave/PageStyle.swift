import Foundation

/// The page's stylesheet, `Resources/page.css`, inlined so the page needs nothing else to read
/// well. The file's opening comment (what the file is, for its readers) stays out of the page.
enum PageStyle {
    static let css: String = {
        guard let url = Bundle.module.url(forResource: "page", withExtension: "css"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("the page's stylesheet page.css is missing from \(Bundle.module.bundlePath)")
        }
        var css = Substring(text)
        if css.hasPrefix("/*"), let end = css.range(of: "*/\n") { css = css[end.upperBound...] }
        if css.hasSuffix("\n") { css.removeLast() }
        return String(css)
    }()
}
