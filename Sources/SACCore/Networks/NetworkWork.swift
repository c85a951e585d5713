/// The work of a gradient step that splits for `SplitRunner`: on a twin pair of networks (Q₁ and Q₂,
/// or their targets), parts 0 and 1, one per network (any further parts have nothing to do); or one
/// product, or one row-wise loop, cut into as many parts as there are threads.
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
    /// One matrix product, cut between the threads.
    case product(GEMM.Product, GEMM.Workspace)
    /// A row-wise loop (such as a policy's squashing), cut between the threads by rows.
    case rows(any RowWork, rows: Int)

    /// Runs part `part`: for a pair, 0 is the first network's and 1 the second's.
    public func perform(part: Int, of parts: Int, scratch: UnsafeMutableRawPointer) {
        let isFirst = part == 0
        switch self {
        case let .forward(first, second, rows, input) where part < 2:
            if let input {
                (isFirst ? first : second).forward(input, batch: rows)
            } else if isFirst {
                first.forward(batch: rows)
            } else {
                second.input.update(from: first.input, count: rows * first.inputSize)
                second.forward(batch: rows)
            }
        case let .backward(first, second, gradients, parameterGradients, inputGradients) where part < 2:
            (isFirst ? first : second).backward(isFirst ? gradients.0 : gradients.1, parameterGradients: parameterGradients,
                                                inputGradient: inputGradients.map { isFirst ? $0.0 : $0.1 })
        case let .adamStep(first, second) where part < 2:
            let (adam, network) = isFirst ? first : second
            adam.step(network.parameterVersions, network.gradients)
        case let .blend(targets, sources, tau) where part < 2:
            (isFirst ? targets.0 : targets.1).blend(toward: isFirst ? sources.0 : sources.1, tau: tau)
        case let .product(product, workspace):
            GEMM.run(product, workspace: workspace, part: part, parts: parts,
                     pack: scratch.bindMemory(to: Float.self, capacity: GEMM.packFloats))
        case let .rows(work, rows):
            work.process(rows: rows * part / parts..<rows * (part + 1) / parts)
        case .forward, .backward, .adamStep, .blend:
            break  // a pair has two parts: threads beyond the second wait for this one
        }
    }
}

/// A loop over rows whose iterations are independent.
public protocol RowWork: AnyObject {
    func process(rows: Range<Int>)
}

/// The runner of an agent's networks: each thread's scratch memory is a GEMM pack buffer.
public typealias NetworkRunner = SplitRunner<NetworkWork>

extension SplitRunner where Work == NetworkWork {
    public convenience init() throws(SACError) {
        try self.init(scratchBytes: GEMM.packFloats * MemoryLayout<Float>.stride)
    }
}
