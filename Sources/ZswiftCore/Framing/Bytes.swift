// Small helpers that keep typed throws intact where the standard library's rethrowing
// `withUnsafeBytes` would widen them to `any Error`.

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
        var ends: [Int] = []
        for frame in self {
            store.append(frame)
            ends.append(store.count)
        }
        var pointers: [UnsafeRawBufferPointer] = []
        var start = 0
        for end in ends {
            pointers.append(store.bytes(start, end))
            start = end
        }
        return try withExtendedLifetime(store) { () throws(E) -> R in try body(pointers) }
    }
}
