import Foundation

/// A book read as characters: windows of `numSteps + 1` characters become (inputs, targets)
/// pairs, targets shifted by one (`d2l.TimeMachine`).
///
/// As in d2l, window `i` starts at character `i`; the first `numTrain` windows train and the
/// next `numVal` validate.
public class TextSequenceData: DataModule {
    public let batchSize: Int
    public let numSteps: Int
    public let numTrain: Int
    public let numVal: Int
    /// The character vocabulary.
    public let vocab: Vocabulary
    /// The whole book as token indices.
    public let corpus: [Int]
    /// The corpus as the floats batches hold, so that a window is a copy, not a conversion.
    private let corpusValues: [Float]

    /// Loads `fileName` from the data directory (see ``DataDirectory``).
    public init(fileName: String, batchSize: Int, numSteps: Int, numTrain: Int = 10_000, numVal: Int = 5_000) throws {
        let text = try DataDirectory.read(fileName)
        let tokens = TextSequenceData.tokenize(TextSequenceData.preprocess(text))
        let vocab = Vocabulary(tokens)
        self.vocab = vocab
        corpus = tokens.map { vocab[$0] }
        corpusValues = corpus.map(Float.init)
        let windows = corpus.count - numSteps
        guard numTrain + numVal <= windows else {
            throw DataError.tooShort(file: fileName, windows: windows, requested: numTrain + numVal)
        }
        self.batchSize = batchSize
        self.numSteps = numSteps
        self.numTrain = numTrain
        self.numVal = numVal
    }

    /// Runs of non-letters become one space; letters are lower-cased.
    public static func preprocess(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            if ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) {
                result.unicodeScalars.append(Unicode.Scalar(scalar.value | 0x20)!)
                lastWasSpace = false
            } else if !lastWasSpace {
                result.append(" ")
                lastWasSpace = true
            }
        }
        return result
    }

    /// One token per character.
    public static func tokenize(_ text: String) -> [String] { text.map { String($0) } }

    /// Inputs and targets of the windows starting at `starts`: `[starts.count, numSteps]` each.
    /// Built on both cores: an epoch's batches are made before its first step, while the
    /// worker would otherwise wait.
    func batch(startingAt starts: ArraySlice<Int>) -> Batch {
        let steps = numSteps, count = starts.count * steps
        var inputs = Tensor.uninitialized(count), targets = Tensor.uninitialized(count)
        corpusValues.withUnsafeBufferPointer { tokens in
            inputs.withUnsafeMutableBufferPointer { x in
                targets.withUnsafeMutableBufferPointer { y in
                    starts.withUnsafeBufferPointer { firsts in
                        Parallelism.forEachPart(firsts.count, minimumPerThread: 256) { rows in
                            for row in rows {
                                let window = tokens.baseAddress! + firsts[row]
                                RowCopy.copy(window, to: x.baseAddress! + row * steps, count: steps)
                                RowCopy.copy(window + 1, to: y.baseAddress! + row * steps, count: steps)
                            }
                        }
                    }
                }
            }
        }
        return Batch(inputs: Tensor(shape: [starts.count, steps], scalars: inputs),
                     targets: Tensor(shape: [starts.count, steps], scalars: targets))
    }

    private func batches(of starts: [Int]) -> [Batch] {
        stride(from: 0, to: starts.count, by: batchSize).map {
            batch(startingAt: starts[$0..<min($0 + batchSize, starts.count)])
        }
    }

    public func trainBatches() -> [Batch] {
        var order = Array(0..<numTrain)
        order.shuffle(using: &Random.generator)
        return batches(of: order)
    }

    public func validationBatches() -> [Batch] {
        batches(of: Array(numTrain..<(numTrain + numVal)))
    }
}

/// *The Time Machine* by H. G. Wells, shipped in `Data/timemachine.txt`.
public final class TimeMachine: TextSequenceData {
    public init(batchSize: Int, numSteps: Int, numTrain: Int = 10_000, numVal: Int = 5_000) throws {
        try super.init(fileName: "timemachine.txt", batchSize: batchSize, numSteps: numSteps,
                       numTrain: numTrain, numVal: numVal)
    }
}

/// Why a data file could not be used.
public enum DataError: Error, CustomStringConvertible {
    case notFound(file: String, searched: [String])
    case tooShort(file: String, windows: Int, requested: Int)

    public var description: String {
        switch self {
        case let .notFound(file, searched):
            return "data file \(file) not found; looked in \(searched.joined(separator: ", ")) (a chapter's own files go in Data/ beside its Chapters/ folder)"
        case let .tooShort(file, windows, requested):
            return "\(file) has \(windows) windows, fewer than the \(requested) requested"
        }
    }
}
