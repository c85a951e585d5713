import CSac
import SACCore

/// Runs `body`, turning a thrown `SACError` into its status code and this thread's
/// `sac_last_error` message, prefixed with the exported function's name.
func reportingErrors(_ function: StaticString, _ body: () throws(SACError) -> Void) -> Int32 {
    do {
        try body()
        return SAC_OK.rawValue
    } catch {
        if error != .quietBufferTooSmall {
            "\(function): \(error.message)".withCString { libsac_set_last_error($0) }
        }
        return error.kind.status.rawValue
    }
}

extension SACError {
    /// The status of sac_to_json's size query, which leaves sac_last_error() alone.
    static let quietBufferTooSmall = SACError(.bufferTooSmall, "")
}

extension SACError.Kind {
    var status: sac_status {
        switch self {
        case .invalidArgument: SAC_ERR_INVALID_ARGUMENT
        case .invalidConfig: SAC_ERR_INVALID_CONFIG
        case .length: SAC_ERR_LENGTH
        case .nonFinite: SAC_ERR_NON_FINITE
        case .notReady: SAC_ERR_NOT_READY
        case .outOfMemory: SAC_ERR_OUT_OF_MEMORY
        case .structSize: SAC_ERR_STRUCT_SIZE
        case .nullArgument: SAC_ERR_NULL_ARGUMENT
        case .policyOnly: SAC_ERR_POLICY_ONLY
        case .format: SAC_ERR_FORMAT
        case .io: SAC_ERR_IO
        case .bufferTooSmall: SAC_ERR_BUFFER_TOO_SMALL
        case .wrongAlgorithm: SAC_ERR_WRONG_ALGORITHM
        case .diverged: SAC_ERR_DIVERGED
        }
    }
}

/// The checks every export repeats on caller input; each throws a message naming the argument.
enum Check {
    static func notNull<T>(_ pointer: T?, _ name: String) throws(SACError) -> T {
        guard let pointer else { throw SACError(.nullArgument, "\(name) is NULL") }
        return pointer
    }

    static func length(_ actual: Int, _ name: String, expected: Int, _ what: String) throws(SACError) {
        guard actual == expected else {
            throw SACError(.length, "\(name) is \(actual) but the agent was created with \(what) \(expected)")
        }
    }

    static func finite(_ values: UnsafePointer<Float>, count: Int, _ name: String) throws(SACError) {
        for i in 0..<count where !values[i].isFinite {
            throw SACError(.nonFinite, "\(name)[\(i)] is \(values[i]); inputs must be finite")
        }
    }

    static func actionIndex(_ index: Int32, _ name: String, count: Int) throws(SACError) {
        guard index >= 0, Int(index) < count else {
            throw SACError(.invalidArgument, "\(name) is \(index); it must be an action index in 0...\(count - 1) (n_actions is \(count))")
        }
    }

    /// A versioned struct's size must cover its first published version and not exceed ours.
    static func structSize(_ size: Int, _ name: String, minimum: Int, known: Int) throws(SACError) {
        guard size >= minimum, size <= known else {
            let range = minimum == known ? "\(known)" : "between \(minimum) and \(known)"
            throw SACError(.structSize,
                           "\(name) is \(size) but this library expects \(range) (sizeof as this library's sac.h declares it)")
        }
    }
}
