import CSac
#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's entry points. One executable holds every target; SAC_FUZZ_TARGET picks one:
//   policy      sac_from_json on a policy file, then act and the JSON round trip
//   checkpoint  sac_from_json on a checkpoint of any algorithm, then act, observe, update, save
//   replay      sac_load_replay of the bytes (checksum fixed up) into a small agent, then update
//   config      the bytes as a sac_config for sac_agent_create
// The harness only calls the library and checks what sac.h promises; a broken promise aborts, which
// libFuzzer reports as a crash like any trap or sanitizer report inside libsac.
// SAC_FUZZ_SEEDS=DIR instead writes the seed corpus to DIR and exits (Seeds.swift, make fuzz-seeds);
// SAC_FUZZ_VERBOSE=1 prints what the library said about each input.
// Built only by `make fuzz-build` (SAC_FUZZ=1, see Package.swift); fuzz/run.sh runs the targets.

/// The target chosen by SAC_FUZZ_TARGET, set once in LLVMFuzzerInitialize.
nonisolated(unsafe) var target: @Sendable (UnsafeRawBufferPointer) -> Void = { _ in }

let targets: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
    "policy": fuzzJSON,
    "checkpoint": fuzzJSON,
    "replay": fuzzReplay,
    "config": fuzzConfig,
]

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    if let directory = getenv("SAC_FUZZ_SEEDS") {
        writeSeeds(to: String(cString: directory))
        exit(0)
    }
    let name = getenv("SAC_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let chosen = targets[name] else {
        printError("sac-fuzz: set SAC_FUZZ_TARGET to one of: \(targets.keys.sorted().joined(separator: ", "))"
                   + " (got \"\(name)\")")
        exit(2)
    }
    target = chosen
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    target(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SAC_FUZZ_VERBOSE=1: `note` prints what the library said about each input (to reproduce a case).
let verbose = getenv("SAC_FUZZ_VERBOSE") != nil

/// In verbose mode, the status of `function` and sac_last_error.
func note(_ function: String, _ status: Int32) {
    guard verbose else { return }
    let message = status == SAC_OK.rawValue ? "" : ": \(String(cString: sac_last_error()))"
    printError("sac-fuzz: \(function) -> \(String(cString: sac_status_string(status)))\(message)")
}

/// A broken promise of sac.h: reported as a crash (with the stack, by the address sanitizer).
func violated(_ message: String) -> Never {
    printError("sac-fuzz: \(message) (sac_last_error: \(String(cString: sac_last_error())))")
    abort()
}

/// A line on the standard error stream.
func printError(_ line: String) {
    (line + "\n").withCString { _ = Glibc.write(2, $0, strlen($0)) }
}
