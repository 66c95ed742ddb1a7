// The --data/--file message: built once (a --file read whole, within the input limit), then
// sent once, --count times or every --interval by the command that sends it.
import Glibc

extension Invocation {
    /// The --data frames, or the bytes of --file as one frame; nil when messages come from stdin.
    func fixedMessage() throws(Exit) -> [[UInt8]]? {
        switch source {
        case .stdin: nil
        case let .frames(frames): frames
        case let .file(path): [try Invocation.readFile(path, self)]
        }
    }

    /// The bytes of --file PATH, refused past the input limit (`--file /dev/zero` has no end).
    private static func readFile(_ path: String, _ invocation: Invocation) throws(Exit) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Exit.runtime("cannot read --file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let reader = InputReader(fd: fd, name: "--file \(path)", capacity: 64 * 1024)
        reader.recordLimit = invocation.inputBytes(in: .raw, slack: 1)  // a file of exactly the limit is fine
        reader.recordLimitName = invocation.inputLimitName
        do throws(Exit) {
            while try reader.fill(record: 1) {}
        } catch {
            guard case let .badInput(reason) = error else { throw error }
            throw Exit.runtime(reason, hint: "--max-msg-size BYTES takes a larger file")
        }
        return Array(reader.unread)
    }

}
