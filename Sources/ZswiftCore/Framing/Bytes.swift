// Small helpers for bytes: typed-throws wrappers where the standard library's rethrowing
// `withUnsafeBytes` would widen errors to `any Error`, and frames laid out in one buffer.

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps the body's typed error.
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }
        return try result.get()
    }
}

extension Array where Element == [UInt8] {
    /// Calls `body` with pointers to each element's bytes (copied once into one buffer).
    func withFramePointers<R, E: Error>(_ body: ([UnsafeRawBufferPointer]) throws(E) -> R) throws(E) -> R {
        let store = ByteBuffer(capacity: reduce(0) { $0 + $1.count } + 1)
        let pointers = store.pointers(to: self)
        return try withExtendedLifetime(store) { () throws(E) -> R in try body(pointers) }
    }
}

extension ByteBuffer {
    /// Replaces the contents with `frames`, one after another, and returns a pointer to each
    /// (valid until the buffer is next changed).
    func pointers(to frames: [[UInt8]]) -> [UnsafeRawBufferPointer] {
        count = 0
        reserve(frames.reduce(0) { $0 + $1.count } + 1)  // no growth (and move) while appending
        var ends: [Int] = []
        for frame in frames {
            append(frame)
            ends.append(count)
        }
        var start = 0
        return ends.map { (end) -> UnsafeRawBufferPointer in
            defer { start = end }
            return bytes(start, end)
        }
    }
}
