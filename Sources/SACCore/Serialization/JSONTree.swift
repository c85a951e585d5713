import CJSONC
#if canImport(Glibc)
import Glibc
#endif

/// Building JSON through json-c, with numbers formatted by Swift.
///
/// Floats are written as Swift's shortest round-trip text (`Float.description`), handed to json-c
/// verbatim with `json_object_new_double_s`, so the bytes read back bit-identical and do not depend
/// on the C locale of the host process. Non-finite values are refused before they get here.
enum JSONBuild {
    typealias Node = OpaquePointer

    /// An object; a nil member value is JSON null.
    static func object(_ members: [(String, Node?)]) -> Node {
        let object = json_object_new_object()!
        for (key, value) in members { json_object_object_add(object, key, value) }
        return object
    }

    static func array(_ elements: [Node]) -> Node {
        let array = json_object_new_array_ext(Int32(clamping: elements.count))!
        for element in elements { json_object_array_add(array, element) }
        return array
    }

    static func number(_ value: Float) -> Node {
        json_object_new_double_s(Double(value), value.description)!
    }

    /// A float64, as its shortest round-trip text.
    static func number(_ value: Double) -> Node {
        json_object_new_double_s(value, value.description)!
    }

    static func integer(_ value: Int) -> Node { json_object_new_int64(Int64(value))! }
    static func unsigned(_ value: UInt64) -> Node { json_object_new_uint64(value)! }
    static func string(_ value: String) -> Node { json_object_new_string(value)! }
    static func bool(_ value: Bool) -> Node { json_object_new_boolean(value ? 1 : 0)! }
    static func null() -> Node? { nil }

    static func numbers(_ values: UnsafePointer<Float>, count: Int) -> Node {
        let array = json_object_new_array_ext(Int32(clamping: count))!
        for i in 0..<count { json_object_array_add(array, number(values[i])) }
        return array
    }

    /// A row-major [rows × columns] matrix as an array of rows.
    static func matrix(_ values: UnsafePointer<Float>, rows: Int, columns: Int) -> Node {
        array((0..<rows).map { numbers(values + $0 * columns, count: columns) })
    }

    /// Serialises `root` (and releases it) as compact UTF-8 text.
    static func text(_ root: Node) -> String {
        defer { json_object_put(root) }
        var length = 0
        let flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE
        guard let bytes = json_object_to_json_string_length(root, flags, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
}

/// A parsed json-c document; owns the tree and frees it.
final class JSONDocument {
    let root: JSONNode
    private let handle: OpaquePointer

    /// Parses `bytes` strictly: one JSON value, nothing but whitespace after it, nesting at most
    /// `maxDepth`. Errors are `.format` with json-c's reason and the byte offset.
    init(bytes: UnsafeRawBufferPointer, maxDepth: Int32 = 32) throws(SACError) {
        // json-c takes the length as a C int.
        guard bytes.count <= Files.defaultReadLimit else {
            throw SACError(.format, "the JSON text is \(bytes.count) bytes; at most \(Files.defaultReadLimit) bytes can be loaded")
        }
        try JSONStrictness.checkStart(bytes)
        guard let tokener = json_tokener_new_ex(maxDepth) else {
            throw SACError(.outOfMemory, "could not allocate a JSON parser")
        }
        defer { json_tokener_free(tokener) }
        json_tokener_set_flags(tokener, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8)
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let parsed = bytes.isEmpty ? nil : json_tokener_parse_ex(tokener, base, Int32(bytes.count))
        let error = json_tokener_get_error(tokener)
        let end = json_tokener_get_parse_end(tokener)
        guard let parsed, error == json_tokener_success else {
            if let parsed { json_object_put(parsed) }
            let reason = bytes.isEmpty || error == json_tokener_continue
                ? "unexpected end of input (truncated?)" : String(cString: json_tokener_error_desc(error))
            throw SACError(.format, "invalid JSON at byte \(end) of \(bytes.count): \(reason)")
        }
        guard end == bytes.count else {
            json_object_put(parsed)
            throw SACError(.format, "invalid JSON: unexpected data after the document at byte \(end) of \(bytes.count)")
        }
        do {
            try JSONStrictness.check(bytes)
        } catch {
            json_object_put(parsed)
            throw error
        }
        handle = parsed
        root = JSONNode(handle: parsed, path: "$")
    }

    deinit { json_object_put(handle) }
}

/// A value inside a `JSONDocument` and the JSON path that leads to it; every accessor checks the
/// type (json-c asserts on a wrong one) and names the path in its error.
struct JSONNode {
    let handle: OpaquePointer?
    let path: String

    func fail(_ message: String) -> SACError { SACError(.format, "\(path): \(message)") }

    var typeName: String {
        switch json_object_get_type(handle) {
        case json_type_null: "null"
        case json_type_boolean: "a boolean"
        case json_type_double, json_type_int: "a number"
        case json_type_object: "an object"
        case json_type_array: "an array"
        case json_type_string: "a string"
        default: "an unknown value"
        }
    }

    private func expect(_ type: json_type, _ name: String) throws(SACError) {
        guard handle != nil, json_object_get_type(handle) == type else {
            throw fail("expected \(name), got \(typeName)")
        }
    }

    /// Selected members of an object, without checking for other keys (used to read the header
    /// before the kind, and so the full key set, is known).
    func selectedMembers(_ keys: [String]) throws(SACError) -> [String: JSONNode] {
        try expect(json_type_object, "an object")
        var found: [String: JSONNode] = [:]
        for key in keys {
            var value: OpaquePointer?
            guard json_object_object_get_ex(handle, key, &value) != 0 else { throw fail("missing key \"\(key)\"") }
            found[key] = JSONNode(handle: value, path: "\(path).\(key)")
        }
        return found
    }

    /// The members of an object that must have exactly `keys`: a missing or an unknown key is an error.
    func members(_ keys: [String]) throws(SACError) -> [String: JSONNode] {
        try expect(json_type_object, "an object")
        var found: [String: JSONNode] = [:]
        var iterator = json_object_iter_begin(handle)
        var end = json_object_iter_end(handle)
        while json_object_iter_equal(&iterator, &end) == 0 {
            let key = String(cString: json_object_iter_peek_name(&iterator))
            guard keys.contains(key) else {
                throw fail("unexpected key \"\(key)\" (expected: \(keys.joined(separator: ", ")))")
            }
            found[key] = JSONNode(handle: json_object_iter_peek_value(&iterator), path: "\(path).\(key)")
            json_object_iter_next(&iterator)
        }
        for key in keys where found[key] == nil { throw fail("missing key \"\(key)\"") }
        return found
    }

    func elements() throws(SACError) -> [JSONNode] {
        try expect(json_type_array, "an array")
        let count = json_object_array_length(handle)
        return (0..<count).map { JSONNode(handle: json_object_array_get_idx(handle, $0), path: "\(path)[\($0)]") }
    }

    func string() throws(SACError) -> String {
        try expect(json_type_string, "a string")
        return String(cString: json_object_get_string(handle))
    }

    func bool() throws(SACError) -> Bool {
        try expect(json_type_boolean, "a boolean")
        return json_object_get_boolean(handle) != 0
    }

    var isNull: Bool { handle == nil || json_object_get_type(handle) == json_type_null }

    /// A finite float, parsed from the number's own text with `strtof` (glibc rounds correctly, so
    /// the shortest round-trip text libsac writes reads back bit-exactly). Call it inside
    /// `JSONNode.inCLocale`, so that a host process's LC_NUMERIC cannot change the result.
    /// json-c and `JSONStrictness` have already checked the syntax.
    func float() throws(SACError) -> Float { try number(strtof, "float32") }

    /// A finite float64, parsed with `strtod` as `float` parses float32.
    func double() throws(SACError) -> Double { try number(strtod, "float64") }

    private func number<Value: BinaryFloatingPoint>(
        _ parse: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Value,
        _ format: String
    ) throws(SACError) -> Value {
        let type = json_object_get_type(handle)
        guard handle != nil, type == json_type_double || type == json_type_int else {
            throw fail("expected a number, got \(typeName)")
        }
        let text = json_object_get_string(handle)!
        var end: UnsafeMutablePointer<CChar>?
        let value = parse(text, &end)
        guard let end, end != UnsafeMutablePointer(mutating: text), end.pointee == 0 else {
            throw fail("\(String(cString: text)) is not a number")
        }
        guard value.isFinite else { throw fail("\(String(cString: text)) is not a finite \(format)") }
        return value
    }

    /// Runs `body` with this thread's numeric locale set to "C" (`uselocale` changes only the
    /// calling thread, so other threads of the host process are not disturbed).
    static func inCLocale<R>(_ body: () throws(SACError) -> R) throws(SACError) -> R {
        guard let locale = cNumericLocale else { throw SACError(.outOfMemory, "could not create the C locale") }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        return try body()
    }

    /// LC_NUMERIC_MASK is (1 << LC_NUMERIC); the macro itself is not importable.
    nonisolated(unsafe) private static let cNumericLocale: locale_t? = newlocale(1 << LC_NUMERIC, "C", nil)

    /// Element `index` of an array, with its path built only when it is needed for an error.
    func element(_ index: Int) -> JSONNode {
        JSONNode(handle: json_object_array_get_idx(handle, index), path: "\(path)[\(index)]")
    }

    /// An integer in `range`.
    func integer(in range: ClosedRange<Int>) throws(SACError) -> Int {
        try expect(json_type_int, "an integer")
        let text = String(cString: json_object_get_string(handle))
        guard let value = Int(text), range.contains(value) else {
            throw fail("\(text) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func unsigned() throws(SACError) -> UInt64 {
        try expect(json_type_int, "an integer")
        let text = String(cString: json_object_get_string(handle))
        guard let value = UInt64(text) else { throw fail("\(text) is not an unsigned 64-bit integer") }
        return value
    }

    /// A flat array of exactly `count` finite floats, written to `destination`.
    func floats(into destination: UnsafeMutablePointer<Float>, count: Int) throws(SACError) {
        try expect(json_type_array, "an array")
        let length = json_object_array_length(handle)
        guard length == count else { throw fail("expected \(count) numbers, got \(length)") }
        for i in 0..<count { destination[i] = try fastFloat(at: i) }
    }

    /// A [rows × columns] array of rows, written row-major to `destination`.
    func matrix(into destination: UnsafeMutablePointer<Float>, rows: Int, columns: Int) throws(SACError) {
        try expect(json_type_array, "an array")
        let shape = "expected \(rows)x\(columns)"
        let rowCount = json_object_array_length(handle)
        guard rowCount == rows else { throw fail("\(shape), got \(rowCount) rows") }
        for r in 0..<rows {
            let row = element(r)
            try row.expect(json_type_array, "an array")
            let length = json_object_array_length(row.handle)
            guard length == columns else { throw fail("\(shape), got \(rows)x\(length) (row \(r))") }
            for c in 0..<columns { destination[r * columns + c] = try row.fastFloat(at: c) }
        }
    }

    /// Element `index` of this array as a float; the element's path is only built for an error.
    private func fastFloat(at index: Int) throws(SACError) -> Float {
        let item = json_object_array_get_idx(handle, index)
        let type = json_object_get_type(item)
        if type == json_type_double || type == json_type_int, let text = json_object_get_string(item) {
            var end: UnsafeMutablePointer<CChar>?
            let value = strtof(text, &end)
            if value.isFinite, let end, end != UnsafeMutablePointer(mutating: text), end.pointee == 0 { return value }
        }
        return try element(index).float()  // the slow path, for its error message
    }
}
