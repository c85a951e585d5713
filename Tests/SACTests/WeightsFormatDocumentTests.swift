import CSac
import Foundation
import XCTest

/// docs/weights-format.md promises that its worked example loads and acts as described; this test
/// reads the example straight from the document so the two cannot drift apart.
final class WeightsFormatDocumentTests: XCTestCase {
    func workedExampleJSON() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/weights-format.md"), encoding: .utf8)
        let section = try XCTUnwrap(document.range(of: "## Worked example"))
        let afterHeading = document[section.upperBound...]
        let start = try XCTUnwrap(afterHeading.range(of: "```json\n"))
        let end = try XCTUnwrap(afterHeading[start.upperBound...].range(of: "```"))
        return String(afterHeading[start.upperBound..<end.lowerBound])
    }

    func testWorkedExampleLoadsAndActsAsDocumented() throws {
        let json = try workedExampleJSON()
        var agent: OpaquePointer?
        let status = json.withCString { sac_from_json($0, strlen($0), &agent) }
        XCTAssertEqual(status, SAC_OK.rawValue, String(cString: sac_last_error()))
        defer { sac_agent_destroy(agent) }

        var action: Float = 0
        XCTAssertEqual(sac_act(agent, [1.0, -0.5], 2, 1, &action, 1), SAC_OK.rawValue)
        // The document's hand computation: tanh(0.8) mapped from [-1, 1] to [-2, 2].
        XCTAssertEqual(Double(action), -2 + (tanh(0.8) + 1) / 2 * 4, accuracy: 2e-6)
        XCTAssertEqual(action, 1.3280735, accuracy: 1e-6)

        // A policy file gives a policy-only agent.
        var stats = sac_update_stats()
        stats.struct_size = MemoryLayout<sac_update_stats>.stride
        XCTAssertEqual(sac_update(agent, 1, &stats), SAC_ERR_POLICY_ONLY.rawValue)
    }
}
