import Foundation

/// Turns d2l's Markdown extensions into plain Markdown and inline HTML, line by line (so line
/// numbers stay put), outside code fences:
///
/// - `:label:`name`` becomes an anchor `name`;
/// - `:numref:`name`` becomes a link to that anchor when the chapter defines it, else the name
///   in words (the target lives in another chapter of the book);
/// - `(**...**)` and `[**...**]`, d2lbook's marks for what its compact edition keeps, become a
///   highlighted span;
/// - `:begin_tab:`x`` / `:end_tab:` open and close a block labelled with its framework.
public enum D2LMarkdownExtensions {
    public static func rewrite(_ markdown: String) -> String {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let labels = Set(lines.flatMap { directiveArguments("label", in: $0) })
        var fence: CodeFence?
        return lines.map { line -> String in
            if let open = fence {
                if open.isClosed(by: line[...]) { fence = nil }
                return line
            }
            if let opened = CodeFence(opening: line[...]) {
                fence = opened
                return line
            }
            return rewriteLine(line, labels: labels)
        }.joined(separator: "\n")
    }

    static func rewriteLine(_ line: String, labels: Set<String>) -> String {
        var text = line
        for name in directiveArguments("label", in: text) {
            text = text.replacingOccurrences(of: ":label:`\(name)`", with: "<a id=\"\(name)\" class=\"label\"></a>")
        }
        for name in directiveArguments("numref", in: text) {
            let replacement = labels.contains(name)
                ? "<a href=\"#\(name)\" class=\"numref\">\(words(name))</a>"
                : "<span class=\"numref external\">\(words(name))</span>"
            text = text.replacingOccurrences(of: ":numref:`\(name)`", with: replacement)
        }
        for name in directiveArguments("begin_tab", in: text) {
            text = text.replacingOccurrences(of: ":begin_tab:`\(name)`",
                                             with: "<div class=\"tab\" data-tab=\"\(name)\">")
        }
        text = text.replacingOccurrences(of: ":end_tab:", with: "</div>")
        for (open, close) in [("(**", "**)"), ("[**", "**]")] {
            text = text.replacingOccurrences(of: open, with: "<span class=\"d2l-highlight\">")
                .replacingOccurrences(of: close, with: "</span>")
        }
        return text
    }

    /// The arguments of every `:directive:`arg`` on the line.
    static func directiveArguments(_ directive: String, in line: String) -> [String] {
        var results: [String] = []
        var rest = Substring(line)
        let opener = ":\(directive):`"
        while let start = rest.range(of: opener) {
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "`") else { break }
            results.append(String(after[..<end]))
            rest = after[after.index(after: end)...]
        }
        return results
    }

    /// A label in words: `sec_rnn-scratch` → "section rnn-scratch".
    static func words(_ label: String) -> String {
        let prefixes = ["sec_": "section ", "subsec_": "section ", "fig_": "figure ", "eq_": "equation "]
        for (prefix, word) in prefixes where label.hasPrefix(prefix) {
            return word + label.dropFirst(prefix.count).replacingOccurrences(of: "_", with: " ")
        }
        return label
    }
}
