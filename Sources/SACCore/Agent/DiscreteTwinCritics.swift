/// Twin Q networks with one output per action, their Polyak-averaged targets and optimizers: the
/// critic half that discrete SAC and soft Q-learning share. The loss is
/// ½·mean(Q₁(s, a) − y)² + ½·mean(Q₂(s, a) − y)² at the stored actions, against `targets`.
public final class DiscreteTwinCritics {
    public let actionCount: Int
    public let critic1: MLP
    public let critic2: MLP
    public let target1: MLP
    public let target2: MLP
    public let optimizer1: Adam
    public let optimizer2: Adam
    /// y for each row of the batch; the owner fills it before `lossAndGradients`.
    public let targets: FloatBuffer
    /// min(Q₁, Q₂) (or of the targets) per row and action, from the last `minimum` call.
    public let minimum: FloatBuffer
    let gradient1: FloatBuffer
    let gradient2: FloatBuffer
    /// The agent's runner: each head's half of the work may run on its own thread.
    let twins: TwinRunner

    /// Allocates the heads; `initialize` draws their weights.
    init(sizes: [Int], maxBatch: Int, learningRate: Float, twins: TwinRunner, versioned: Bool) throws(SACError) {
        self.twins = twins
        actionCount = sizes[sizes.count - 1]
        critic1 = try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned)
        critic2 = try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned)
        target1 = try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned)
        target2 = try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned)
        optimizer1 = try Adam(count: critic1.parameterCount, learningRate: learningRate, versioned: versioned)
        optimizer2 = try Adam(count: critic2.parameterCount, learningRate: learningRate, versioned: versioned)
        targets = try FloatBuffer(count: maxBatch)
        minimum = try FloatBuffer(count: maxBatch * actionCount)
        gradient1 = try FloatBuffer(count: maxBatch * actionCount)
        gradient2 = try FloatBuffer(count: maxBatch * actionCount)
    }

    func initialize(_ random: inout RandomSource) {
        critic1.initialize(&random)
        critic2.initialize(&random)
        target1.parameters.copy(from: critic1.parameters)
        target2.parameters.copy(from: critic2.parameters)
    }

    /// min(Q₁, Q₂)(s, ·) of the online (`useTargets` false) or target heads into `minimum`.
    @discardableResult
    func minimum(_ observations: UnsafePointer<Float>, rows: Int, useTargets: Bool) -> UnsafeMutablePointer<Float> {
        let (first, second) = useTargets ? (target1, target2) : (critic1, critic2)
        twins.run(.forward(first, second, rows: rows, input: observations))
        let (q1, q2) = (first.output, second.output)
        for k in 0..<(rows * actionCount) { minimum[k] = min(q1[k], q2[k]) }
        return minimum.base
    }

    /// The loss against `targets` at the stored actions (`batch.actions` holds indices); leaves
    /// dL/dθ in each critic. Returns the loss and the mean of min(Q₁, Q₂) at the stored actions.
    func lossAndGradients(_ batch: TransitionBatch) -> (loss: Float, meanQ: Float) {
        let n = batch.size
        twins.run(.forward(critic1, critic2, rows: n, input: batch.observations.base))
        let (q1, q2) = (critic1.output, critic2.output)
        gradient1.fill(0)  // only the stored action's head gets a gradient
        gradient2.fill(0)
        let actions = batch.actions.base
        let result = twinCriticSquaredError(q1, q2, targets: targets.base, rows: n, width: actionCount,
                                            column: { Int(actions[$0]) }, gradient1: gradient1.base,
                                            gradient2: gradient2.base)
        twins.run(.backward(critic1, critic2, outputGradients: (gradient1.base, gradient2.base), parameterGradients: true,
                            inputGradients: nil))
        return result
    }

    /// One Adam step on each head, then θ' ← τθ + (1 − τ)θ' for the targets.
    func step(tau: Float) throws(SACError) {
        twins.run(.adamStep((optimizer1, critic1), (optimizer2, critic2)))
        try Divergence.check(optimizer1, "the first critic's Adam step")
        try Divergence.check(optimizer2, "the second critic's Adam step")
        twins.run(.blend(targets: (target1, target2), toward: (critic1, critic2), tau: tau))
        try Divergence.check(blendOf: target1, "the first target critic")
        try Divergence.check(blendOf: target2, "the second target critic")
    }
}
