import CellProtocol
import Foundation

/// Draws figures with gnuplot. Each figure is written as three files a reader can reuse: the
/// data (`.dat`, gnuplot's blocks), the script (`.gp`, runnable from the output folder with
/// `gnuplot NAME.gp`) and the SVG it draws.
public struct FigureRenderer {
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
    }

    /// Writes `figure` as `name`.dat/.gp/.svg and returns the SVG with its element ids prefixed
    /// by `name`, so that several figures can share a page.
    public func render(_ figure: Figure, name: String) throws -> Rendered {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = FigureRenderer.data(figure)
        let script = FigureRenderer.script(figure, name: name)
        try data.write(to: directory.appendingPathComponent("\(name).dat"), atomically: true, encoding: .utf8)
        try script.write(to: directory.appendingPathComponent("\(name).gp"), atomically: true, encoding: .utf8)
        let scriptPath = directory.appendingPathComponent("\(name).gp").path
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" \"$3\"", "sh",
                                                                directory.path, gnuplot, scriptPath])
        guard outcome.status == 0 else {
            throw FigureError(description: "gnuplot failed on \(name).gp: \(outcome.standardError)")
        }
        let svg = try String(contentsOf: directory.appendingPathComponent("\(name).svg"), encoding: .utf8)
        return Rendered(name: name, svg: FigureRenderer.inlineable(svg, prefix: name))
    }

    /// One gnuplot data block per series, separated by two blank lines (`index N`).
    static func data(_ figure: Figure) -> String {
        figure.series.map { series in
            "# \(series.name)\n" + series.points.map { $0.map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
        }.joined(separator: "\n\n\n") + "\n"
    }

    static func script(_ figure: Figure, name: String) -> String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let plots = figure.series.enumerated().map { index, series in
            "\(index == 0 ? quoted(name + ".dat") : "\"\"") index \(index) with lines lw 2 title \(quoted(series.name))"
        }
        var lines = [
            "# Draws \(name).svg from \(name).dat; run from this folder: gnuplot \(name).gp",
            "set terminal svg size 640,400 dynamic enhanced font \"sans,12\" background rgb \"white\"",
            "set output \(quoted(name + ".svg"))",
        ]
        if !figure.title.isEmpty { lines.append("set title \(quoted(figure.title))") }
        lines += ["set xlabel \(quoted(figure.xLabel))", "set ylabel \(quoted(figure.yLabel))"]
        if figure.logY { lines.append("set logscale y") }
        lines += ["set grid", "set key top right", "plot " + plots.joined(separator: ", \\\n     ")]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The SVG without its XML declaration, every id (and reference to one) prefixed.
    static func inlineable(_ svg: String, prefix: String) -> String {
        var text = svg
        if let declaration = text.range(of: "?>") , text.hasPrefix("<?xml") {
            text = String(text[declaration.upperBound...])
        }
        if let doctype = text.range(of: "<!DOCTYPE"), let end = text[doctype.upperBound...].range(of: ">") {
            text.removeSubrange(doctype.lowerBound..<end.upperBound)
        }
        return text
            .replacingOccurrences(of: "id=\"", with: "id=\"\(prefix)-")
            .replacingOccurrences(of: "url(#", with: "url(#\(prefix)-")
            .replacingOccurrences(of: "href=\"#", with: "href=\"#\(prefix)-")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// gnuplot could not draw a figure.
public struct FigureError: Error, CustomStringConvertible {
    public var description: String
}
