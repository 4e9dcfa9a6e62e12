import Notebook

/// The server's edge: the engine's cell states and answers carry structured outputs only; the
/// server adds their HTML (the weave stage's, as the static page shows them) as it answers.
enum OutputsHTML {
    private static let weaver = HTMLWeaver(title: "", katex: nil, mode: .live)

    /// `state` with its outputs as HTML, and its note when it has not run.
    static func rendered(_ state: LiveCellState) -> LiveCellState {
        var state = state
        let showsNote = state.kind != .listing && (state.status == .notRun || state.status == .skipped)
        state.html = weaver.outputsHTML(state.outputs, note: showsNote ? state.note : nil)
        return state
    }

    static func rendered(_ chapter: LiveChapterState) -> LiveChapterState {
        var chapter = chapter
        chapter.cells = chapter.cells.map(rendered)
        return chapter
    }

    static func rendered(_ answer: LiveRunAnswer) -> LiveRunAnswer {
        var answer = answer
        answer.html = weaver.outputsHTML(answer.outputs, note: nil)
        return answer
    }

    static func rendered(_ event: LiveEvent) -> LiveEvent {
        guard case let .cell(state) = event else { return event }
        return .cell(rendered(state))
    }
}
