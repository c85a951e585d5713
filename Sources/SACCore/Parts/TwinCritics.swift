/// Twin Q networks with their optimizers and, unless the algorithm learns from a value network,
/// their Polyak-averaged targets: the critic half of every member of the family. Two shapes:
/// - on rows [s, a] with one output (continuous SAC and SAC-v1): `actionWidth` is action_dim;
/// - on s with one output per action (discrete SAC, soft Q-learning): `actionWidth` is 0.
///
/// The loss is ½·mean(Q₁(s, a) − y)² + ½·mean(Q₂(s, a) − y)² at the stored actions.
final class TwinCritics {
    let critic1: MLP
    let critic2: MLP
    let target1: MLP?
    let target2: MLP?
    let optimizer1: Adam
    let optimizer2: Adam
    let obsDim: Int
    /// Action columns of the input (0 for per-action heads).
    let actionWidth: Int
    /// Outputs per row: 1, or one per action.
    let outputs: Int
    /// dL/dQ of each critic, [batch × outputs], and dL/d(input) for the actor's pass through them.
    let gradient1: FloatBuffer
    let gradient2: FloatBuffer
    let inputGradient1: FloatBuffer
    let inputGradient2: FloatBuffer
    /// min(Q₁, Q₂) per row and output, of the last `minimum` call.
    let smaller: FloatBuffer
    /// The agent's runner: each critic's half of the work may run on its own thread.
    let runner: NetworkRunner
    /// From how many threads on the critics' products are cut between all threads (see `run`), or
    /// nil when they are too small to be worth cutting.
    let cutsProductsFromThreads: Int?

    /// Allocates the critics; `initialize` draws their weights.
    init(obsDim: Int, actionWidth: Int, hidden: [Int], outputs: Int, maxBatch: Int, learningRate: Float,
         hasTargets: Bool, runner: NetworkRunner, versioned: Bool, compute: Compute) throws(SACError) {
        let sizes = [obsDim + actionWidth] + hidden + [outputs]
        (self.obsDim, self.actionWidth, self.outputs, self.runner) = (obsDim, actionWidth, outputs, runner)
        critic1 = try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned, compute: compute)
        critic2 = try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned, compute: compute)
        target1 = hasTargets ? try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned, compute: compute) : nil
        target2 = hasTargets ? try MLP(sizes: sizes, maxBatch: maxBatch, versioned: versioned, compute: compute) : nil
        optimizer1 = try Adam(count: critic1.parameterCount, learningRate: learningRate, versioned: versioned,
                              vectors: compute.adamVectors)
        optimizer2 = try Adam(count: critic2.parameterCount, learningRate: learningRate, versioned: versioned,
                              vectors: compute.adamVectors)
        gradient1 = try FloatBuffer(count: maxBatch * outputs)
        gradient2 = try FloatBuffer(count: maxBatch * outputs)
        let inputGradientCount = actionWidth > 0 ? maxBatch * (obsDim + actionWidth) : 0
        inputGradient1 = try FloatBuffer(count: inputGradientCount)
        inputGradient2 = try FloatBuffer(count: inputGradientCount)
        smaller = try FloatBuffer(count: maxBatch * outputs)
        // Cut when most of a pass's FLOPs are in products large enough to cut.
        let layerFlops = zip(sizes, sizes.dropFirst()).map { 2 * maxBatch * $0 * $1 }
        let cuttable = layerFlops.filter { $0 >= compute.splitThreshold }.reduce(0, +)
        cutsProductsFromThreads = 2 * cuttable > layerFlops.reduce(0, +) ? compute.criticsCutFromThreads : nil
        for network in [critic1, critic2] + (hasTargets ? [target1!, target2!] : []) { network.runner = runner }
    }

    /// Runs the passes of a pair. On two threads, each critic runs on its own. On more, the critics
    /// run one after the other and each of their products is cut between all the threads, unless
    /// they are too small to split: then the pair keeps two threads, as a third could not help.
    private func run(_ work: NetworkWork) {
        if let cutsProductsFromThreads, runner.threads >= cutsProductsFromThreads {
            runner.runHere(work)
        } else {
            runner.run(work)
        }
    }

    /// Draws both critics' weights (Q₁ first) and copies them to the targets.
    func initialize(_ random: inout RandomSource) {
        critic1.initialize(&random)
        critic2.initialize(&random)
        target1?.parameters.copy(from: critic1.parameters)
        target2?.parameters.copy(from: critic2.parameters)
    }

    var online: (MLP, MLP) { (critic1, critic2) }

    /// The target pair; only for critics made with targets.
    var targets: (MLP, MLP) { (target1!, target2!) }

    /// Both critics of `pair` on `rows` observations (with `actions`, for critics on [s, a]); returns
    /// their outputs [rows × outputs].
    func evaluate(_ pair: (MLP, MLP), _ observations: UnsafePointer<Float>, actions: UnsafePointer<Float>?,
                  rows: Int) -> (q1: UnsafePointer<Float>, q2: UnsafePointer<Float>) {
        let (first, second) = pair
        if let actions {
            let width = obsDim + actionWidth
            for r in 0..<rows {
                (first.input + r * width).update(from: observations + r * obsDim, count: obsDim)
                (first.input + r * width + obsDim).update(from: actions + r * actionWidth, count: actionWidth)
            }
            run(.forward(first, second, rows: rows, input: nil))
        } else {
            run(.forward(first, second, rows: rows, input: observations))
        }
        return (UnsafePointer(first.output), UnsafePointer(second.output))
    }

    /// min(Q₁, Q₂)(s, ·) of per-action heads, online or target, [rows × outputs].
    @discardableResult
    func minimum(_ observations: UnsafePointer<Float>, rows: Int, targets useTargets: Bool) -> UnsafePointer<Float> {
        let (q1, q2) = evaluate(useTargets ? targets : online, observations, actions: nil, rows: rows)
        for k in 0..<(rows * outputs) { smaller[k] = min(q1[k], q2[k]) }
        return UnsafePointer(smaller.base)
    }

    /// The loss against `y` at the stored actions of `batch` (vectors in [-1, 1] for critics on
    /// [s, a], indices for per-action heads); leaves dL/dθ in each critic. Returns the loss and the
    /// mean of min(Q₁, Q₂) at the stored actions.
    func lossAndGradients(_ batch: TransitionBatch, y: UnsafePointer<Float>) -> (loss: Float, meanQ: Float) {
        let n = batch.size
        let actions = batch.actions.base
        let result: (loss: Float, meanQ: Float)
        if actionWidth > 0 {
            let (q1, q2) = evaluate(online, batch.observations.base, actions: actions, rows: n)
            result = twinCriticSquaredError(q1, q2, targets: y, rows: n, width: 1, column: { _ in 0 },
                                            gradient1: gradient1.base, gradient2: gradient2.base)
        } else {
            let (q1, q2) = evaluate(online, batch.observations.base, actions: nil, rows: n)
            gradient1.fill(0)  // only the stored action's output gets a gradient
            gradient2.fill(0)
            result = twinCriticSquaredError(q1, q2, targets: y, rows: n, width: outputs, column: { Int(actions[$0]) },
                                            gradient1: gradient1.base, gradient2: gradient2.base)
        }
        run(.backward(critic1, critic2, outputGradients: (gradient1.base, gradient2.base), parameterGradients: true,
                            inputGradients: nil))
        return result
    }

    /// d/da of Σ_r (g₁[r]·Q₁(s_r, a_r) + g₂[r]·Q₂(s_r, a_r)) at the rows of the last `evaluate` of the
    /// online critics on [s, a], into `actionGradient` [rows × actionWidth]. The critics' weights get
    /// no gradient: the actor's loss only passes through them.
    func actionGradient(outputGradients: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>), rows: Int,
                        into actionGradient: UnsafeMutablePointer<Float>) {
        run(.backward(critic1, critic2, outputGradients: outputGradients, parameterGradients: false,
                            inputGradients: (inputGradient1.base, inputGradient2.base)))
        let width = obsDim + actionWidth
        for r in 0..<rows {
            for i in 0..<actionWidth {
                let k = r * width + obsDim + i
                actionGradient[r * actionWidth + i] = inputGradient1[k] + inputGradient2[k]
            }
        }
    }

    /// One Adam step on each critic, then θ' ← τθ + (1 − τ)θ' for the targets, if any, unless `tau`
    /// is nil (a step between two target updates).
    func step(tau: Float?) throws(SACError) {
        // No products here: each network on a thread of its own whatever the count (see `run`).
        runner.run(.adamStep((optimizer1, critic1), (optimizer2, critic2)))
        try Divergence.check(optimizer1, "the first critic's Adam step")
        try Divergence.check(optimizer2, "the second critic's Adam step")
        guard let target1, let target2, let tau else { return }
        runner.run(.blend(targets: (target1, target2), toward: (critic1, critic2), tau: tau))
        try Divergence.check(blendOf: target1, "the first target critic")
        try Divergence.check(blendOf: target2, "the second target critic")
    }

    /// Checkpoint parts: "critics", then "target_critics" when there are targets.
    var parts: [AgentPart] {
        [.networks("critics", [critic1, critic2])] + (target1 == nil ? [] : [.networks("target_critics", [targets.0, targets.1])])
    }
}
