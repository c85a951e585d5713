/// The JSON form of an agent (format "libsac", version 3; docs/weights-format.md is the reference).
///
/// A policy file holds the config and the actor: enough to act. A checkpoint adds everything that
/// continues training bit-exactly: critics and their targets, every Adam moment and step count,
/// log α, the counters and the random state. Loading builds a new agent and fills it completely
/// before handing it out, so a failure never leaves anything half-loaded.
public enum AgentJSON {
    public static let formatName = "libsac"
    /// Version 2 added discrete and v1 agents ("n_actions", "target_entropy_scale" in the config);
    /// version 3 observation normalisation ("obs_normalization") and the target update interval.
    /// Older files still load, with the defaults for what they lack.
    public static let formatVersion = 3
    static let readableVersions = 1...3

    public enum Kind: String, Sendable {
        case policy
        case checkpoint
    }

    // MARK: - Writing

    /// The agent as compact JSON text. Fails with `.nonFinite` (naming the value's JSON path) if any
    /// weight is NaN or infinite, and with `.policyOnly` for a checkpoint of a policy-only agent.
    public static func encode(_ agent: SACAgent, kind: Kind) throws(SACError) -> String {
        if kind == .checkpoint { try agent.requireTrainable() }
        let parts = AgentPart.policy(of: agent) + (kind == .checkpoint ? AgentPart.training(of: agent) : [])
        try checkFinite(parts, random: agent.random)
        typealias B = JSONBuild
        var members: [(String, B.Node?)] = [
            ("format", B.string(formatName)),
            ("format_version", B.integer(formatVersion)),
            ("kind", B.string(kind.rawValue)),
            ("algorithm", B.string(agent.config.algorithm.jsonName)),
            ("config", encode(agent.config)),
        ]
        if let normalizer = agent.normalizer { members.append((normalizationKey, encode(normalizer))) }
        members += parts.map { ($0.key, encode($0)) }
        if kind == .checkpoint {
            members += [
                ("counters", B.object([
                    ("env_steps", B.integer(agent.environmentSteps)),
                    ("gradient_steps", B.integer(agent.gradientSteps)),
                ])),
                ("rng", B.object([
                    ("state", B.array(words(agent.random).map { B.string(hex($0)) })),
                    ("spare_normal", agent.random.spareNormal.map(B.number) ?? B.null()),
                ])),
            ]
        }
        return B.text(B.object(members))
    }

    static func encode(_ part: AgentPart) -> JSONBuild.Node {
        typealias B = JSONBuild
        switch part {
        case .squashedActor(let policy):
            return B.object([
                ("hidden_activation", B.string("relu")),
                ("log_std_min", B.number(SquashedGaussianPolicy.logStdMin)),
                ("log_std_max", B.number(SquashedGaussianPolicy.logStdMax)),
                ("layers", layers(policy.network)),
            ])
        case .softmaxActor(let network):
            return B.object([("hidden_activation", B.string("relu")), ("layers", layers(network))])
        case .networks(_, let networks):
            return B.array(networks.map { B.object([("layers", layers($0))]) })
        case .network(_, let network):
            return B.object([("layers", layers(network))])
        case .logAlpha(let buffer):
            return B.number(buffer.current[0])
        case .optimizers(let list):
            return B.object(list.map { ($0.name, encode($0.adam)) })
        }
    }

    static func encode(_ config: AgentConfig) -> JSONBuild.Node {
        typealias B = JSONBuild
        let dims = 0..<config.actionDim
        return B.object([
            ("obs_dim", B.integer(config.obsDim)),
            ("action_dim", B.integer(config.actionDim)),
            ("n_actions", B.integer(config.actionCount)),
            ("action_low", B.array(dims.map { B.number(config.low($0)) })),
            ("action_high", B.array(dims.map { B.number(config.high($0)) })),
            ("hidden_sizes", B.array(config.hiddenSizes.map(B.integer))),
            ("actor_lr", B.number(config.actorLearningRate)),
            ("critic_lr", B.number(config.criticLearningRate)),
            ("alpha_lr", B.number(config.alphaLearningRate)),
            ("gamma", B.number(config.gamma)),
            ("tau", B.number(config.tau)),
            ("batch_size", B.integer(config.batchSize)),
            ("replay_capacity", B.integer(config.replayCapacity)),
            ("learning_starts", B.integer(config.learningStarts)),
            ("initial_alpha", B.number(config.resolvedInitialAlpha)),
            ("auto_alpha", B.bool(config.resolvedAutoAlpha)),
            ("target_entropy", B.number(config.resolvedTargetEntropy)),
            ("target_entropy_scale", B.number(config.targetEntropyScale)),
            ("seed", B.unsigned(config.seed)),
            ("normalize_observations", B.bool(config.normalizeObservations)),
            ("obs_clip", B.number(config.observationClip)),
            ("obs_epsilon", B.number(config.observationEpsilon)),
            ("target_update_interval", B.integer(config.targetUpdateInterval)),
        ])
    }

    /// The top-level key of the observation statistics, present only when the agent normalises.
    static let normalizationKey = "obs_normalization"

    static func encode(_ normalizer: ObservationNormalizer) -> JSONBuild.Node {
        typealias B = JSONBuild
        return B.object([
            ("count", B.integer(normalizer.count)),
            ("mean", B.array(normalizer.mean.map(B.number))),
            ("var", B.array(normalizer.variance.map(B.number))),
        ])
    }

    static func layers(_ network: MLP) -> JSONBuild.Node {
        let p = network.parameters.base
        return JSONBuild.array(network.layers.map { layer in
            JSONBuild.object([
                ("weight", JSONBuild.matrix(p + layer.weightOffset, rows: layer.inputs, columns: layer.outputs)),
                ("bias", JSONBuild.numbers(p + layer.biasOffset, count: layer.outputs)),
            ])
        })
    }

    static func encode(_ adam: Adam) -> JSONBuild.Node {
        JSONBuild.object([
            ("step", JSONBuild.integer(adam.stepCount)),
            ("m", JSONBuild.numbers(adam.firstMoment.base, count: adam.firstMoment.count)),
            ("v", JSONBuild.numbers(adam.secondMoment.base, count: adam.secondMoment.count)),
        ])
    }

    static func words(_ random: RandomSource) -> [UInt64] {
        [random.state.0, random.state.1, random.state.2, random.state.3]
    }

    static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Refuses to write NaN or infinity (JSON has no such numbers), naming where the first one is.
    static func checkFinite(_ parts: [AgentPart], random: RandomSource) throws(SACError) {
        for part in parts {
            for (path, buffer) in part.buffers {
                for i in 0..<buffer.count where !buffer[i].isFinite {
                    throw SACError(.nonFinite, "\(path) holds \(buffer[i]) (parameter \(i)); "
                        + "the agent has diverged and cannot be saved as JSON")
                }
            }
        }
        if let spare = random.spareNormal, !spare.isFinite {
            throw SACError(.nonFinite, "rng.spare_normal is \(spare)")
        }
    }

    // MARK: - Reading

    /// Builds a new agent from JSON text: trainable from a checkpoint, policy-only from a policy file.
    /// Every error is `.format` and names the JSON path, e.g.
    /// "$.actor.layers[1].weight: expected 256x256, got 256x255 (row 3)".
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(SACError) -> SACAgent {
        let document = try JSONDocument(bytes: bytes)
        return try JSONNode.inCLocale { () throws(SACError) in try decode(document) }
    }

    static func decode(_ document: JSONDocument) throws(SACError) -> SACAgent {
        let header = try document.root.selectedMembers(["format", "format_version", "kind", "algorithm"])
        guard try header["format"]!.string() == formatName else {
            throw header["format"]!.fail("expected \"\(formatName)\"")
        }
        let version = try header["format_version"]!.integer(in: 0...Int(Int32.max))
        guard readableVersions.contains(version) else {
            throw header["format_version"]!.fail("version \(version) is not supported (this library reads "
                + "\(readableVersions.lowerBound) to \(readableVersions.upperBound))")
        }
        let kindText = try header["kind"]!.string()
        guard let kind = Kind(rawValue: kindText) else {
            throw header["kind"]!.fail("expected \"policy\" or \"checkpoint\", got \"\(kindText)\"")
        }
        let algorithmText = try header["algorithm"]!.string()
        let known = version == 1 ? [Algorithm.continuous] : Algorithm.allCases
        guard let algorithm = Algorithm(jsonName: algorithmText), known.contains(algorithm) else {
            throw header["algorithm"]!.fail("expected one of " + known.map { "\"\($0.jsonName)\"" }.joined(separator: ", ")
                + ", got \"\(algorithmText)\"")
        }
        let configNode = try document.root.selectedMembers(["config"])["config"]!
        let config = try decodeConfig(configNode, version: version, algorithm: algorithm)
        let agent: SACAgent
        do {
            agent = try SACAgent.make(config: config, trainable: kind == .checkpoint)
        } catch let error where error.kind == .invalidConfig {
            throw configNode.fail(error.message)
        }
        let parts = AgentPart.policy(of: agent) + (kind == .checkpoint ? AgentPart.training(of: agent) : [])
        let keys = ["format", "format_version", "kind", "algorithm", "config"]
            + (agent.normalizer == nil ? [] : [normalizationKey]) + parts.map(\.key)
            + (kind == .checkpoint ? ["counters", "rng"] : [])
        let top = try document.root.members(keys)
        if let normalizer = agent.normalizer { try decode(top[normalizationKey]!, into: normalizer) }
        for part in parts { try decode(top[part.key]!, into: part) }
        guard kind == .checkpoint else { return agent }
        let counters = try top["counters"]!.members(["env_steps", "gradient_steps"])
        agent.environmentSteps = try counters["env_steps"]!.integer(in: 0...SACAgent.maxCount)
        agent.gradientSteps = try counters["gradient_steps"]!.integer(in: 0...SACAgent.maxCount)
        agent.random = try decodeRandom(top["rng"]!)
        return agent
    }

    static func decode(_ node: JSONNode, into part: AgentPart) throws(SACError) {
        switch part {
        case .squashedActor(let policy):
            let actor = try node.members(["hidden_activation", "log_std_min", "log_std_max", "layers"])
            try expectConstant(actor["hidden_activation"]!, "relu")
            try expectConstant(actor["log_std_min"]!, SquashedGaussianPolicy.logStdMin)
            try expectConstant(actor["log_std_max"]!, SquashedGaussianPolicy.logStdMax)
            try decodeLayers(actor["layers"]!, into: policy.network)
        case .softmaxActor(let network):
            let actor = try node.members(["hidden_activation", "layers"])
            try expectConstant(actor["hidden_activation"]!, "relu")
            try decodeLayers(actor["layers"]!, into: network)
        case .networks(_, let networks):
            for (item, network) in zip(try node.elements(count: networks.count), networks) {
                try decodeLayers(item.members(["layers"])["layers"]!, into: network)
            }
        case .network(_, let network):
            try decodeLayers(node.members(["layers"])["layers"]!, into: network)
        case .logAlpha(let buffer):
            let logAlpha = try node.float()
            guard logAlpha <= Temperature.maxLogAlpha else {
                throw node.fail("\(logAlpha) is above \(Temperature.maxLogAlpha): alpha = exp(log_alpha) would be infinite")
            }
            buffer.current[0] = logAlpha
        case .optimizers(let list):
            let nodes = try node.members(list.map(\.name))
            for (name, adam) in list { try decode(nodes[name]!, into: adam) }
        }
    }

    /// The config object; version 1 files lack the discrete fields ("n_actions", "target_entropy_scale"),
    /// versions 1 and 2 the normalisation fields and "target_update_interval".
    static func decodeConfig(_ node: JSONNode, version: Int, algorithm: Algorithm) throws(SACError) -> AgentConfig {
        // In the order `encode` writes them, so that an error listing them reads like the file.
        let versionTwoKeys = ["n_actions", "target_entropy_scale"]
        let versionThreeKeys = ["normalize_observations", "obs_clip", "obs_epsilon", "target_update_interval"]
        let keys = ["obs_dim", "action_dim", "n_actions", "action_low", "action_high", "hidden_sizes", "actor_lr",
                    "critic_lr", "alpha_lr", "gamma", "tau", "batch_size", "replay_capacity", "learning_starts",
                    "initial_alpha", "auto_alpha", "target_entropy", "target_entropy_scale", "seed"]
            .filter { version >= 2 || !versionTwoKeys.contains($0) } + (version >= 3 ? versionThreeKeys : [])
        let c = try node.members(keys)
        // Discrete agents have no action vector: their action_dim is 0 and their bounds are empty.
        let limits = AgentConfig.Limits.self
        let actionDims = algorithm.isDiscrete ? 0...0 : limits.actionDim
        var config = AgentConfig(obsDim: try c["obs_dim"]!.integer(in: limits.obsDim),
                                 actionDim: try c["action_dim"]!.integer(in: actionDims))
        config.algorithm = algorithm
        if version >= 2 {
            config.actionCount = try c["n_actions"]!.integer(in: 0...limits.actionCount.upperBound)
            config.targetEntropyScale = try c["target_entropy_scale"]!.float()
        }
        config.actionLow = try c["action_low"]!.elements(count: config.actionDim).map { node throws(SACError) in try node.float() }
        config.actionHigh = try c["action_high"]!.elements(count: config.actionDim).map { node throws(SACError) in try node.float() }
        let hidden = try c["hidden_sizes"]!.elements()
        let layers = limits.hiddenLayers
        guard layers.contains(hidden.count) else {
            throw c["hidden_sizes"]!.fail("expected \(layers.lowerBound) to \(layers.upperBound) layers, got \(hidden.count)")
        }
        config.hiddenSizes = try hidden.map { node throws(SACError) in try node.integer(in: limits.hiddenSize) }
        config.actorLearningRate = try c["actor_lr"]!.float()
        config.criticLearningRate = try c["critic_lr"]!.float()
        config.alphaLearningRate = try c["alpha_lr"]!.float()
        config.gamma = try c["gamma"]!.float()
        config.tau = try c["tau"]!.float()
        config.batchSize = try c["batch_size"]!.integer(in: limits.batchSize)
        config.replayCapacity = try c["replay_capacity"]!.integer(in: limits.replayCapacity)
        config.learningStarts = try c["learning_starts"]!.integer(in: limits.learningStarts)
        config.initialAlpha = try c["initial_alpha"]!.float()
        config.autoAlpha = try c["auto_alpha"]!.bool()
        config.targetEntropy = try c["target_entropy"]!.float()
        config.seed = try c["seed"]!.unsigned()
        if version >= 3 {
            config.normalizeObservations = try c["normalize_observations"]!.bool()
            config.observationClip = try c["obs_clip"]!.float()
            config.observationEpsilon = try c["obs_epsilon"]!.float()
            config.targetUpdateInterval = try c["target_update_interval"]!.integer(in: limits.targetUpdateInterval)
        }
        return config
    }

    /// The observation statistics: a count, and per dimension a finite mean and a finite variance >= 0.
    static func decode(_ node: JSONNode, into normalizer: ObservationNormalizer) throws(SACError) {
        let members = try node.members(["count", "mean", "var"])
        let count = try members["count"]!.integer(in: 0...SACAgent.maxCount)
        let dimension = normalizer.dimension
        let mean = try members["mean"]!.elements(count: dimension).map { item throws(SACError) in try item.double() }
        let variance = try members["var"]!.elements(count: dimension).map { item throws(SACError) in try item.double() }
        if let i = variance.firstIndex(where: { $0 < 0 }) {
            throw members["var"]!.element(i).fail("\(variance[i]) is negative; a variance cannot be")
        }
        normalizer.restore(count: count, mean: mean, variance: variance)
    }

    static func decodeLayers(_ node: JSONNode, into network: MLP) throws(SACError) {
        let items = try node.elements(count: network.layers.count)
        let p = network.parameters.base
        for (item, layer) in zip(items, network.layers) {
            let members = try item.members(["weight", "bias"])
            try members["weight"]!.matrix(into: p + layer.weightOffset, rows: layer.inputs, columns: layer.outputs)
            try members["bias"]!.floats(into: p + layer.biasOffset, count: layer.outputs)
        }
    }

    static func decode(_ node: JSONNode, into adam: Adam) throws(SACError) {
        let members = try node.members(["step", "m", "v"])
        adam.stepCount = try members["step"]!.integer(in: 0...SACAgent.maxCount)
        try members["m"]!.floats(into: adam.firstMoment.base, count: adam.firstMoment.count)
        try members["v"]!.floats(into: adam.secondMoment.base, count: adam.secondMoment.count)
        for i in 0..<adam.secondMoment.count where adam.secondMoment[i] < 0 {
            throw members["v"]!.fail("element \(i) is \(adam.secondMoment[i]); second moments cannot be negative")
        }
    }

    static func decodeRandom(_ node: JSONNode) throws(SACError) -> RandomSource {
        let members = try node.members(["state", "spare_normal"])
        let stateNode = members["state"]!
        var words: [UInt64] = []
        for item in try stateNode.elements(count: 4) {  // digits only: UInt64(radix:) would take a sign
            let text = try item.string()
            let isHex = text.utf8.allSatisfy { (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) }
            guard text.utf8.count == 16, isHex, let word = UInt64(text, radix: 16) else {
                throw item.fail("expected 16 hexadecimal digits, got \"\(text)\"")
            }
            words.append(word)
        }
        guard words.contains(where: { $0 != 0 }) else { throw stateNode.fail("an all-zero state is invalid") }
        var random = RandomSource(seed: 0)
        random.state = (words[0], words[1], words[2], words[3])
        let spare = members["spare_normal"]!
        random.spareNormal = spare.isNull ? nil : try spare.float()
        return random
    }

    static func expectConstant(_ node: JSONNode, _ expected: String) throws(SACError) {
        let value = try node.string()
        guard value == expected else { throw node.fail("expected \"\(expected)\", got \"\(value)\"") }
    }

    static func expectConstant(_ node: JSONNode, _ expected: Float) throws(SACError) {
        let value = try node.float()
        guard value == expected else { throw node.fail("expected \(expected), got \(value)") }
    }
}

extension JSONNode {
    /// An array that must have exactly `count` elements.
    func elements(count: Int) throws(SACError) -> [JSONNode] {
        let items = try elements()
        guard items.count == count else { throw fail("expected \(count) elements, got \(items.count)") }
        return items
    }

}

extension AgentPart {
    /// What a policy file holds: enough to act.
    static func policy(of agent: SACAgent) -> [AgentPart] { agent.learner.policyParts }

    /// What a checkpoint adds to the policy (besides counters and random state, which every agent has).
    static func training(of agent: SACAgent) -> [AgentPart] { agent.learner.trainingParts }
}
