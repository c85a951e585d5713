import CSac
import Foundation
import XCTest

/// Versions, status names and the thread-local sac_last_error.
final class VersionAndErrorTests: XCTestCase {
    func testVersionStringMatchesTheHeader() {
        XCTAssertEqual(String(cString: sac_version_string()), SAC_VERSION_STRING)
        XCTAssertEqual(SAC_VERSION_STRING, "\(SAC_VERSION_MAJOR).\(SAC_VERSION_MINOR).\(SAC_VERSION_PATCH)")
    }

    func testAbiVersionMatchesTheHeader() {
        XCTAssertEqual(sac_abi_version(), SAC_ABI_VERSION)
    }

    func testStatusStringNamesEveryStatus() {
        let names: [(sac_status, String)] = [
            (SAC_OK, "SAC_OK"),
            (SAC_ERR_NULL_ARGUMENT, "SAC_ERR_NULL_ARGUMENT"),
            (SAC_ERR_INVALID_CONFIG, "SAC_ERR_INVALID_CONFIG"),
            (SAC_ERR_LENGTH, "SAC_ERR_LENGTH"),
            (SAC_ERR_NON_FINITE, "SAC_ERR_NON_FINITE"),
            (SAC_ERR_NOT_READY, "SAC_ERR_NOT_READY"),
            (SAC_ERR_STRUCT_SIZE, "SAC_ERR_STRUCT_SIZE"),
            (SAC_ERR_OUT_OF_MEMORY, "SAC_ERR_OUT_OF_MEMORY"),
            (SAC_ERR_INVALID_ARGUMENT, "SAC_ERR_INVALID_ARGUMENT"),
            (SAC_ERR_POLICY_ONLY, "SAC_ERR_POLICY_ONLY"),
            (SAC_ERR_FORMAT, "SAC_ERR_FORMAT"),
            (SAC_ERR_IO, "SAC_ERR_IO"),
            (SAC_ERR_BUFFER_TOO_SMALL, "SAC_ERR_BUFFER_TOO_SMALL"),
            (SAC_ERR_WRONG_ALGORITHM, "SAC_ERR_WRONG_ALGORITHM"),
            (SAC_ERR_DIVERGED, "SAC_ERR_DIVERGED"),
        ]
        XCTAssertEqual(names.map(\.0.rawValue), [0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14])
        for (status, name) in names {
            XCTAssertEqual(statusName(status.rawValue), name)
        }
    }

    func testStatusStringReportsUnknownForOtherValues() {
        for value: Int32 in [12345, 1, -15, .min, .max] {
            XCTAssertEqual(statusName(value), "SAC_ERR_UNKNOWN", "status \(value)")
        }
    }

    func testLastErrorIsEmptyOnAThreadWithoutFailures() {
        XCTAssertEqual(onNewThread { lastErrorMessage() }, "")
    }

    func testSuccessfulCallsDoNotClearTheLastError() throws {
        let message = assertFails(SAC_ERR_NULL_ARGUMENT, "sac_update", mentioning: ["agent", "NULL"]) {
            sac_update(nil, 1, nil)
        }
        let agent = try makeAgent()
        observeTransitions(agent, 0..<8)
        _ = update(agent)
        _ = deterministicAction(agent, [0, 0, 0])
        XCTAssertEqual(lastErrorMessage(), message)
    }

    func testLastErrorIsThreadLocal() {
        let message = assertFails(SAC_ERR_NULL_ARGUMENT, "sac_replay_size", mentioning: ["agent", "NULL"]) {
            sac_replay_size(nil, nil)
        }
        let otherThreadsMessage = onNewThread { () -> String in
            var config = sac_config.small()
            config.obs_dim = 0
            var handle: OpaquePointer?
            let status = sac_agent_create(&config, &handle)
            return "\(statusName(status)) \(lastErrorMessage())"
        }
        XCTAssertTrue(otherThreadsMessage.hasPrefix("SAC_ERR_INVALID_CONFIG sac_agent_create: "), otherThreadsMessage)
        XCTAssertTrue(otherThreadsMessage.contains("obs_dim"), otherThreadsMessage)
        XCTAssertEqual(lastErrorMessage(), message)
    }

    /// Runs `body` on a new thread and waits for its result.
    private func onNewThread(_ body: @escaping @Sendable () -> String) -> String {
        final class Result: @unchecked Sendable { var value = "" }  // written before signal, read after wait
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result.value = body()
            done.signal()
        }
        thread.start()
        done.wait()
        return result.value
    }
}
