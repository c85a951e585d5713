import CSac
import Foundation
import XCTest

/// sac_from_json (and sac_load_json) on a corpus of corrupt inputs made from a valid policy and a
/// valid checkpoint (obs_dim 3, action_dim 2, hidden [8, 8]). Every case must fail with
/// SAC_ERR_FORMAT, leave *out untouched, not crash, and set a message "sac_from_json: ..." that
/// names the JSON path wherever the corruption is at a known place.
final class CorruptInputTests: XCTestCase {
    // MARK: - Controls

    func testTheValidSourcesLoadAndTheTestTreeReproducesThemExactly() throws {
        let sources = try makeSources()
        for (name, source, kind) in [("policy", sources.policy, SAC_JSON_POLICY), ("checkpoint", sources.checkpoint, SAC_JSON_CHECKPOINT)] {
            let (bytes, tree) = (source.bytes, source.tree)
            XCTAssertEqual(tree.bytes, bytes, "\(name): the test's JSON tree does not reproduce the text")
            XCTAssertEqual(jsonBytes(try loadAgent(json: bytes), kind), bytes, name)
            XCTAssertEqual(jsonBytes(try loadAgent(json: Array(" \n\t\r".utf8) + bytes + Array("\r\n\t ".utf8)), kind), bytes,
                           "\(name) surrounded by whitespace")
        }
        // The mutations below change one thing; harmless edits of the same kind must still load.
        _ = try loadAgent(json: sources.policy { $0["config", "seed"] = .literal("12345") })
        _ = try loadAgent(json: sources.policy { $0["actor", "layers", 1, "weight", 2, 5] = .literal("-0.25") })
        _ = try loadAgent(json: sources.policy { $0["actor", "log_std_min"] = .literal("-20") })
        _ = try loadAgent(json: sources.checkpoint { $0["rng", "spare_normal"] = .literal("0.5") })
        _ = try loadAgent(json: sources.checkpoint { $0["rng", "state", 0] = .string("ABCDEF0123456789") })
        _ = try loadAgent(json: sources.checkpoint { $0["counters", "env_steps"] = .literal("9007199254740992") })  // 2^53
        _ = try loadAgent(json: sources.checkpoint { $0.editObject([]) { $0.reverse() } })
    }

    // MARK: - Truncation and byte flips

    func testEveryTruncationOfThePolicyIsRejected() throws {
        let policy = try makeSources().policy.bytes
        // The whole text stays readable behind `length`: a reader that looks past it would succeed.
        let problems = policy.withUnsafeBytes { text in
            (0..<policy.count).compactMap { length in
                rejectionProblem(of: UnsafeRawBufferPointer(rebasing: text[0..<length]), mentioning: ["of \(length):", "truncated"])
                    .map { "length \(length): \($0)" }
            }
        }
        assertNoProblems(problems, outOf: policy.count)
    }

    func testTruncationsOfTheCheckpointAreRejected() throws {
        let checkpoint = try makeSources().checkpoint.bytes
        let step = checkpoint.count / 300
        let lengths = Set([0, 1, 2, checkpoint.count - 2, checkpoint.count - 1] + Array(stride(from: 3, to: checkpoint.count, by: step)))
        let problems = checkpoint.withUnsafeBytes { text in
            lengths.sorted().compactMap { length in
                rejectionProblem(of: UnsafeRawBufferPointer(rebasing: text[0..<length]), mentioning: ["of \(length):", "truncated"])
                    .map { "length \(length): \($0)" }
            }
        }
        XCTAssertGreaterThan(lengths.count, 300)
        assertNoProblems(problems, outOf: lengths.count)
    }

    func testByteFlipsInThePolicyAreRejected() throws {
        let policy = try makeSources().policy.bytes
        assertByteFlipsRejected(policy, positions: Array(stride(from: 0, to: policy.count, by: 7)) + [policy.count - 1])
    }

    func testByteFlipsInTheCheckpointAreRejected() throws {
        let checkpoint = try makeSources().checkpoint.bytes
        // Every 11th byte: a flip that leaves the document valid makes a whole agent, slow in debug builds.
        assertByteFlipsRejected(checkpoint, positions: Array(stride(from: 3, to: checkpoint.count, by: 11)) + [checkpoint.count - 1])
    }

    /// Replaces the byte at each position with each of a few values. Only '9' in place of a
    /// character of a number ("-0.5" -> "90.5") or of a hexadecimal random-state word may give
    /// another valid document; everything else must be rejected, with a JSON syntax error at or
    /// after the position or a message naming a JSON path.
    private func assertByteFlipsRejected(_ valid: [UInt8], positions: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let replacements: [UInt8] = [UInt8(ascii: "{"), UInt8(ascii: "\""), 0x00, 0xFF, UInt8(ascii: "9"), UInt8(ascii: "]")]
        let stateRange = randomStateRange(in: valid)
        var problems: [String] = []
        var cases = 0
        var bytes = valid
        for position in positions {
            for replacement in replacements where valid[position] != replacement {
                cases += 1
                bytes[position] = replacement
                defer { bytes[position] = valid[position] }
                let original = valid[position]
                let mayStayValid = replacement == UInt8(ascii: "9")
                    && (Array("0123456789-.".utf8).contains(original)
                        || (stateRange.contains(position) && Array("abcdef".utf8).contains(original)))
                let outcome = bytes.withUnsafeBytes { rejectionOutcome(of: $0) }
                if outcome.status == SAC_OK.rawValue && mayStayValid { continue }
                var problem = outcome.problem(expected: SAC_ERR_FORMAT, function: "sac_from_json", mentioning: [])
                if problem == nil, let offset = syntaxErrorOffset(outcome.message), offset < position {
                    problem = "\"\(outcome.message)\" reports an offset before the change"
                } else if problem == nil, syntaxErrorOffset(outcome.message) == nil, !outcome.message.hasPrefix("sac_from_json: $") {
                    problem = "\"\(outcome.message)\" names neither a byte offset nor a JSON path"
                }
                if let problem {
                    problems.append("byte \(position) ('\(Character(Unicode.Scalar(original)))' -> 0x\(String(replacement, radix: 16))): \(problem)")
                }
            }
        }
        assertNoProblems(problems, outOf: cases, file: file, line: line)
    }

    // MARK: - Header

    func testWrongFormatVersionIsRejected() throws {
        let sources = try makeSources()
        let cases: [(String, [String])] = [
            ("0", ["version 0"]), ("4", ["version 4"]), ("-1", ["-1"]), (#""1""#, ["a string"]), ("1.5", ["a number"]),
            ("1.0", ["a number"]), ("1e0", ["a number"]), ("null", ["null"]), ("true", ["a boolean"]), ("[1]", ["an array"]),
            ("4294967297", ["4294967297"]),
        ]
        for (value, mentions) in cases {
            for (name, source) in [("policy", sources.policy), ("checkpoint", sources.checkpoint)] {
                assertRejected(source { $0["format_version"] = .literal(value) }, mentioning: ["$.format_version: "] + mentions,
                               "\(name) with format_version \(value)")
            }
        }
    }

    func testWrongFormatNameKindOrAlgorithmIsRejected() throws {
        let s = try makeSources()
        for value in [#""libsac2""#, #""LIBSAC""#, #""""#, #"" libsac""#, "1", "null"] {
            assertRejected(s.policy { $0["format"] = .literal(value) }, mentioning: ["$.format: "], "format \(value)")
        }
        for value in [#""weights""#, #""Policy""#, #""""#, #""policy ""#, "1", "null"] {
            assertRejected(s.policy { $0["kind"] = .literal(value) }, mentioning: ["$.kind: "], "kind \(value)")
            assertRejected(s.checkpoint { $0["kind"] = .literal(value) }, mentioning: ["$.kind: "], "checkpoint kind \(value)")
        }
        assertRejected(s.policy { $0["kind"] = .string("checkpoint") }, mentioning: [#"$: missing key "critics""#],
                       "a policy that claims to be a checkpoint")
        assertRejected(s.checkpoint { $0["kind"] = .string("policy") }, mentioning: [#"$: unexpected key "critics""#],
                       "a checkpoint that claims to be a policy")
        for value in [#""ppo""#, #""continuous_SAC""#, #""""#, "0", "{}"] {
            assertRejected(s.policy { $0["algorithm"] = .literal(value) }, mentioning: ["$.algorithm: "], "algorithm \(value)")
        }
        // A known algorithm whose config does not fit it: the config is what is wrong.
        assertRejected(s.policy { $0["algorithm"] = .string("discrete_sac") }, mentioning: ["$.config.action_dim"],
                       "a continuous file relabelled discrete_sac")
        assertRejected(s.policy { $0["format_version"] = .literal("1") }, mentioning: ["$.config", "n_actions"],
                       "a version 2 file relabelled version 1")
    }

    // MARK: - Missing and unknown keys

    func testMissingKeysAreRejectedNamingTheObjectAndTheKey() throws {
        let s = try makeSources()
        var cases: [(source: Source, object: [Step], path: String)] = [
            (s.policy, [], "$"), (s.checkpoint, [], "$"), (s.policy, ["config"], "$.config"), (s.policy, ["actor"], "$.actor"),
            (s.policy, ["actor", "layers", 1], "$.actor.layers[1]"), (s.checkpoint, ["actor", "layers", 2], "$.actor.layers[2]"),
            (s.checkpoint, ["critics", 1], "$.critics[1]"), (s.checkpoint, ["critics", 0, "layers", 2], "$.critics[0].layers[2]"),
            (s.checkpoint, ["target_critics", 1, "layers", 0], "$.target_critics[1].layers[0]"),
            (s.checkpoint, ["optimizers"], "$.optimizers"), (s.checkpoint, ["counters"], "$.counters"), (s.checkpoint, ["rng"], "$.rng"),
        ]
        cases += ["actor", "critic1", "critic2", "log_alpha"].map { name -> (source: Source, object: [Step], path: String) in
            (s.checkpoint, ["optimizers", .key(name)], "$.optimizers.\(name)")
        }
        var count = 0
        for (source, object, path) in cases {
            for key in source.tree[object].keys {
                count += 1
                assertRejected(source { $0.editObject(object) { $0.removeAll { $0.key == key } } },
                               mentioning: [#"\#(path): missing key "\#(key)""#], "without \(path).\(key)")
            }
        }
        XCTAssertEqual(count, 74, "keys removed")
    }

    func testUnknownKeysAreRejectedNamingTheObjectAndTheKey() throws {
        let s = try makeSources()
        let cases: [(source: Source, object: [Step], path: String)] = [
            (s.policy, [], "$"), (s.checkpoint, [], "$"), (s.policy, ["config"], "$.config"), (s.policy, ["actor"], "$.actor"),
            (s.policy, ["actor", "layers", 1], "$.actor.layers[1]"), (s.checkpoint, ["critics", 1], "$.critics[1]"),
            (s.checkpoint, ["critics", 1, "layers", 0], "$.critics[1].layers[0]"), (s.checkpoint, ["target_critics", 0], "$.target_critics[0]"),
            (s.checkpoint, ["optimizers"], "$.optimizers"), (s.checkpoint, ["optimizers", "log_alpha"], "$.optimizers.log_alpha"),
            (s.checkpoint, ["counters"], "$.counters"), (s.checkpoint, ["rng"], "$.rng"),
        ]
        for (source, object, path) in cases {
            for key in ["extra", "", "Weight", "obs_dim "] {
                assertRejected(source { $0.editObject(object) { $0.append(.init(key: key, value: .literal("0"))) } },
                               mentioning: [#"\#(path): unexpected key "\#(key)""#], "\(path) with key \"\(key)\"")
            }
        }
        for key in ["critics", "target_critics", "log_alpha", "optimizers", "counters", "rng"] {
            assertRejected(s.policy { $0.editObject([]) { $0.append(.init(key: key, value: s.checkpoint.tree[.key(key)])) } },
                           mentioning: [#"$: unexpected key "\#(key)""#], "a policy with the checkpoint's \(key)")
        }
    }

    // MARK: - Types and shapes

    func testWrongTypesAreRejectedNamingThePath() throws {
        let s = try makeSources()
        let cases: [(Source, [Step], String, String)] = [
            (s.policy, ["config", "obs_dim"], #""3""#, "expected an integer, got a string"),
            (s.policy, ["config", "obs_dim"], "3.0", "expected an integer, got a number"),
            (s.policy, ["config", "batch_size"], "true", "expected an integer, got a boolean"),
            (s.policy, ["config", "seed"], "null", "expected an integer, got null"),
            (s.policy, ["config", "seed"], "1.5", "expected an integer, got a number"),
            (s.policy, ["config", "gamma"], #""0.99""#, "expected a number, got a string"),
            (s.policy, ["config", "gamma"], "null", "expected a number, got null"),
            (s.policy, ["config", "tau"], "[0.005]", "expected a number, got an array"),
            (s.policy, ["config", "actor_lr"], "{}", "expected a number, got an object"),
            (s.policy, ["config", "auto_alpha"], "1", "expected a boolean, got a number"),
            (s.policy, ["config", "auto_alpha"], #""true""#, "expected a boolean, got a string"),
            (s.policy, ["config", "hidden_sizes"], #"{"0":8}"#, "expected an array, got an object"),
            (s.policy, ["config", "hidden_sizes", 1], "8.0", "expected an integer, got a number"),
            (s.policy, ["config", "action_low"], "-1.0", "expected an array, got a number"),
            (s.policy, ["config", "action_high", 1], "true", "expected a number, got a boolean"),
            (s.policy, ["config"], "[]", "expected an object, got an array"),
            (s.policy, ["actor"], "null", "expected an object, got null"),
            (s.policy, ["actor", "hidden_activation"], "1", "expected a string, got a number"),
            (s.policy, ["actor", "log_std_min"], #""-20""#, "expected a number, got a string"),
            (s.policy, ["actor", "layers"], "{}", "expected an array, got an object"),
            (s.policy, ["actor", "layers", 1], "[]", "expected an object, got an array"),
            (s.policy, ["actor", "layers", 1, "weight"], #"{"0":[]}"#, "expected an array, got an object"),
            (s.policy, ["actor", "layers", 1, "weight", 2], "0.5", "expected an array, got a number"),
            (s.policy, ["actor", "layers", 1, "weight", 2, 5], #""0.5""#, "expected a number, got a string"),
            (s.policy, ["actor", "layers", 1, "weight", 2, 5], "null", "expected a number, got null"),
            (s.policy, ["actor", "layers", 1, "weight", 2, 5], "[0.5]", "expected a number, got an array"),
            (s.policy, ["actor", "layers", 0, "bias"], "0.0", "expected an array, got a number"),
            (s.policy, ["actor", "layers", 0, "bias", 3], "false", "expected a number, got a boolean"),
            (s.checkpoint, ["critics"], "{}", "expected an array, got an object"),
            (s.checkpoint, ["critics", 0], "[]", "expected an object, got an array"),
            (s.checkpoint, ["target_critics", 1, "layers"], "null", "expected an array, got null"),
            (s.checkpoint, ["log_alpha"], #""0""#, "expected a number, got a string"),
            (s.checkpoint, ["log_alpha"], "null", "expected a number, got null"),
            (s.checkpoint, ["optimizers"], "[]", "expected an object, got an array"),
            (s.checkpoint, ["optimizers", "actor", "step"], "1.5", "expected an integer, got a number"),
            (s.checkpoint, ["optimizers", "actor", "step"], #""2""#, "expected an integer, got a string"),
            (s.checkpoint, ["optimizers", "critic2", "m"], "{}", "expected an array, got an object"),
            (s.checkpoint, ["optimizers", "critic1", "v", 4], "null", "expected a number, got null"),
            (s.checkpoint, ["counters", "env_steps"], "6.0", "expected an integer, got a number"),
            (s.checkpoint, ["counters", "gradient_steps"], "false", "expected an integer, got a boolean"),
            (s.checkpoint, ["rng", "state"], #""0123456789abcdef""#, "expected an array, got a string"),
            (s.checkpoint, ["rng", "state", 0], "1", "expected a string, got a number"),
            (s.checkpoint, ["rng", "spare_normal"], #""x""#, "expected a number, got a string"),
            (s.checkpoint, ["rng", "spare_normal"], "false", "expected a number, got a boolean"),
        ]
        for (source, path, value, expectation) in cases {
            assertRejected(source { $0[path] = .literal(value) }, mentioning: ["\(jsonPath(path)): \(expectation)"],
                           "\(jsonPath(path)) = \(value)")
        }
        assertRejected(Array("[]".utf8), mentioning: ["byte 0 of 2: expected a JSON object"], "an array document")
        assertRejected(Array(#""libsac""#.utf8), mentioning: ["byte 0 of 8: expected a JSON object"], "a string document")
        assertRejected(Array("{}".utf8), mentioning: [#"$: missing key "format""#], "an empty object")
        for document in ["null", "1", "true", "-0.5"] {
            assertRejected(Array(document.utf8), "the document \(document)")
        }
    }

    func testWrongConstantsInTheActorAreRejected() throws {
        let s = try makeSources()
        assertRejected(s.policy { $0["actor", "hidden_activation"] = .string("tanh") },
                       mentioning: [#"$.actor.hidden_activation: expected "relu", got "tanh""#], "tanh")
        assertRejected(s.policy { $0["actor", "log_std_min"] = .literal("-5.0") }, mentioning: ["$.actor.log_std_min: expected -20.0"], "log_std_min")
        assertRejected(s.policy { $0["actor", "log_std_max"] = .literal("2.0000002") }, mentioning: ["$.actor.log_std_max: expected 2.0"], "log_std_max")
    }

    func testWrongShapesAreRejectedNamingThePathAndTheShape() throws {
        let s = try makeSources()
        let weight1: [Step] = ["actor", "layers", 1, "weight"]
        let cases: [(String, [UInt8], [String])] = [
            ("a weight row too short", s.policy { $0.editArray(weight1 + [3]) { $0.removeLast() } },
             ["$.actor.layers[1].weight: expected 8x8, got 8x7 (row 3)"]),
            ("a weight row too long", s.policy { $0.editArray(weight1 + [3]) { $0.append(.literal("0.5")) } },
             ["$.actor.layers[1].weight: expected 8x8, got 8x9 (row 3)"]),
            ("a weight row missing", s.policy { $0.editArray(weight1) { $0.remove(at: 4) } },
             ["$.actor.layers[1].weight: expected 8x8, got 7 rows"]),
            ("an extra weight row", s.policy { $0.editArray(weight1) { $0.append($0[0]) } },
             ["$.actor.layers[1].weight: expected 8x8, got 9 rows"]),
            ("no weight rows", s.policy { $0[weight1] = .array([]) }, ["$.actor.layers[1].weight: expected 8x8, got 0 rows"]),
            ("an empty first row", s.policy { $0["actor", "layers", 0, "weight", 0] = .array([]) },
             ["$.actor.layers[0].weight: expected 3x8, got 3x0 (row 0)"]),
            ("a long last row of the output layer", s.policy { $0.editArray(["actor", "layers", 2, "weight", 7]) { $0.append(.literal("1")) } },
             ["$.actor.layers[2].weight: expected 8x4, got 8x5 (row 7)"]),
            ("a bias too short", s.policy { $0.editArray(["actor", "layers", 1, "bias"]) { $0.removeLast() } },
             ["$.actor.layers[1].bias: expected 8 numbers, got 7"]),
            ("a bias too long", s.policy { $0.editArray(["actor", "layers", 0, "bias"]) { $0.append(.literal("0.0")) } },
             ["$.actor.layers[0].bias: expected 8 numbers, got 9"]),
            ("an empty output bias", s.policy { $0["actor", "layers", 2, "bias"] = .array([]) },
             ["$.actor.layers[2].bias: expected 4 numbers, got 0"]),
            ("an extra actor layer", s.policy { $0.editArray(["actor", "layers"]) { $0.insert($0[1], at: 1) } },
             ["$.actor.layers: expected 3 elements, got 4"]),
            ("a missing actor layer", s.policy { $0.editArray(["actor", "layers"]) { $0.remove(at: 1) } },
             ["$.actor.layers: expected 3 elements, got 2"]),
            ("no actor layers", s.policy { $0["actor", "layers"] = .array([]) }, ["$.actor.layers: expected 3 elements, got 0"]),
            ("one critic", s.checkpoint { $0.editArray(["critics"]) { $0.removeLast() } }, ["$.critics: expected 2 elements, got 1"]),
            ("three critics", s.checkpoint { $0.editArray(["critics"]) { $0.append($0[0]) } }, ["$.critics: expected 2 elements, got 3"]),
            ("no critics", s.checkpoint { $0["critics"] = .array([]) }, ["$.critics: expected 2 elements, got 0"]),
            ("one target critic", s.checkpoint { $0.editArray(["target_critics"]) { $0.removeFirst() } },
             ["$.target_critics: expected 2 elements, got 1"]),
            ("three target critics", s.checkpoint { $0.editArray(["target_critics"]) { $0.append($0[1]) } },
             ["$.target_critics: expected 2 elements, got 3"]),
            ("a short critic row", s.checkpoint { $0.editArray(["critics", 1, "layers", 0, "weight", 4]) { $0.removeFirst() } },
             ["$.critics[1].layers[0].weight: expected 5x8, got 5x7 (row 4)"]),
            ("a long target critic bias", s.checkpoint { $0.editArray(["target_critics", 0, "layers", 2, "bias"]) { $0.append($0[0]) } },
             ["$.target_critics[0].layers[2].bias: expected 1 numbers, got 2"]),
            ("an extra critic layer", s.checkpoint { $0.editArray(["critics", 0, "layers"]) { $0.append($0[2]) } },
             ["$.critics[0].layers: expected 3 elements, got 4"]),
            ("a short Adam moment", s.checkpoint { $0.editArray(["optimizers", "actor", "m"]) { $0.removeLast() } },
             ["$.optimizers.actor.m: expected 140 numbers, got 139"]),
            ("a long Adam moment", s.checkpoint { $0.editArray(["optimizers", "critic2", "v"]) { $0.append(.literal("0.0")) } },
             ["$.optimizers.critic2.v: expected 129 numbers, got 130"]),
            ("two log alpha moments", s.checkpoint { $0.editArray(["optimizers", "log_alpha", "m"]) { $0.append($0[0]) } },
             ["$.optimizers.log_alpha.m: expected 1 numbers, got 2"]),
            ("three random state words", s.checkpoint { $0.editArray(["rng", "state"]) { $0.removeLast() } },
             ["$.rng.state: expected 4 elements, got 3"]),
            ("five random state words", s.checkpoint { $0.editArray(["rng", "state"]) { $0.append($0[0]) } },
             ["$.rng.state: expected 4 elements, got 5"]),
            ("one action bound for two dimensions", s.policy { $0.editArray(["config", "action_low"]) { $0.removeLast() } },
             ["$.config.action_low: expected 2 elements, got 1"]),
            ("three action bounds for two dimensions", s.policy { $0.editArray(["config", "action_high"]) { $0.append($0[0]) } },
             ["$.config.action_high: expected 2 elements, got 3"]),
            ("no hidden layers", s.policy { $0["config", "hidden_sizes"] = .array([]) },
             ["$.config.hidden_sizes: expected 1 to 8 layers, got 0"]),
            ("nine hidden layers", s.policy { $0["config", "hidden_sizes"] = .array(Array(repeating: .literal("8"), count: 9)) },
             ["$.config.hidden_sizes: expected 1 to 8 layers, got 9"]),
        ]
        for (name, bytes, mentions) in cases {
            assertRejected(bytes, mentioning: mentions, name)
        }
    }

    func testDimensionsThatDisagreeWithTheConfigAreRejected() throws {
        let s = try makeSources()
        let bounds: (Int) -> (inout JSON) -> Void = { count in
            { json in
                json["config", "action_low"] = .array(Array(repeating: .literal("-1.0"), count: count))
                json["config", "action_high"] = .array(Array(repeating: .literal("1.0"), count: count))
            }
        }
        let cases: [(String, [UInt8], [String])] = [
            ("obs_dim 4 in the config only", s.policy { $0["config", "obs_dim"] = .literal("4") },
             ["$.actor.layers[0].weight: expected 4x8, got 3 rows"]),
            ("obs_dim 2 in the config only", s.policy { $0["config", "obs_dim"] = .literal("2") },
             ["$.actor.layers[0].weight: expected 2x8, got 3 rows"]),
            ("obs_dim 4 in a checkpoint's config", s.checkpoint { $0["config", "obs_dim"] = .literal("4") },
             ["$.actor.layers[0].weight: expected 4x8, got 3 rows"]),
            ("action_dim 1, two bounds", s.policy { $0["config", "action_dim"] = .literal("1") },
             ["$.config.action_low: expected 1 elements, got 2"]),
            ("action_dim 1 with one bound", s.policy { $0["config", "action_dim"] = .literal("1"); bounds(1)(&$0) },
             ["$.actor.layers[2].weight: expected 8x2, got 8x4 (row 0)"]),
            ("action_dim 3 with three bounds", s.policy { $0["config", "action_dim"] = .literal("3"); bounds(3)(&$0) },
             ["$.actor.layers[2].weight: expected 8x6, got 8x4 (row 0)"]),
            ("action_dim 1 in a checkpoint", s.checkpoint { $0["config", "action_dim"] = .literal("1"); bounds(1)(&$0) },
             ["$.actor.layers[2].weight: expected 8x2, got 8x4 (row 0)"]),
            ("hidden_sizes [8, 9]", s.policy { $0["config", "hidden_sizes", 1] = .literal("9") },
             ["$.actor.layers[1].weight: expected 8x9, got 8x8 (row 0)"]),
            ("hidden_sizes [9, 8]", s.policy { $0["config", "hidden_sizes", 0] = .literal("9") },
             ["$.actor.layers[0].weight: expected 3x9, got 3x8 (row 0)"]),
            ("hidden_sizes [8]", s.policy { $0.editArray(["config", "hidden_sizes"]) { $0.removeLast() } },
             ["$.actor.layers: expected 2 elements, got 3"]),
            ("hidden_sizes [8, 8, 8]", s.policy { $0.editArray(["config", "hidden_sizes"]) { $0.append($0[0]) } },
             ["$.actor.layers: expected 4 elements, got 3"]),
            ("the actor of another checkpoint's critic", s.checkpoint { $0["critics", 0, "layers"] = $0["actor", "layers"] },
             ["$.critics[0].layers[0].weight: expected 5x8, got 3 rows"]),
        ]
        for (name, bytes, mentions) in cases {
            assertRejected(bytes, mentioning: mentions, name)
        }
    }

    // MARK: - Numbers

    func testNonFiniteAndOutOfRangeFloatsAreRejectedNamingThePath() throws {
        let s = try makeSources()
        let literals = ["1e39", "-1e39", "3.5e38", "-3.41e38", "1e999", "-1e999", "NaN", "Infinity", "-Infinity"]
        let places: [(Source, [Step])] = [
            (s.policy, ["actor", "layers", 1, "weight", 2, 5]), (s.policy, ["actor", "layers", 0, "bias", 7]),
            (s.policy, ["config", "gamma"]), (s.policy, ["config", "action_high", 1]), (s.policy, ["config", "target_entropy"]),
            (s.policy, ["actor", "log_std_max"]), (s.checkpoint, ["log_alpha"]), (s.checkpoint, ["rng", "spare_normal"]),
            (s.checkpoint, ["optimizers", "critic1", "m", 7]), (s.checkpoint, ["target_critics", 1, "layers", 2, "weight", 3, 0]),
        ]
        for (source, path) in places {
            for literal in literals {
                assertRejected(source { $0[path] = .literal(literal) }, mentioning: ["\(jsonPath(path)): "], "\(jsonPath(path)) = \(literal)")
            }
        }
        // Spellings that are not JSON numbers at all fail in the parser.
        for literal in ["nan", "inf", "-inf", "+1", ".5", "0x10", "1e", "--1", "01"] {
            assertRejected(s.policy { $0["config", "gamma"] = .literal(literal) }, mentioning: ["invalid JSON at byte"], "gamma = \(literal)")
        }
    }

    /// json-c saturates integer literals beyond 64 bits to INT64_MIN/UINT64_MAX; a strict reader
    /// must not load such a file as if it held those values.
    func testIntegerLiteralsBeyond64BitsAreRejected() throws {
        let s = try makeSources()
        let digits400 = String(repeating: "7", count: 400)
        let cases: [(Source, [Step], String)] = [
            (s.policy, ["config", "seed"], digits400), (s.policy, ["config", "seed"], "18446744073709551616"),
            (s.policy, ["config", "seed"], "-" + digits400), (s.policy, ["config", "batch_size"], digits400),
            (s.policy, ["config", "learning_starts"], digits400), (s.policy, ["format_version"], digits400),
            (s.checkpoint, ["counters", "env_steps"], digits400), (s.checkpoint, ["optimizers", "actor", "step"], "-" + digits400),
            (s.policy, ["actor", "layers", 1, "weight", 2, 5], digits400), (s.policy, ["actor", "layers", 1, "weight", 2, 5], "-" + digits400),
            (s.policy, ["config", "gamma"], digits400), (s.checkpoint, ["log_alpha"], "-" + digits400),
        ]
        for (source, path, literal) in cases {
            assertRejected(source { $0[path] = .literal(literal) }, mentioning: ["\(jsonPath(path)): "],
                           "\(jsonPath(path)) = a \(literal.count)-character integer")
        }
    }

    func testNegativeCountersAndMomentsAreRejectedNamingThePath() throws {
        let s = try makeSources()
        let cases: [(Source, [Step], String)] = [
            (s.checkpoint, ["counters", "env_steps"], "-1"), (s.checkpoint, ["counters", "gradient_steps"], "-1"),
            (s.checkpoint, ["optimizers", "actor", "step"], "-1"), (s.checkpoint, ["optimizers", "log_alpha", "step"], "-9223372036854775808"),
            (s.policy, ["config", "learning_starts"], "-1"), (s.policy, ["config", "seed"], "-1"), (s.policy, ["config", "batch_size"], "-4"),
        ]
        for (source, path, literal) in cases {
            assertRejected(source { $0[path] = .literal(literal) }, mentioning: ["\(jsonPath(path)): \(literal)"], "\(jsonPath(path)) = \(literal)")
        }
        assertRejected(s.checkpoint { $0["optimizers", "critic1", "v", 3] = .literal("-1.0") },
                       mentioning: ["$.optimizers.critic1.v: element 3", "negative"], "a negative second moment")
    }

    func testConfigValuesOutsideTheirRangesAreFormatErrorsNamingTheField() throws {
        let s = try makeSources()
        let cases: [([Step], String, [String])] = [
            (["actor_lr"], "0.0", ["$.config: ", "actor_lr"]), (["actor_lr"], "0", ["$.config: ", "actor_lr"]),
            (["critic_lr"], "-0.001", ["$.config: ", "critic_lr"]), (["alpha_lr"], "0.0", ["$.config: ", "alpha_lr"]),
            (["gamma"], "2", ["$.config: ", "gamma"]), (["gamma"], "-0.5", ["$.config: ", "gamma"]),
            (["tau"], "0.0", ["$.config: ", "tau"]), (["tau"], "1.5", ["$.config: ", "tau"]),
            (["initial_alpha"], "0.0", ["$.config: ", "initial_alpha"]), (["initial_alpha"], "-1.0", ["$.config: ", "initial_alpha"]),
            (["replay_capacity"], "3", ["$.config: ", "replay_capacity"]),
            (["action_low", 1], "1.0", ["$.config: ", "action_low[1]"]), (["action_low", 0], "2.0", ["$.config: ", "action_low[0]"]),
            (["obs_dim"], "0", ["$.config.obs_dim: "]), (["action_dim"], "0", ["$.config.action_dim: "]),
            (["action_dim"], "65", ["$.config.action_dim: "]), (["hidden_sizes", 1], "0", ["$.config.hidden_sizes[1]: "]),
            (["hidden_sizes", 0], "65537", ["$.config.hidden_sizes[0]: "]), (["batch_size"], "0", ["$.config.batch_size: "]),
            (["batch_size"], "1048577", ["$.config.batch_size: "]), (["replay_capacity"], "0", ["$.config.replay_capacity: "]),
            (["replay_capacity"], "17179869185", ["$.config.replay_capacity: "]), (["target_entropy"], "NaN", ["$.config.target_entropy: "]),
        ]
        for (field, value, mentions) in cases {
            let path: [Step] = ["config"] + field
            assertRejected(s.policy { $0[path] = .literal(value) }, mentioning: mentions, "\(jsonPath(path)) = \(value)")
            assertRejected(s.checkpoint { $0[path] = .literal(value) }, mentioning: mentions, "checkpoint \(jsonPath(path)) = \(value)")
        }
    }

    func testInvalidRandomStatesAreRejected() throws {
        let s = try makeSources()
        let zero = JSON.string(String(repeating: "0", count: 16))
        assertRejected(s.checkpoint { $0["rng", "state"] = .array([zero, zero, zero, zero]) },
                       mentioning: ["$.rng.state: ", "all-zero"], "an all-zero state")
        for word in ["123", "0123456789abcdef0", "", "zzzzzzzzzzzzzzzz", "0x23456789abcdef", " 123456789abcdef", "123456789abcdef ",
                     "0123456789abcdeg", "0123456789abcdé"] {
            assertRejected(s.checkpoint { $0["rng", "state", 1] = .string(word) },
                           mentioning: ["$.rng.state[1]: ", "16 hexadecimal digits"], "state word \"\(word)\"")
        }
    }

    /// Swift's UInt64(_:radix:) accepts a sign, so these are 16 characters that parse, but not
    /// 16 hexadecimal digits.
    func testRandomStateWordsWithASignAreRejected() throws {
        let s = try makeSources()
        for word in ["+23456789abcdef0", "-000000000000000"] {
            assertRejected(s.checkpoint { $0["rng", "state", 1] = .string(word) },
                           mentioning: ["$.rng.state[1]: ", "16 hexadecimal digits"], "state word \"\(word)\"")
        }
    }

    // MARK: - Text around and inside the document

    func testDataAroundTheDocumentIsRejected() throws {
        let s = try makeSources()
        let policy = s.policy.bytes
        let trailing: [(String, [UInt8])] = [
            ("x", Array("x".utf8)), (" x", Array(" x".utf8)), (",", Array(",".utf8)), ("}", Array("}".utf8)), ("]", Array("]".utf8)),
            ("{}", Array("{}".utf8)), ("null", Array("null".utf8)), ("0", Array("0".utf8)), ("a second document", policy),
            ("a second document after a newline", Array("\n".utf8) + policy), ("the NUL terminator", [0]),
            ("whitespace and a NUL", Array("  ".utf8) + [0]),
        ]
        for (name, suffix) in trailing {
            // The error is reported where the data starts, after any whitespace.
            let start = policy.count + suffix.prefix { Array(" \n".utf8).contains($0) }.count
            assertRejected(policy + suffix, mentioning: ["invalid JSON", "byte \(start) of \(policy.count + suffix.count)"], "trailing \(name)")
        }
        assertRejected(s.checkpoint.bytes + s.checkpoint.bytes, mentioning: ["invalid JSON", "byte \(s.checkpoint.bytes.count)"],
                       "two checkpoints")
        let leading: [(String, [UInt8])] = [
            ("x", Array("x".utf8)), (",", Array(",".utf8)), ("}", Array("}".utf8)), ("a byte order mark", [0xEF, 0xBB, 0xBF]),
            ("a NUL", [0]), ("0", Array("0".utf8)), ("\"", Array("\"".utf8)),
        ]
        for (name, prefix) in leading {
            assertRejected(prefix + policy, mentioning: ["invalid JSON"], "leading \(name)")
        }
        assertRejected(Array("[".utf8) + policy, mentioning: ["byte 0", "expected a JSON object"], "an array around the document")
        assertRejected([], mentioning: ["byte 0 of 0", "truncated"], "empty input")
        for whitespace in [" ", "\n", " \t\r\n  \n"] {
            assertRejected(Array(whitespace.utf8), mentioning: ["truncated"], "only whitespace (\(whitespace.utf8.count) bytes)")
        }
    }

    func testBytesThatAreNotUTF8AreRejected() throws {
        let s = try makeSources()
        let sequences: [(String, [UInt8])] = [
            ("0xFF", [0xFF]), ("an invalid continuation", [0xC3, 0x28]), ("a cut sequence", [0xE2, 0x82]),
            ("a lone continuation byte", [0x80]), ("an overlong '/'", [0xC0, 0xAF]), ("a UTF-16 surrogate", [0xED, 0xA0, 0x80]),
            ("a code point above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ]
        let relu = Array(#""relu""#.utf8)
        for (name, sequence) in sequences {
            let value = s.policy.bytes.replacingFirst(relu, with: Array(#""rel"#.utf8) + sequence + Array(#"""#.utf8))
            assertRejected(value, anyOf: ["invalid utf-8", "$.actor.hidden_activation: "], "\(name) in a string")
            let key = s.policy.bytes.replacingFirst(Array(#""kind""#.utf8), with: Array(#""ki"#.utf8) + sequence + Array(#"nd""#.utf8))
            assertRejected(key, anyOf: ["invalid utf-8", #"$: missing key "kind""#], "\(name) in a key")
            let number = s.policy.bytes.replacingFirst(Array(#""gamma":0.99"#.utf8), with: Array(#""gamma":0.9"#.utf8) + sequence)
            assertRejected(number, mentioning: ["invalid JSON"], "\(name) after a number")
        }
    }

    func testEmbeddedNulBytesAreRejected() throws {
        let s = try makeSources()
        let policy = s.policy.bytes
        let cases: [(String, String)] = [
            ("in a key", #""kind""#), ("in a string", #""policy""#), ("in a number", #""gamma":0.99"#),
            ("between members", #","algorithm""#), ("in a literal", "true"), ("in a nested array", "[["),
        ]
        for (name, anchor) in cases {
            let start = try XCTUnwrap(policy.firstRange(of: Array(anchor.utf8)), anchor).lowerBound
            for offset in [0, 2] where offset < anchor.utf8.count {
                var bytes = policy
                bytes[start + offset] = 0
                assertRejected(bytes, mentioning: ["invalid JSON at byte"], "a NUL \(name) (\(anchor), offset \(offset))")
                var inserted = policy
                inserted.insert(0, at: start + offset)
                assertRejected(inserted, mentioning: ["invalid JSON at byte"], "an inserted NUL \(name) (\(anchor), offset \(offset))")
            }
        }
        assertRejected([0] + policy, mentioning: ["invalid JSON at byte 0"], "a NUL first")
        assertRejected(Array(repeating: 0, count: 100), mentioning: ["invalid JSON at byte 0"], "only NULs")
    }

    /// JSON's \u0000 escape is valid syntax, but "policy\u0000x" is not "policy": a reader that
    /// compares C strings would take one for the other.
    func testStringsWithAnEscapedNulAreNotTakenForTheirPrefix() throws {
        let s = try makeSources()
        assertRejected(s.policy { $0["kind"] = .string(#"policy\u0000x"#) }, mentioning: ["$.kind: "], "kind \"policy\\u0000x\"")
        assertRejected(s.policy { $0["format"] = .string(#"libsac\u0000"#) }, mentioning: ["$.format: "], "format \"libsac\\u0000\"")
        assertRejected(s.policy { $0["algorithm"] = .string(#"continuous_sac\u0000v2"#) }, mentioning: ["$.algorithm: "],
                       "algorithm \"continuous_sac\\u0000v2\"")
        assertRejected(s.policy { $0["actor", "hidden_activation"] = .string(#"relu\u0000"#) },
                       mentioning: ["$.actor.hidden_activation: "], "hidden_activation \"relu\\u0000\"")
        assertRejected(s.policy { $0.editObject([]) { $0.append(.init(key: #"config\u0000x"#, value: .literal("0"))) } },
                       "an extra key \"config\\u0000x\"")
        assertRejected(s.policy { $0.editObject(["config"]) { $0[$0.count - 1].key = #"seed\u0000x"# } },
                       "the key \"seed\" renamed \"seed\\u0000x\"")
    }

    /// json-c tolerates a few things that are not JSON even in strict mode; libsac promises a strict
    /// reader, and nothing it writes looks like this.
    func testTextThatIsNotJSONIsRejected() throws {
        let s = try makeSources()
        let cases: [(String, [UInt8], [String])] = [
            ("a single-quoted key", s.policy.bytes.replacingFirst(Array(#""gamma""#.utf8), with: Array("'gamma'".utf8)),
             ["$.config", "single-quoted strings are not JSON", "byte"]),
            ("a single-quoted string", s.policy.bytes.replacingFirst(Array(#""relu""#.utf8), with: Array("'relu'".utf8)),
             ["invalid JSON at byte"]),  // json-c itself refuses a single-quoted value
            ("a number ending in '.'", s.policy { $0["config", "gamma"] = .literal("1.") },
             ["$.config.gamma", "a fraction needs digits after '.'", "byte"]),
            ("a number with '.' before the exponent", s.policy { $0["config", "gamma"] = .literal("1.e-1") },
             ["$.config.gamma", "a fraction needs digits after '.'", "byte"]),
        ]
        for (name, bytes, expectation) in cases {
            assertRejected(bytes, mentioning: expectation, name)
        }
    }

    // MARK: - Size

    func testDeeplyNestedInputIsRejected() throws {
        let s = try makeSources()
        let depth = 100_000
        assertRejected(Array(#"{"a":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: depth), mentioning: ["nesting"],
                       "{\"a\": and 100,000 '['")
        assertRejected(Array(repeating: UInt8(ascii: "["), count: depth), mentioning: ["byte 0", "expected a JSON object"],
                       "100,000 '[' (not an object)")
        assertRejected(Array(String(repeating: #"{"a":"#, count: depth).utf8), mentioning: ["nesting"], "100,000 '{\"a\":'")
        assertRejected(Array((#"{"a":"# + String(repeating: "[", count: depth / 2) + String(repeating: "]", count: depth / 2) + "}").utf8),
                       mentioning: ["nesting"], "50,000 nested empty arrays in an object")
        let deepValue = String(repeating: "[", count: 40) + "8" + String(repeating: "]", count: 40)
        assertRejected(s.policy { $0["config", "seed"] = .literal(deepValue) }, mentioning: ["nesting"], "a value nested 40 deep")
        assertRejected(Array(repeating: UInt8(ascii: "{"), count: depth), mentioning: ["invalid JSON at byte 1"], "100,000 '{'")
        assertRejected(Array(repeating: UInt8(ascii: "]"), count: depth), mentioning: ["invalid JSON at byte 0"], "100,000 ']'")
    }

    func testAHundredMegabyteInputIsRejected() throws {
        // '[' and then "0," 50 million times: an array that never ends, built by doubling. libsac turns
        // it away at the first byte (a libsac file is an object) instead of parsing 100 MB.
        let count = 1 + 100_000_000
        let text = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { text.deallocate() }
        text[0] = UInt8(ascii: "[")
        text[1] = UInt8(ascii: "0")
        text[2] = UInt8(ascii: ",")
        var filled = 2
        while filled < count - 1 {
            let chunk = min(filled, count - 1 - filled)
            (text.baseAddress! + 1 + filled).copyMemory(from: text.baseAddress! + 1, byteCount: chunk)
            filled += chunk
        }
        XCTAssertEqual(text[count - 2], UInt8(ascii: "0"))
        XCTAssertEqual(text[count - 1], UInt8(ascii: ","))
        if let problem = rejectionProblem(of: UnsafeRawBufferPointer(text), mentioning: ["of \(count):", "expected a JSON object"]) {
            XCTFail("100 MB of \"[0,0,...\": \(problem)")
        }
    }

    // MARK: - sac_load_json

    func testCorruptFilesAreRejectedBySacLoadJSONWithTheSameMessage() throws {
        let s = try makeSources()
        let directory = try makeTemporaryDirectory()
        let cases: [(String, [UInt8])] = [
            ("empty", []), ("truncated", Array(s.checkpoint.bytes.dropLast(100))),
            ("trailing data", s.policy.bytes + Array("x".utf8)),
            ("format_version 4", s.policy { $0["format_version"] = .literal("4") }),
            ("short row", s.policy { $0.editArray(["actor", "layers", 1, "weight", 3]) { $0.removeLast() } }),
            ("missing key", s.checkpoint { $0.editObject(["rng"]) { $0.removeLast() } }),
            ("NaN weight", s.checkpoint { $0["critics", 1, "layers", 1, "bias", 2] = .literal("NaN") }),
        ]
        for (name, bytes) in cases {
            let path = directory + "/\(name).json"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)), name)
            let fromText = bytes.withUnsafeBytes { rejectionOutcome(of: $0) }
            let fromFile = rejectionOutcome(function: "sac_load_json") { sac_load_json(path, $0) }
            if let problem = fromFile.problem(expected: SAC_ERR_FORMAT, function: "sac_load_json", mentioning: []) {
                XCTFail("\(name): \(problem)")
            }
            XCTAssertEqual(fromFile.message.dropFirst("sac_load_json: ".count), fromText.message.dropFirst("sac_from_json: ".count), name)
        }
    }

    // MARK: - Checking

    /// Fails the test unless sac_from_json rejects `bytes` with SAC_ERR_FORMAT as RejectionOutcome.problem
    /// requires, with a message that contains each of `mentions` and at least one of `alternatives`.
    private func assertRejected(_ bytes: [UInt8], mentioning mentions: [String] = [],
                                anyOf alternatives: [String] = [], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let outcome = bytes.withUnsafeBytes { rejectionOutcome(of: $0) }
        var problem = outcome.problem(expected: SAC_ERR_FORMAT, function: "sac_from_json", mentioning: mentions)
        if problem == nil, !alternatives.isEmpty, !alternatives.contains(where: { outcome.message.contains($0) }) {
            problem = "\"\(outcome.message)\" mentions none of \(alternatives)"
        }
        if let problem { XCTFail("\(what): \(problem)", file: file, line: line) }
    }

    /// Reports many cases as one failure that lists the first few problems.
    private func assertNoProblems(_ problems: [String], outOf cases: Int, file: StaticString = #filePath, line: UInt = #line) {
        guard !problems.isEmpty else { return }
        XCTFail("\(problems.count) of \(cases) cases failed, e.g.:\n" + problems.prefix(15).joined(separator: "\n"), file: file, line: line)
    }
}
