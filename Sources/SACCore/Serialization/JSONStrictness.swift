/// The checks json-c's strict mode leaves out, run over the raw text once json-c has accepted it.
///
/// json-c saturates integers beyond 64 bits (a 400-digit seed would load as UInt64.max), cuts keys
/// and string values at an escaped NUL ("policy\u0000x" would read as "policy"), accepts a few
/// non-JSON spellings ('single quotes', `1.`, `1.e-1`) and keeps the last of duplicate keys. A
/// weights file that is not exactly what it says must not load, so this pass rejects all of them,
/// naming the JSON path where it can. It relies on json-c having checked the overall structure.
enum JSONStrictness {
    /// Cheap checks before json-c builds a tree: the text must start with an object. This turns
    /// away, say, 100 MB of a bare array without the cost of parsing it.
    static func checkStart(_ bytes: UnsafeRawBufferPointer) throws(SACError) {
        var i = 0
        while i < bytes.count, isWhitespace(bytes[i]) { i += 1 }
        guard i < bytes.count else {
            throw SACError(.format, "invalid JSON at byte \(i) of \(bytes.count): unexpected end of input (truncated?)")
        }
        guard bytes[i] == UInt8(ascii: "{") else {
            throw SACError(.format, "invalid JSON at byte \(i) of \(bytes.count): expected a JSON object ('{')")
        }
    }

    static func check(_ bytes: UnsafeRawBufferPointer) throws(SACError) {
        var scanner = Scanner(bytes: bytes)
        try scanner.run()
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// One open object or array, for the JSON path of an error.
    private struct Frame {
        let isObject: Bool
        var keys: Set<[UInt8]> = []
        var key = ""
        var index = 0
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        var frames: [Frame] = []

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var path: String {
            frames.reduce("$") { path, frame in frame.isObject ? "\(path).\(frame.key)" : "\(path)[\(frame.index)]" }
        }

        func fail(_ message: String) -> SACError {
            SACError(.format, "\(path): \(message) (byte \(index) of \(bytes.count))")
        }

        mutating func run() throws(SACError) {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    let content = try string()
                    if frames.last?.isObject == true && nextNonWhitespaceIs(UInt8(ascii: ":")) {
                        let key = String(decoding: content, as: UTF8.self)
                        guard frames[frames.count - 1].keys.insert(content).inserted else {
                            throw fail("duplicate key \"\(key)\"")
                        }
                        frames[frames.count - 1].key = key
                    }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try number()
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    frames.append(Frame(isObject: bytes[index] == UInt8(ascii: "{")))
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    _ = frames.popLast()
                    index += 1
                case UInt8(ascii: ","):
                    if frames.last?.isObject == false { frames[frames.count - 1].index += 1 }
                    index += 1
                case UInt8(ascii: "'"):
                    throw fail("single-quoted strings are not JSON")
                default:
                    index += 1
                }
            }
        }

        func nextNonWhitespaceIs(_ expected: UInt8) -> Bool {
            var i = index
            while i < bytes.count, isWhitespace(bytes[i]) { i += 1 }
            return i < bytes.count && bytes[i] == expected
        }

        /// Consumes a string starting at its opening quote; returns its raw (still escaped) bytes.
        mutating func string() throws(SACError) -> [UInt8] {
            index += 1
            var content: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return content
                }
                if byte < 0x20 { throw fail("control character 0x\(String(byte, radix: 16)) inside a string") }
                if byte == UInt8(ascii: "\\") {
                    if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
                       (2...5).allSatisfy({ bytes[index + $0] == UInt8(ascii: "0") }) {
                        throw fail("\\u0000 inside a string")
                    }
                    content.append(byte)
                    index += 1
                    guard index < bytes.count else { break }
                }
                content.append(bytes[index])
                index += 1
            }
            throw fail("unterminated string")
        }

        /// Consumes a number; rejects a fraction or exponent without digits and integer literals
        /// that do not fit 64 bits.
        mutating func number() throws(SACError) {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerDigits = digits()
            guard integerDigits > 0 else { throw fail("a number needs digits") }
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard digits() > 0 else { throw fail("a fraction needs digits after '.'") }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw fail("an exponent needs digits") }
            }
            if isInteger && integerDigits >= 19 {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                guard Int64(text) != nil || UInt64(text) != nil else {
                    throw fail("the integer \(text.prefix(24))\(text.count > 24 ? "..." : "") does not fit 64 bits")
                }
            }
        }

        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
    }
}
