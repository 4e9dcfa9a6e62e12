import Foundation
import XCTest
@testable import Notebook
import ProjectPaths

/// Two chapters written as a new author writes them, in the spirit of other d2l sections
/// (Fixtures/authors/), run with `--exercises` from a book folder of their own outside this
/// checkout (`book/Chapters/x.md`, `book/Data/` with the author's text), `book/` the working
/// directory. Each runs in about a second in release.
final class AuthorChaptersTests: XCTestCase {
    private var book: AuthorBook!

    override func setUpWithError() throws {
        book = try AuthorBook()
        for name in ["language-models.md", "linear-regression-scratch.md"] { try book.addChapter("authors/\(name)") }
        try FileManager.default.removeItem(at: book.folder.appendingPathComponent("Data"))
        try FileManager.default.copyItem(at: Project.fixtures.appendingPathComponent("authors/Data"),
                                        to: book.folder.appendingPathComponent("Data"))
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, standardError: String) { try book.run(arguments) }
    private func output(_ name: String) throws -> String { try book.output(name) }
    private func section(_ id: String, in html: String) -> String { AuthorBook.section(id, in: html) }

    /// The numbers captured by `pattern`'s groups in `text`, or an empty list.
    private func numbers(_ pattern: String, in text: String) -> [Double] {
        guard let found = try! NSRegularExpression(pattern: pattern)
            .firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return [] }
        return (1..<found.numberOfRanges).compactMap { Range(found.range(at: $0), in: text).flatMap { Double(text[$0]) } }
    }

    func testLanguageModelStatisticsCountTheShippedBookAndTheAuthorsOwnText() throws {
        let (status, standardError) = try run(["--exercises", "Chapters/language-models.md"])
        XCTAssertEqual(status, 0, standardError)
        let html = try output("language-models.html")

        XCTAssertTrue(section("words", in: html).contains("The Time Machine: 32775 words, 4579 distinct"))
        XCTAssertTrue(section("top-words", in: html).contains("<td>the</td><td class=\"number\">2261</td><td>6.90%</td>"))
        XCTAssertTrue(section("ngrams", in: html).contains("<td>the time traveller</td><td class=\"number\">59</td>"))
        let own = section("own-text", in: html)
        XCTAssertTrue(own.contains("lighthouse log: 527 words, 199 distinct"), "the author's Data/lighthouse-log.txt is read: \(own)")
        XCTAssertTrue(own.contains("its favourite bigram: &quot;and the&quot; (12 times)"), own)

        // The Zipf figure: both axes logarithmic, 54,695 points reduced, the count-1 tail kept
        // above the axis by the author's y range.
        let zipf = section("zipf-figure", in: html)
        XCTAssertTrue(zipf.contains("<svg"))
        XCTAssertNotNil(zipf.range(of: "drawn from [0-9,]+ of 54,695 points", options: .regularExpression), zipf)
        let script = try output("language-models-fig1.gp")
        for line in ["set logscale x", "set logscale y", "set yrange [0.5:5000.0]"] {
            XCTAssertTrue(script.contains(line), "\(line) in \(script)")
        }
        XCTAssertTrue(try output("language-models-fig1.dat").contains("# trigram"))
        let alphas = numbers("unigrams: alpha = ([0-9.]+)\\s+bigrams: alpha = ([0-9.]+)\\s+trigrams: alpha = ([0-9.]+)",
                             in: section("zipf-exponent", in: html))
        XCTAssertEqual(alphas.count, 3)
        XCTAssertTrue(alphas == alphas.sorted(by: >) && alphas[0] > 0.9, "Zipf exponents fall with n: \(alphas)")

        let missing = section("missing-book", in: html)
        XCTAssertTrue(missing.contains("failed as expected"), missing)
        XCTAssertTrue(missing.contains("data file the-invisible-man.txt not found; looked in \(book.folder.appendingPathComponent("Data").path)"),
                      missing)
        XCTAssertTrue(section("estimates", in: html).contains("P(lighthouse | time) = 0.0000"))

        let distinct = section("ex-distinct-ngrams", in: html)
        XCTAssertTrue(distinct.contains("<td class=\"number\">4</td><td class=\"number\">32180</td><td class=\"number\">496</td>"), distinct)
        XCTAssertTrue(distinct.contains("<svg"))
        XCTAssertTrue(section("ex-laplace", in: html).contains("<td class=\"number\">1000</td><td class=\"number\">0.0516</td>"))
    }

    func testLinearRegressionTrainsWithTheAuthorsOptimisersAndDrawsADivergingRunWithItsGaps() throws {
        let (status, standardError) = try run(["--exercises", "Chapters/linear-regression-scratch.md"])
        XCTAssertEqual(status, 0, standardError)
        let html = try output("linear-regression-scratch.html")

        let wrongWidth = section("wrong-width", in: html)
        XCTAssertTrue(wrongWidth.contains("failed as expected"), wrongWidth)
        XCTAssertTrue(wrongWidth.contains("matmul: inner sizes differ in [32, 2] x [3, 1]"), wrongWidth)
        XCTAssertTrue(wrongWidth.contains("called from Chapters/linear-regression-scratch.md:94"), wrongWidth)

        let train = section("train", in: html)
        XCTAssertTrue(train.contains("<svg"))
        let losses = numbers("loss after 3 epochs: train ([0-9.]+), validation ([0-9.]+)", in: train)
        XCTAssertEqual(losses.count, 2, train)
        XCTAssertLessThan(losses.last ?? 1, 0.1, "the author's SGD learns: \(losses)")
        XCTAssertTrue(try output("linear-regression-scratch-fig1.gp").contains("set logscale y"))

        // Learned parameters within 0.3 of the truth, as d2l's run after 3 epochs.
        let estimates = section("estimates", in: html)
        for name in ["w1", "w2", "b"] {
            let error = numbers("<td>\(name)</td><td class=\"number\">[-0-9.]+</td><td class=\"number\">[-0-9.]+</td><td class=\"number\">([-+0-9.]+)</td>",
                                in: estimates)
            XCTAssertEqual(error.count, 1, "\(name) in \(estimates)")
            XCTAssertLessThan(abs(error.first ?? 1), 0.3, name)
        }

        // Momentum, through the Optimizer protocol, ends far below plain SGD at the same rate.
        let momentum = section("ex-momentum", in: html)
        let sgdLoss = numbers("<td>SGD</td>(?:<td[^>]*>[^<]+</td>){2}<td[^>]*>([-+0-9.e]+)</td>", in: momentum)
        let momentumLoss = numbers("<td>momentum 0.9</td>(?:<td[^>]*>[^<]+</td>){2}<td[^>]*>([-+0-9.e]+)</td>", in: momentum)
        XCTAssertEqual(sgdLoss.count + momentumLoss.count, 2, momentum)
        XCTAssertLessThan((momentumLoss.first ?? 1) * 100, sgdLoss.first ?? 0, momentum)

        // The diverging run: the finite epochs drawn, the rest left out with a note counting
        // them (two series), the axis kept over every epoch.
        let diverging = section("ex-diverging", in: html)
        XCTAssertTrue(diverging.contains("<svg"), diverging)
        let finite = numbers("finite epochs: ([0-9]+) of 10", in: diverging)
        XCTAssertEqual(finite.count, 1, diverging)
        let leftOut = numbers("([0-9]+) points not finite, left out", in: diverging)
        XCTAssertEqual(leftOut.count, 1, diverging)
        if let finite = finite.first, let leftOut = leftOut.first {
            XCTAssertTrue(finite >= 2 && finite < 10, "it diverges after a few epochs: \(finite)")
            XCTAssertEqual(leftOut, 2 * (10 - finite))
        }
        XCTAssertTrue(try output("linear-regression-scratch-fig2.gp").contains("set xrange [1.0:10.0]"))
    }
}
