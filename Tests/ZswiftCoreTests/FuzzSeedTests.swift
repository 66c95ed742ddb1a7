// The fuzz targets' seeds (Fuzz/Seeds/TARGET: a few inputs of each kind, and every input a fuzzer
// ever crashed on) replayed through the checks the fuzz targets make, on every make test, without
// the sanitizers: a fixed bug that comes back fails here before anyone fuzzes.
import Foundation
import FuzzChecks
import Testing
import TestSupport

@Test(arguments: FuzzTarget.allCases)
func everySeedOfAFuzzTargetKeepsTheTargetsInvariants(_ target: FuzzTarget) throws {
    let folder = Paths.packageRoot + "/Fuzz/Seeds/" + target.rawValue
    let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    #expect(names.count >= 3, "\(folder) holds \(names.count) seeds")
    for name in names {
        let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + name), "\(name) is unreadable")
        do { try target.check(Array(bytes)) } catch {
            Issue.record("\(target.rawValue)/\(name): \(error.description)")
        }
    }
}
