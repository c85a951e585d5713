// swift-tools-version:6.0
import PackageDescription

// libsac: Soft Actor-Critic in Swift behind the C ABI of include/sac.h.
//
// Release builds for users link the Swift runtime statically:
//   swift build -c release -Xswiftc -static-stdlib
// The flag stays on the command line (see Makefile), not here: in Package.swift it would also
// reach the test bundle's link, which then fails on Foundation's static ICU symbols.
var products: [Product] = [
    .library(name: "sac", type: .dynamic, targets: ["SAC"]),
    .executable(name: "sac-bench", targets: ["SACBench"]),
]
var fuzzTargets: [Target] = []
// The libFuzzer harness (fuzz/Sources/SACFuzz) exists only for `make fuzz`, which sets SAC_FUZZ=1 and
// builds it with -sanitize=fuzzer,address: every other build, and the shipped libsac.so, never sees it.
let fuzzing = Context.environment["SAC_FUZZ"] == "1"
if fuzzing {
    products.append(.executable(name: "sac-fuzz", targets: ["SACFuzz"]))
    fuzzTargets.append(.executableTarget(name: "SACFuzz", dependencies: ["SAC", "CSac", "CJSONC"],
                                         path: "fuzz/Sources/SACFuzz"))
}

let package = Package(
    name: "sac",
    products: products,
    targets: [
        // The public header, exposed to Swift, plus the thread-local error slot and the
        // version/status strings, which are plain C data.
        .target(name: "CSac"),
        // json-c, through pkg-config (Debian: libjson-c-dev).
        .systemLibrary(name: "CJSONC", pkgConfig: "json-c", providers: [.apt(["libjson-c-dev"])]),
        // Pure Swift: numerics, networks, the SAC family, serialization (docs/architecture.md has its
        // folders). Its API has no C types or statuses; json-c stays an implementation detail of
        // Serialization/.
        .target(name: "SACCore", dependencies: ["CJSONC", "CKernels"]),
        // The GEMM for AVX-512 and for AVX2/FMA, Adam's vectorised step and CPU detection, in C because
        // Swift cannot compile one function for a CPU feature and dispatch to it at run time; hidden
        // from the .so's exports like the rest.
        .target(name: "CKernels"),
        // The exported functions: argument checking, status codes, handle management.
        .target(
            name: "SAC",
            dependencies: ["CSac", "SACCore"],
            exclude: ["exports.map"],
            // Not in the fuzz build: the version script would also hide the executable's malloc, the
            // address sanitizer's, from the Swift runtime, which would then allocate with glibc's.
            linkerSettings: fuzzing ? [] : [
                .unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--version-script=Sources/SAC/exports.map",
                    "-Xlinker", "-soname=libsac.so.0",
                ]),
            ]
        ),
        // malloc and friends, counted: linked into sac-bench only, for --count-allocations.
        .target(name: "CAllocCounter"),
        // The CPU's peak FMA rate, sac-bench's yardstick: linked into sac-bench only.
        .target(name: "CPeak"),
        .executableTarget(name: "SACBench", dependencies: ["SACCore", "CAllocCounter", "CPeak"]),
        .testTarget(name: "SACCoreTests", dependencies: ["SACCore"]),
        .testTarget(name: "SACTests", dependencies: ["SAC", "CSac", "SACCore"]),
    ] + fuzzTargets
)
