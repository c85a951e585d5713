import CSac
import Foundation
import XCTest

// Helpers of the hardening tests (issue 14): one small agent of every algorithm, trained a little,
// and textual edits of its JSON.

/// The four algorithms' small configs (obs_dim 3, hidden [16, 16], batch 8), named.
let everyAlgorithm: [(name: String, config: sac_config)] = {
    var v1 = sac_config.small()
    v1.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
    return [("continuous", .small()), ("continuous v1", v1), ("discrete", .smallDiscrete()),
            ("soft Q", .smallDiscrete(SAC_ALGO_SOFT_Q))]
}()

extension XCTestCase {
    /// An agent of `config` that has observed 20 transitions and taken 2 gradient steps, so that every
    /// counter, optimizer step and moment of its checkpoint is in use.
    func makeTrainedAgent(_ config: sac_config, file: StaticString = #filePath, line: UInt = #line) throws -> OpaquePointer {
        let agent = try makeAgent(config, file: file, line: line)
        observeTransitions(agent, 0..<20, file: file, line: line)
        _ = update(agent, steps: 2, file: file, line: line)
        return agent
    }
}

/// `json` with the `occurrence`-th match of the regular expression `pattern` replaced by
/// `replacement` (a template: $1 is the first group). Fails the test when there is no such match.
func editing(_ json: [UInt8], _ pattern: String, occurrence: Int = 0, to replacement: String,
             file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    let text = String(decoding: json, as: UTF8.self)
    let expression = try! NSRegularExpression(pattern: pattern)
    let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
    guard occurrence < matches.count else {
        XCTFail("no match \(occurrence) of \(pattern)", file: file, line: line)
        return json
    }
    let match = matches[occurrence]
    let replaced = expression.replacementString(for: match, in: text, offset: 0, template: replacement)
    let edited = (text as NSString).replacingCharacters(in: match.range, with: replaced)
    return Array(edited.utf8)
}

/// How many times `pattern` matches in `json`.
func matchCount(_ json: [UInt8], _ pattern: String) -> Int {
    let text = String(decoding: json, as: UTF8.self)
    return try! NSRegularExpression(pattern: pattern).numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
}

/// sac_from_json on `json`, which must fail with SAC_ERR_FORMAT, leave *out untouched and name each
/// of `mentions` in the message.
func assertRejected(_ json: [UInt8], mentioning mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
    var out: OpaquePointer? = untouchedHandle
    assertFails(SAC_ERR_FORMAT, "sac_from_json", mentioning: mentions, file: file, line: line) {
        json.withUnsafeBytes { sac_from_json($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count, &out) }
    }
    XCTAssertEqual(out, untouchedHandle, "*out was written by a failing call", file: file, line: line)
}
