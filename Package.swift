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
        .testTarget(name: "ZMQTests", dependencies: ["ZMQ"]),
        .testTarget(name: "ZswiftCoreTests", dependencies: ["ZswiftCore", "ZMQ", "TestSupport"]),
        .testTarget(name: "ZswiftBinaryTests", dependencies: ["zswift", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
