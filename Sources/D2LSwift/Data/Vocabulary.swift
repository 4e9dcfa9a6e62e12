/// Maps tokens to indices and back; unknown tokens map to `<unk>` (`d2l.Vocab`).
public struct Vocabulary {
    /// The tokens in index order: the sorted set of distinct tokens plus `<unk>`.
    public let idxToToken: [String]
    private let tokenToIdx: [String: Int]

    /// Builds the vocabulary of `tokens`, keeping those seen at least `minFrequency` times.
    public init<S: Sequence>(_ tokens: S, minFrequency: Int = 0) where S.Element == String {
        var counts: [String: Int] = [:]
        for token in tokens { counts[token, default: 0] += 1 }
        let kept = counts.filter { $0.value >= minFrequency }.map(\.key)
        idxToToken = Array(Set(kept + ["<unk>"])).sorted()
        tokenToIdx = Dictionary(uniqueKeysWithValues: idxToToken.enumerated().map { ($1, $0) })
    }

    /// The number of tokens, `<unk>` included.
    public var count: Int { idxToToken.count }
    /// The index of `<unk>`.
    public var unknownIndex: Int { tokenToIdx["<unk>"]! }

    /// The index of `token`, or of `<unk>`.
    public subscript(token: String) -> Int { tokenToIdx[token] ?? unknownIndex }
    /// The index of a one-character token.
    public subscript(character: Character) -> Int { self[String(character)] }
    /// The token at `index`.
    public func token(_ index: Int) -> String { idxToToken[index] }
}
