// The committed man page, completions and README tables equal what the flag table generates
// (swift-argument-parser's model). When this fails, run `make generate` and commit the result.
import Glibc
import Testing
import TestSupport
@testable import ZswiftCore

func readText(_ path: String) -> String? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Test(arguments: ["man", "bash", "zsh", "fish"])
func theCommittedGeneratedFileMatchesTheFlagTable(target: String) throws {
    let path = Generate.paths[target]!
    let committed = try #require(readText(Paths.packageRoot + "/" + path), "\(path) is missing: run `make generate`")
    #expect(committed == Generate.text(target), "\(path) is out of date: run `make generate` and commit it")
}

@Test(arguments: ["formats", "exit-status", "commands"])
func theReadmeTableMatchesTheFlagTable(section: String) throws {
    let readme = try #require(readText(Paths.packageRoot + "/README.md"))
    let begin = "<!-- generated: \(section) -->\n", end = "<!-- end: \(section) -->"
    let start = try #require(readme.firstRange(of: begin), "README.md lacks the \(section) markers")
    let stop = try #require(readme.firstRange(of: end))
    #expect(String(readme[start.upperBound..<stop.lowerBound]) == Generate.text("readme-\(section)"),
            "README.md's \(section) table is out of date: run `make generate` and commit it")
}
