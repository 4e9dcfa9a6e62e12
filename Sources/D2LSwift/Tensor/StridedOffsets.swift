/// Offsets of a strided view: for each element of a tensor of `shape`, in row-major order, the
/// offset `strides` give it in some storage. A broadcast operand (stride 0 on stretched axes)
/// and a permutation (the source's strides reordered) are both walked this way.
enum StridedOffsets {
    static func offsets(shape: [Int], strides: [Int]) -> [Int] {
        precondition(shape.count == strides.count)
        let rank = shape.count, count = shape.reduce(1, *)
        var offsets = [Int](repeating: 0, count: count)
        var counter = [Int](repeating: 0, count: rank)
        var offset = 0
        for i in 0..<count {
            offsets[i] = offset
            // Advance the odometer, last axis fastest.
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1
                offset += strides[axis]
                if counter[axis] < shape[axis] { break }
                offset -= strides[axis] * counter[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return offsets
    }
}
