/// Stops the program with `message` unless `condition` holds.
///
/// Unlike `precondition`, whose message an optimised build drops, this always prints the
/// message: a shape mistake in a chapter cell then reads "matmul: inner sizes differ", and the
/// crash report still points at the cell's line.
@inline(__always)
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
