// swift-tools-version:6.0
// zswift: the ZeroMQ Swiss-army knife. Layers, top to bottom (imports only go down):
//   zswift (executable) -> ZswiftCore (every decision) -> ZMQ (typed libzmq) -> CZMQ (the C header).
// libzmq comes from Debian's libzmq3-dev; there are no package dependencies.
import PackageDescription

let package = Package(
    name: "zswift",
    products: [
        .executable(name: "zswift", targets: ["zswift"]),
        .library(name: "ZMQ", targets: ["ZMQ"]),
    ],
    targets: [
        .systemLibrary(name: "CZMQ", path: "Sources/CZMQ", providers: [.apt(["libzmq3-dev"])]),
        .target(name: "ZMQ", dependencies: ["CZMQ"]),
        .target(name: "ZswiftCore", dependencies: ["ZMQ"]),
        .executableTarget(name: "zswift", dependencies: ["ZswiftCore"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Fuzzing (make fuzz): the checks, which reach ZswiftCore's internals by @testable import
        // (debug builds only), and one libFuzzer entry point per target. Not part of make build.
        .target(name: "FuzzChecks", dependencies: ["ZswiftCore", "ZMQ"], path: "Fuzz/FuzzChecks"),
        .executableTarget(name: "FuzzArguments", dependencies: ["FuzzChecks"], path: "Fuzz/FuzzArguments"),
        .executableTarget(name: "FuzzDecoders", dependencies: ["FuzzChecks"], path: "Fuzz/FuzzDecoders"),
        .executableTarget(name: "FuzzSecurity", dependencies: ["FuzzChecks"], path: "Fuzz/FuzzSecurity"),
        .testTarget(name: "ZMQTests", dependencies: ["ZMQ"]),
        .testTarget(name: "ZswiftCoreTests", dependencies: ["ZswiftCore", "ZMQ", "TestSupport", "FuzzChecks"]),
        .testTarget(name: "ZswiftBinaryTests", dependencies: ["zswift", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
