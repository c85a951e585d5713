// swift-tools-version:6.0
import PackageDescription

// libsac: Soft Actor-Critic in Swift behind the C ABI of include/sac.h.
//
// Release builds for users link the Swift runtime statically:
//   swift build -c release -Xswiftc -static-stdlib
// The flag stays on the command line (see Makefile), not here: in Package.swift it would also
// reach the test bundle's link, which then fails on Foundation's static ICU symbols.
let package = Package(
    name: "sac",
    products: [
        .library(name: "sac", type: .dynamic, targets: ["SAC"]),
        .executable(name: "sac-bench", targets: ["SACBench"]),
    ],
    targets: [
        // The public header, exposed to Swift, plus the thread-local error slot and the
        // version/status strings, which are plain C data.
        .target(name: "CSac"),
        // Pure Swift: numerics, networks, SAC. Knows nothing about C pointers or statuses.
        .target(name: "SACCore"),
        // The exported functions: argument checking, status codes, handle management.
        .target(
            name: "SAC",
            dependencies: ["CSac", "SACCore"],
            exclude: ["exports.map"],
            linkerSettings: [
                .unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--version-script=Sources/SAC/exports.map",
                    "-Xlinker", "-soname=libsac.so.0",
                ]),
            ]
        ),
        .executableTarget(name: "SACBench", dependencies: ["SACCore"]),
        .testTarget(name: "SACCoreTests", dependencies: ["SACCore"]),
        .testTarget(name: "SACTests", dependencies: ["SAC", "CSac", "SACCore"]),
    ]
)
