/// The work of a gradient step that splits in two for `SplitRunner`: on a twin pair of networks (Q₁
/// and Q₂, or their targets), one half per network; or one product, or one row-wise loop, cut in two.
public enum NetworkWork: SplitWork {
    /// Forward passes on `rows` rows: from `input` when given; otherwise the first network's input
    /// was written by the caller, and the second copies it.
    case forward(MLP, MLP, rows: Int, input: UnsafePointer<Float>?)
    /// Backward passes of the last forward passes, from each network's output gradient; input
    /// gradients are written when `inputGradients` is given.
    case backward(MLP, MLP, outputGradients: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>), parameterGradients: Bool,
                  inputGradients: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)?)
    /// One Adam step of each network on its gradients (each optimizer records whether it stayed finite).
    case adamStep((Adam, MLP), (Adam, MLP))
    /// Polyak averaging of each target toward its network (each target records whether it stayed finite).
    case blend(targets: (MLP, MLP), toward: (MLP, MLP), tau: Float)
    /// One matrix product cut in two (a network that is not one of a pair, such as the actor).
    case product(GEMM.Product, GEMM.Workspace)
    /// A row-wise loop (such as a policy's squashing), half of the rows each.
    case rows(any RowWork, rows: Int)

    /// Runs half 0 (the first network's) or half 1 (the second's).
    public func perform(half: Int) {
        let isFirst = half == 0
        switch self {
        case let .forward(first, second, rows, input):
            if let input {
                (isFirst ? first : second).forward(input, batch: rows)
            } else if isFirst {
                first.forward(batch: rows)
            } else {
                second.input.update(from: first.input, count: rows * first.inputSize)
                second.forward(batch: rows)
            }
        case let .backward(first, second, gradients, parameterGradients, inputGradients):
            (isFirst ? first : second).backward(isFirst ? gradients.0 : gradients.1, parameterGradients: parameterGradients,
                                                inputGradient: inputGradients.map { isFirst ? $0.0 : $0.1 })
        case let .adamStep(first, second):
            let (adam, network) = isFirst ? first : second
            adam.step(network.parameterVersions, network.gradients)
        case let .blend(targets, sources, tau):
            (isFirst ? targets.0 : targets.1).blend(toward: isFirst ? sources.0 : sources.1, tau: tau)
        case let .product(product, workspace):
            GEMM.run(product, workspace: workspace, part: half, parts: 2)
        case let .rows(work, rows):
            work.process(rows: isFirst ? 0..<(rows / 2) : (rows / 2)..<rows)
        }
    }
}

/// A loop over rows whose iterations are independent.
public protocol RowWork: AnyObject {
    func process(rows: Range<Int>)
}

/// The runner of an agent's networks.
public typealias NetworkRunner = SplitRunner<NetworkWork>
