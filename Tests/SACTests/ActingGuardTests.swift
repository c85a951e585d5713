import CSac
import Foundation
import XCTest

/// Acting never returns SAC_OK with a non-finite action: a policy whose network output is NaN or
/// infinite (weights too large for float arithmetic, or an observation far outside what it can
/// carry) gives SAC_ERR_DIVERGED, writes nothing and draws no random number. Before, a policy holding
/// a weight of 3.4e38 answered NaN actions with SAC_OK, and discrete agents silently answered 0.
final class ActingGuardTests: XCTestCase {
    func testAPolicyWithHugeWeightsRefusesToActForEveryAlgorithm() throws {
        for (name, config) in everyAlgorithm {
            let json = withHugeFirstRow(jsonBytes(try makeTrainedAgent(config), SAC_JSON_POLICY))
            let (agent, twin) = (try loadAgent(json: json), try loadAgent(json: json))
            for deterministic in [true, false] {
                assertActRefused(agent, obs: [2, 2, 2], deterministic: deterministic, "\(name), deterministic \(deterministic)")
            }
            // Nothing was drawn: the agent and an untouched twin give the same stochastic action.
            let calm: [Float] = [-1, -1, -1]  // the huge weights meet a ReLU below 0 here
            XCTAssertEqual(bits(act(agent, calm, deterministic: false)), bits(act(twin, calm, deterministic: false)), name)
        }
    }

    /// Soft Q-learning acts on min(Q1, Q2), and min(NaN, q) can be q: both heads are checked.
    func testASoftQPolicyWithOneBrokenHeadRefusesToAct() throws {
        let json = jsonBytes(try makeTrainedAgent(.smallDiscrete(SAC_ALGO_SOFT_Q)), SAC_JSON_POLICY)
        let layersPerHead = 3  // hidden [16, 16] and the output layer
        let broken = withHugeFirstRow(json, occurrence: layersPerHead)  // the second head's first layer
        XCTAssertNotEqual(broken, withHugeFirstRow(json))
        assertActRefused(try loadAgent(json: broken), obs: [2, 2, 2], deterministic: true, "soft Q, second head")
    }

    func testAnObservationTooLargeForTheNetworkIsRefused() throws {
        for (name, config) in everyAlgorithm {
            let agent = try makeTrainedAgent(config)
            assertActRefused(agent, obs: [3e38, -3e38, 3e38], deterministic: true, name)
        }
    }

    /// With more rows than batch_size the rows are acted on in chunks; a failure in the last chunk
    /// must still leave every row of the output untouched and the random state as it was.
    func testABatchWhoseLastChunkFailsWritesNoRow() throws {
        for (name, config) in everyAlgorithm {
            let json = withHugeFirstRow(jsonBytes(try makeTrainedAgent(config), SAC_JSON_POLICY))
            let (agent, twin) = (try loadAgent(json: json), try loadAgent(json: json))
            let rows = 20  // batch_size 8: chunks of 8, 8 and 4
            var obs = [Float](repeating: -1, count: rows * 3)
            obs[17 * 3] = 2
            for deterministic: Int32 in [1, 0] {
                if config.isDiscrete {
                    var actions = [Int32](repeating: -7, count: rows)
                    assertFails(SAC_ERR_DIVERGED, "sac_act_discrete_batch", mentioning: ["observation 17"]) {
                        sac_act_discrete_batch(agent, obs, rows, obs.count, deterministic, &actions, rows)
                    }
                    XCTAssertEqual(actions, [Int32](repeating: -7, count: rows), name)
                } else {
                    var actions = [Float](repeating: -7, count: rows)
                    assertFails(SAC_ERR_DIVERGED, "sac_act_batch", mentioning: ["observation 17"]) {
                        sac_act_batch(agent, obs, rows, obs.count, deterministic, &actions, rows)
                    }
                    XCTAssertEqual(actions, [Float](repeating: -7, count: rows), name)
                }
            }
            let calm: [Float] = [-1, -1, -1]
            XCTAssertEqual(bits(act(agent, calm, deterministic: false)), bits(act(twin, calm, deterministic: false)),
                           "\(name): the failing calls drew random numbers")
        }
    }

    // MARK: - Helpers

    /// sac_act or sac_act_discrete on `obs` must fail with SAC_ERR_DIVERGED and write nothing.
    private func assertActRefused(_ agent: OpaquePointer, obs: [Float], deterministic: Bool, _ context: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        let config = agentConfig(agent, file: file, line: line)
        if config.isDiscrete {
            var action: Int32 = -7
            assertFails(SAC_ERR_DIVERGED, "sac_act_discrete", mentioning: ["observation 0", "no action was written"],
                        file: file, line: line) {
                sac_act_discrete(agent, obs, obs.count, deterministic ? 1 : 0, &action)
            }
            XCTAssertEqual(action, -7, "\(context): the action was written", file: file, line: line)
        } else {
            var action: [Float] = [-7]
            assertFails(SAC_ERR_DIVERGED, "sac_act", mentioning: ["observation 0", "no action was written"],
                        file: file, line: line) {
                sac_act(agent, obs, obs.count, deterministic ? 1 : 0, &action, 1)
            }
            XCTAssertEqual(action, [-7], "\(context): the action was written", file: file, line: line)
        }
    }

    /// The policy file with every weight from the first input of the first layer set to 3.4e38, a
    /// finite float: an observation whose first element is above 1 overflows the hidden layer.
    /// (`occurrence` picks another layer's weight matrix, in file order.)
    private func withHugeFirstRow(_ json: [UInt8], occurrence: Int = 0, file: StaticString = #filePath,
                                  line: UInt = #line) -> [UInt8] {
        let hidden = 16
        let row = "[" + Array(repeating: "3.4e38", count: hidden).joined(separator: ",") + "]"
        return editing(json, #""weight":\[\[[^\]]*\]"#, occurrence: occurrence, to: "\"weight\":[" + row,
                       file: file, line: line)
    }
}
