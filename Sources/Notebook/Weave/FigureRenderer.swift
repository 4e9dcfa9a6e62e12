import CellProtocol
import Foundation

/// Draws figures with gnuplot. Each figure is written as three files a reader can reuse: the
/// data (`.dat`, gnuplot's blocks), the script (`.gp`, runnable from the output folder with
/// `gnuplot NAME.gp`) and the SVG it draws.
public struct FigureRenderer: Sendable {
    /// The folder the three files go to.
    public var directory: URL
    /// The gnuplot executable.
    public var gnuplot: String

    public init(directory: URL, gnuplot: String = Toolchain.findInPath("gnuplot") ?? "/usr/bin/gnuplot") {
        self.directory = directory
        self.gnuplot = gnuplot
    }

    /// The files of a rendered figure and its SVG, ready to inline.
    public struct Rendered: Equatable, Sendable {
        public var name: String
        public var svg: String
        /// What the figure says about points it did not draw ("3 points not finite, left
        /// out", "drawn from 2,310 of 55,000 points"); the SVG shows them under the plot.
        public var notes: [String]

        public init(name: String, svg: String, notes: [String] = []) {
            self.name = name
            self.svg = svg
            self.notes = notes
        }
    }

    /// Writes `figure` as `name`.dat/.gp/.svg and returns the SVG with its element ids prefixed
    /// by `name`, so that several figures can share a page.
    public func render(_ figure: Figure, name: String) throws -> Rendered {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let plot = PlotData(figure)
        let data = FigureRenderer.data(plot)
        let script = FigureRenderer.script(figure, plot: plot, name: name)
        try data.write(to: directory.appendingPathComponent("\(name).dat"), atomically: true, encoding: .utf8)
        try script.write(to: directory.appendingPathComponent("\(name).gp"), atomically: true, encoding: .utf8)
        // -d: no initialisation file can add terminal options (such as `mouse`, a script).
        let scriptPath = directory.appendingPathComponent("\(name).gp").path
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" -d \"$3\"", "sh",
                                                                directory.path, gnuplot, scriptPath])
        guard outcome.status == 0 else {
            throw FigureError(description: "gnuplot failed on \(name).gp: \(outcome.standardError)")
        }
        let svg = try String(contentsOf: directory.appendingPathComponent("\(name).svg"), encoding: .utf8)
        return Rendered(name: name, svg: FigureRenderer.inlineable(svg, prefix: name), notes: plot.notes)
    }

    /// The data file: one gnuplot block per series that has points to draw, separated by two
    /// blank lines (`index N`), and within a block one blank line where points were left out,
    /// so the line breaks there. The series name heads its block as a one-line comment, so a
    /// name cannot add data lines.
    static func data(_ plot: PlotData) -> String {
        plot.series.filter { !$0.isEmpty }.map { series in
            "# \(oneLine(series.name))\n" + series.segments.map { segment in
                segment.map { "\($0.x) \($0.y)" }.joined(separator: "\n")
            }.joined(separator: "\n\n")
        }.joined(separator: "\n\n\n") + "\n"
    }

    /// The data file of `figure` as ``render(_:name:)`` writes it.
    static func data(_ figure: Figure) -> String { data(PlotData(figure)) }

    /// The gnuplot script of `figure` as ``render(_:name:)`` writes it.
    static func script(_ figure: Figure, name: String) -> String { script(figure, plot: PlotData(figure), name: name) }

    /// The gnuplot script. Every text from the figure or its name is a gnuplot string literal
    /// made by `quoted`, shown as it is (`noenhanced`: `_`, `^` and `{}` are not markup).
    static func script(_ figure: Figure, plot: PlotData, name: String) -> String {
        var block = 0
        let plots = plot.series.map { series -> String in
            let title = "title \(quoted(label(series.name)))"
            // A series with nothing to draw keeps its place in the legend.
            guard !series.isEmpty else { return "NaN \(style(series.style)) \(title)" }
            defer { block += 1 }
            // A line cannot draw a point that stands alone between gaps (one finite epoch of a
            // diverging run): such a series gets markers too.
            let drawnAs = series.style == .lines && series.segments.contains { $0.count == 1 } ? .linespoints : series.style
            return "\(quoted(name + ".dat")) index \(block) \(style(drawnAs)) \(title)"
        }
        var lines = [
            "# Draws \(oneLine(name)).svg from \(oneLine(name)).dat; run from this folder: gnuplot \(oneLine(name)).gp",
            "set terminal svg size \(PlotData.width),\(PlotData.height) dynamic noenhanced font \"sans,12\" background rgb \"white\"",
            "set output \(quoted(name + ".svg"))",
        ]
        if !figure.title.isEmpty { lines.append("set title \(quoted(label(figure.title)))") }
        lines += ["set xlabel \(quoted(label(figure.xLabel)))", "set ylabel \(quoted(label(figure.yLabel)))"]
        // Log axes label their ticks 1, 0.1, 0.001, 1e-05 rather than gnuplot's 1.000000.
        if figure.logX { lines += ["set logscale x", "set format x \"%g\""] }
        if figure.logY { lines += ["set logscale y", "set format y \"%g\""] }
        // Points left out (not finite) still widen the x axis to where their x is.
        let xRange = figure.xRange ?? (plot.notFinite > 0 && plot.hasPoints ? plot.xCoverage : nil)
        lines += axisRange("x", xRange, log: figure.logX, hasPoints: plot.hasPoints)
        lines += axisRange("y", figure.yRange, log: figure.logY, hasPoints: plot.hasPoints)
        lines.append("set grid")
        lines += legend(figure.series.map { label($0.name) })
        if !plot.notes.isEmpty {
            // Small, just above the plot's top left corner, in a top margin made one line taller.
            let titleLines = figure.title.isEmpty ? 0 : label(figure.title).split(separator: "\n", omittingEmptySubsequences: false).count
            lines += ["set tmargin \(titleLines + 2)",
                      "set label 1 \(quoted(plot.notes.joined(separator: "; "))) at graph 0, graph 1 offset 0, 0.8 left"
                          + " font \",10\" textcolor rgb \"#555555\""]
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The longest legend line placed right of the plot; longer ones go under it, where the
    /// whole width is theirs (gnuplot leaves out a legend that does not fit right of the plot).
    static let longestLegendLineOnTheRight = 24

    /// Where the legend goes: outside the plot, so that it never covers a curve (inside, it hid
    /// a k-step prediction figure's curves). Right of the plot when the names are short; else
    /// under the x axis, in a bottom margin made as tall as the legend.
    static func legend(_ names: [String]) -> [String] {
        let lines = names.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
        if lines.allSatisfy({ $0.count <= longestLegendLineOnTheRight }) {
            return ["set key outside right top vertical Left reverse samplen 2"]
        }
        return ["set bmargin \(lines.count + 4)",
                "set key at screen 0.02, screen 0.02 left bottom vertical Left reverse samplen 2 maxcols 1"]
    }

    /// How a series is drawn.
    static func style(_ style: Figure.Style) -> String {
        switch style {
        case .lines: return "with lines lw 2"
        case .points: return "with points pt 7 ps 0.6"
        case .linespoints: return "with linespoints lw 2 pt 7 ps 0.6"
        }
    }

    /// `set xrange [low:high]` for a given range (a bound that cannot be drawn on the axis is
    /// left to the data); with no range and no point to draw, a range of its own, as gnuplot
    /// cannot find one in no data.
    static func axisRange(_ axis: String, _ range: ClosedRange<Double>?, log: Bool, hasPoints: Bool) -> [String] {
        func bound(_ value: Double?) -> String? {
            guard let value, value.isFinite, !log || value > 0 else { return nil }
            return "\(value)"
        }
        // gnuplot refuses an empty range: one of zero width is left to the data.
        let range = range.flatMap { $0.lowerBound < $0.upperBound ? $0 : nil }
        let low = bound(range?.lowerBound), high = bound(range?.upperBound)
        if hasPoints || (low != nil && high != nil) {
            guard low != nil || high != nil else { return [] }
            return ["set \(axis)range [\(low ?? "*"):\(high ?? "*")]"]
        }
        // One decade or one unit, from the bound given if there is one.
        var start: Double = log ? 1 : 0
        if let low, let value = Double(low) {
            start = value
        } else if let high, let value = Double(high) {
            start = log ? value / 10 : value - 1
        }
        let end = log ? start * 10 : start + 1
        return ["set \(axis)range [\(start):\(end)]"]
    }

    /// `text` as a double-quoted gnuplot string that means exactly `text`. A backslash and a
    /// quote are escaped; a backtick (command substitution, even inside double quotes), `@`
    /// (macros), `$` and control characters are written as octal escapes, so the script line
    /// holds none of them and a string can neither end early nor run a command.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "`", "@", "$", "\u{7F}", "\u{0}"..."\u{1F}":
                let digits = String(c.value, radix: 8)
                result += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            default: result.unicodeScalars.append(c)
            }
        }
        return result + "\""
    }

    /// A title, label or series name as the figure shows it: line breaks kept (gnuplot breaks
    /// the line), other control characters and XML's non-characters shown as U+FFFD, so the
    /// SVG stays well-formed XML.
    static func label(_ text: String) -> String {
        var result = ""
        for c in text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
            switch c {
            case "\n", "\t": result.unicodeScalars.append(c)
            case "\r": result += "\n"
            case "\u{0}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{FFFE}", "\u{FFFF}": result += "\u{FFFD}"
            default: result.unicodeScalars.append(c)
            }
        }
        return result
    }

    /// `text` on one line, for a comment: control characters become spaces.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? " " : $0 }))
    }

    /// The SVG as the page inlines it: only the elements and attributes gnuplot draws with
    /// (no script, no event handler, no link outside the figure, no XML declaration or doctype),
    /// its text escaped, every id (and reference to one) prefixed by `prefix` made into a safe
    /// id, so that several figures can share a page.
    static func inlineable(_ svg: String, prefix: String) -> String {
        SafeSVG.sanitize(svg, idPrefix: SafeSVG.idToken(prefix))
    }
}

/// A small SVG sanitizer for gnuplot's output. It keeps what gnuplot's `svg` terminal draws a
/// plot with and drops the rest, whatever gnuplot version or options made it: `<script>` (the
/// `mouse` option), `on*` handlers, `<image>`, `<a>`, `<foreignObject>`, external links. Text is
/// re-escaped, so a `<` gnuplot left bare becomes text, never a tag.
enum SafeSVG {
    static let elements: [String: String] = Dictionary(uniqueKeysWithValues: [
        "svg", "g", "defs", "title", "desc", "path", "use", "text", "tspan", "rect", "circle", "ellipse", "line",
        "polyline", "polygon", "clipPath", "filter", "feFlood", "feComposite", "feOffset", "feGaussianBlur",
        "feMerge", "feMergeNode", "feBlend", "linearGradient", "radialGradient", "stop", "pattern", "marker",
        "symbol", "mask",
    ].map { ($0.lowercased(), $0) })
    /// Dropped with everything inside them.
    static let droppedWithContent: Set<String> = ["script", "style", "foreignobject", "iframe", "object", "embed",
                                                  "noscript", "template", "textarea", "xmp", "noembed", "noframes",
                                                  "plaintext", "math", "set", "animate"]

    /// `text` as an id (and `url(#...)`) fragment: letters, digits, `-` and `_` are kept, any
    /// other byte is `.` and two hex digits. Two names give two tokens.
    static func idToken(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "." + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return result
    }

    static func sanitize(_ svg: String, idPrefix: String) -> String {
        let s = Array(svg.unicodeScalars)
        var out = ""
        var i = 0
        func starts(_ literal: String, at index: Int) -> Bool {
            let l = Array(literal.unicodeScalars)
            guard index + l.count <= s.count else { return false }
            for k in 0..<l.count where s[index + k].properties.lowercaseMapping != String(l[k]).lowercased() { return false }
            return true
        }
        func find(_ literal: String, from index: Int) -> Int? {
            var k = index
            while k < s.count { if starts(literal, at: k) { return k }; k += 1 }
            return nil
        }
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" || c == ":" }
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{C}" }
        while i < s.count {
            let c = s[i]
            guard c == "<" else {
                out += escapedText(c, s, at: i)
                i += 1
                continue
            }
            if starts("<!--", at: i) {
                i = find("-->", from: i + 4).map { $0 + 3 } ?? s.count
            } else if starts("<![CDATA[", at: i) {
                let end = find("]]>", from: i + 9) ?? s.count
                for k in (i + 9)..<end { out += HTMLEscaping.escape(String(s[k])) }
                i = min(end + 3, s.count)
            } else if starts("<?", at: i) {
                i = find("?>", from: i + 2).map { $0 + 2 } ?? s.count
            } else if starts("<!", at: i) {
                i = skipTag(s, from: i + 2)
            } else if i + 1 < s.count, isNameStart(s[i + 1]) || (s[i + 1] == "/" && i + 2 < s.count && isNameStart(s[i + 2])) {
                let closing = s[i + 1] == "/"
                var k = i + (closing ? 2 : 1)
                var name = ""
                while k < s.count, !isSpace(s[k]), s[k] != ">", s[k] != "/" { name.unicodeScalars.append(s[k]); k += 1 }
                let (attributes, selfClosing, end) = parseAttributes(s, from: k)
                i = end
                let lower = name.lowercased()
                if let canonical = elements[lower] {
                    if closing {
                        out += "</\(canonical)>"
                    } else {
                        out += "<" + canonical + attributes.compactMap { safeAttribute($0.name, $0.value, idPrefix: idPrefix) }.joined()
                            + (selfClosing ? "/>" : ">")
                    }
                } else if !closing, !selfClosing, droppedWithContent.contains(lower) {
                    i = find("</" + lower, from: i).map { skipTag(s, from: $0 + 2) } ?? s.count
                }
            } else {
                out += "&lt;"
                i += 1
            }
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Text content: `<` and `>` escaped, `&` kept only where it starts a character reference.
    private static func escapedText(_ c: Unicode.Scalar, _ s: [Unicode.Scalar], at i: Int) -> String {
        switch c {
        case ">": return "&gt;"
        case "&":
            var k = i + 1
            if k < s.count, s[k] == "#" { k += 1 }
            let start = k
            while k < s.count, s[k].isASCII, s[k].properties.isAlphabetic || ("0"..."9").contains(s[k]) { k += 1 }
            return k > start && k < s.count && s[k] == ";" ? "&" : "&amp;"
        case "\u{0}"..."\u{8}", "\u{B}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": return "\u{FFFD}"
        default: return String(c)
        }
    }

    /// The index after the `>` that ends a markup declaration, quotes respected.
    private static func skipTag(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var k = start
        var quote: Unicode.Scalar?
        while k < s.count {
            if let q = quote { if s[k] == q { quote = nil } } else if s[k] == "\"" || s[k] == "'" { quote = s[k] } else if s[k] == ">" { return k + 1 }
            k += 1
        }
        return s.count
    }

    /// The attributes of a tag whose name ends at `start`, whether it closes itself, and the
    /// index after its `>`.
    private static func parseAttributes(_ s: [Unicode.Scalar], from start: Int) -> ([(name: String, value: String)], Bool, Int) {
        var attributes: [(name: String, value: String)] = []
        var k = start
        var selfClosing = false
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{C}" }
        while k < s.count {
            let c = s[k]
            if isSpace(c) { k += 1; continue }
            if c == ">" { return (attributes, selfClosing, k + 1) }
            if c == "/" { selfClosing = true; k += 1; continue }
            selfClosing = false
            var name = ""
            while k < s.count, !isSpace(s[k]), s[k] != "=", s[k] != ">", s[k] != "/" || name.isEmpty {
                name.unicodeScalars.append(s[k]); k += 1
            }
            while k < s.count, isSpace(s[k]) { k += 1 }
            var value = ""
            if k < s.count, s[k] == "=" {
                k += 1
                while k < s.count, isSpace(s[k]) { k += 1 }
                if k < s.count, s[k] == "\"" || s[k] == "'" {
                    let quote = s[k]
                    k += 1
                    while k < s.count, s[k] != quote { value.unicodeScalars.append(s[k]); k += 1 }
                    k += 1
                } else {
                    while k < s.count, !isSpace(s[k]), s[k] != ">" { value.unicodeScalars.append(s[k]); k += 1 }
                }
            }
            attributes.append((name, value))
        }
        return (attributes, selfClosing, s.count)
    }

    /// ` name="value"` when the attribute is safe, ids and references to them prefixed.
    private static func safeAttribute(_ name: String, _ value: String, idPrefix: String) -> String? {
        let lower = name.lowercased()
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic,
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_:.".unicodeScalars.contains($0)) }),
              !lower.hasPrefix("on") else { return nil }
        var value = value
        if lower == "href" || lower.hasSuffix(":href") {
            guard value.hasPrefix("#") else { return nil }
            value = "#\(idPrefix)-" + value.dropFirst()
        } else if lower == "id" {
            value = "\(idPrefix)-" + value
        }
        value = value.replacingOccurrences(of: "url(#", with: "url(#\(idPrefix)-")
        var escaped = ""
        for (index, c) in value.unicodeScalars.enumerated() {
            switch c {
            case "\"": escaped += "&quot;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += escapedText(c, Array(value.unicodeScalars), at: index)
            default: escaped.unicodeScalars.append(c)
            }
        }
        return " \(name)=\"\(escaped)\""
    }
}

/// gnuplot could not draw a figure.
public struct FigureError: Error, CustomStringConvertible {
    public var description: String
}
