import CSac
import Foundation
import XCTest

// The support of CorruptInputTests: calling the loaders and recording what they did, the valid
// documents the corpus starts from, and a JSON tree to derive corrupt variants from.

// MARK: - Outcomes

/// What one call that should have failed did.
struct RejectionOutcome {
    var status: Int32
    var handleUntouched: Bool
    var primer: String
    var message: String

    /// What is wrong, or nil: the status is `expected`, *out is untouched, and this call set a
    /// message that starts with "<function>: " and contains each of `mentions`.
    func problem(expected: sac_status, function: String, mentioning mentions: [String]) -> String? {
        if status == SAC_OK.rawValue { return "the input was accepted (SAC_OK)" }
        var problems: [String] = []
        if status != expected.rawValue { problems.append("returned \(statusName(status)), not \(statusName(expected.rawValue))") }
        if !handleUntouched { problems.append("*out was written") }
        if message == primer { problems.append("sac_last_error() was not set") }
        if !message.hasPrefix(function + ": ") || message.count <= function.count + 2 {
            problems.append("\"\(message)\" does not start with \"\(function): \"")
        }
        for mention in mentions where !message.contains(mention) {
            problems.append("\"\(message.prefix(300))\" does not mention \(mention)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}

/// Calls `call` with an out-pointer holding `untouchedHandle`; an agent it creates anyway is destroyed.
func rejectionOutcome(function: String, _ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32) -> RejectionOutcome {
    let primer = primeLastError()
    var handle: OpaquePointer? = untouchedHandle
    let status = call(&handle)
    let message = lastErrorMessage()
    if handle != untouchedHandle { sac_agent_destroy(handle) }
    return RejectionOutcome(status: status, handleUntouched: handle == untouchedHandle, primer: primer, message: message)
}

/// sac_from_json on exactly `text` (a valid pointer even when empty).
func rejectionOutcome(of text: UnsafeRawBufferPointer) -> RejectionOutcome {
    let placeholder: [CChar] = [CChar(UInt8(ascii: "{"))]
    return placeholder.withUnsafeBufferPointer { fallback in
        let base = text.baseAddress?.assumingMemoryBound(to: CChar.self) ?? fallback.baseAddress!
        return rejectionOutcome(function: "sac_from_json") { sac_from_json(base, text.count, $0) }
    }
}

/// rejectionOutcome(of:) and its problem for SAC_ERR_FORMAT, or nil if there is none.
func rejectionProblem(of text: UnsafeRawBufferPointer, mentioning mentions: [String]) -> String? {
    rejectionOutcome(of: text).problem(expected: SAC_ERR_FORMAT, function: "sac_from_json", mentioning: mentions)
}

/// B in "... at byte B ...", the offset a JSON syntax error names.
func syntaxErrorOffset(_ message: String) -> Int? {
    guard message.contains("invalid JSON"), let range = message.range(of: "at byte ") else { return nil }
    return Int(message[range.upperBound...].prefix { $0.isNumber })
}

/// The bytes of the random state's words in a checkpoint's text (empty for a policy).
func randomStateRange(in text: [UInt8]) -> Range<Int> {
    guard let start = text.firstRange(of: Array(#""state":["#.utf8))?.upperBound,
          let end = text[start...].firstIndex(of: UInt8(ascii: "]")) else { return 0..<0 }
    return start..<end
}

func jsonPath(_ path: [Step]) -> String {
    path.reduce("$") { text, step in
        switch step {
        case .key(let key): text + "." + key
        case .index(let index): text + "[\(index)]"
        }
    }
}

extension Array where Element == UInt8 {
    func replacingFirst(_ pattern: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard let range = firstRange(of: pattern) else {
            XCTFail("\(String(decoding: pattern, as: UTF8.self)) is not in the text")
            return self
        }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}

// MARK: - The corpus sources

/// A valid document, as text and as a tree to derive corrupt variants from.
struct Source {
    let bytes: [UInt8]
    let tree: JSON

    /// The document after `edit`, as text.
    func callAsFunction(_ edit: (inout JSON) -> Void) -> [UInt8] {
        var copy = tree
        edit(&copy)
        return copy.bytes
    }
}

struct Sources {
    let policy: Source
    let checkpoint: Source
}

extension CorruptInputTests {
    /// The corpus's valid documents: an agent with obs_dim 3, action_dim 2 and hidden [8, 8]
    /// that has observed, trained and sampled a little, so that every checkpoint field is in use.
    func makeSources(file: StaticString = #filePath, line: UInt = #line) throws -> Sources {
        var config = sac_config.small(seed: 11)
        config.action_dim = 2
        config.setBounds(0, low: -1, high: 1)
        config.setBounds(1, low: -3, high: 0.5)
        config.setHiddenSize(0, 8)
        config.setHiddenSize(1, 8)
        config.batch_size = 4
        config.replay_capacity = 16
        let agent = try makeAgent(config, file: file, line: line)
        observeTransitions(agent, 0..<6, file: file, line: line)
        _ = update(agent, steps: 2, file: file, line: line)
        _ = act(agent, probeObservation(3), deterministic: false, file: file, line: line)
        func source(_ kind: sac_json_kind) throws -> Source {
            let bytes = jsonBytes(agent, kind, file: file, line: line)
            return Source(bytes: bytes, tree: try XCTUnwrap(JSON(parsing: bytes), "the test's JSON reader failed", file: file, line: line))
        }
        return Sources(policy: try source(SAC_JSON_POLICY), checkpoint: try source(SAC_JSON_CHECKPOINT))
    }
}

// MARK: - A JSON tree for making variants

/// One step of a path into a JSON tree: an object key or an array index.
enum Step: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

/// A JSON value that keeps the order of keys and the text of every string and number, so that an
/// unmodified tree gives back exactly the bytes it was read from (the control test checks this).
/// It reads only the compact JSON libsac writes; it is scaffolding, not what is under test.
indirect enum JSON {
    case object([Member])
    case array([JSON])
    /// The text between the quotes, escapes as written.
    case string(String)
    /// A number, true, false or null as written, or any other text to splice in.
    case literal(String)

    struct Member {
        var key: String
        var value: JSON
    }

    init?(parsing bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let value = reader.value(), reader.offset == bytes.count else { return nil }
        self = value
    }

    var text: String {
        switch self {
        case .object(let members): "{" + members.map { "\"\($0.key)\":" + $0.value.text }.joined(separator: ",") + "}"
        case .array(let elements): "[" + elements.map(\.text).joined(separator: ",") + "]"
        case .string(let text): "\"" + text + "\""
        case .literal(let text): text
        }
    }

    var bytes: [UInt8] { Array(text.utf8) }

    var keys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.key)
    }

    subscript(_ path: Step...) -> JSON {
        get { self[path] }
        set { self[path] = newValue }
    }

    subscript(_ path: [Step]) -> JSON {
        get {
            guard let first = path.first else { return self }
            return child(first)[Array(path.dropFirst())]
        }
        set {
            guard let first = path.first else {
                self = newValue
                return
            }
            var value = child(first)
            value[Array(path.dropFirst())] = newValue
            setChild(first, value)
        }
    }

    mutating func editArray(_ path: [Step], _ edit: (inout [JSON]) -> Void) {
        guard case .array(var elements) = self[path] else { preconditionFailure("\(jsonPath(path)) is not an array") }
        edit(&elements)
        self[path] = .array(elements)
    }

    mutating func editObject(_ path: [Step], _ edit: (inout [Member]) -> Void) {
        guard case .object(var members) = self[path] else { preconditionFailure("\(jsonPath(path)) is not an object") }
        edit(&members)
        self[path] = .object(members)
    }

    private func child(_ step: Step) -> JSON {
        switch (self, step) {
        case (.object(let members), .key(let key)):
            guard let member = members.first(where: { $0.key == key }) else { preconditionFailure("no key \(key)") }
            return member.value
        case (.array(let elements), .index(let index)):
            return elements[index]
        default:
            preconditionFailure("\(step) does not fit \(text.prefix(40))")
        }
    }

    private mutating func setChild(_ step: Step, _ value: JSON) {
        switch (self, step) {
        case (.object(var members), .key(let key)):
            guard let index = members.firstIndex(where: { $0.key == key }) else { preconditionFailure("no key \(key)") }
            members[index].value = value
            self = .object(members)
        case (.array(var elements), .index(let index)):
            elements[index] = value
            self = .array(elements)
        default:
            preconditionFailure("\(step) does not fit \(text.prefix(40))")
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func value() -> JSON? {
            guard offset < bytes.count else { return nil }
            switch bytes[offset] {
            case UInt8(ascii: "{"):
                offset += 1
                var members: [Member] = []
                if next(is: "}") { return .object(members) }
                repeat {
                    guard let key = string(), next(is: ":"), let value = value() else { return nil }
                    members.append(Member(key: key, value: value))
                } while next(is: ",")
                return next(is: "}") ? .object(members) : nil
            case UInt8(ascii: "["):
                offset += 1
                var elements: [JSON] = []
                if next(is: "]") { return .array(elements) }
                repeat {
                    guard let element = value() else { return nil }
                    elements.append(element)
                } while next(is: ",")
                return next(is: "]") ? .array(elements) : nil
            case UInt8(ascii: "\""):
                return string().map(JSON.string)
            default:
                let start = offset
                while offset < bytes.count, !Array(",]}".utf8).contains(bytes[offset]) { offset += 1 }
                return offset > start ? .literal(String(decoding: bytes[start..<offset], as: UTF8.self)) : nil
            }
        }

        /// A string's text between its quotes.
        mutating func string() -> String? {
            guard next(is: "\"") else { return nil }
            let start = offset
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
                offset += bytes[offset] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        mutating func next(is character: Unicode.Scalar) -> Bool {
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: character) else { return false }
            offset += 1
            return true
        }
    }
}
