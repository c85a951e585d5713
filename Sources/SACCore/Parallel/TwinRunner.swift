#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Work that splits into two independent halves: on a twin pair of networks (Q₁ and Q₂, or their
/// targets), one half per network; or one product, or one row-wise loop, cut in two. Values, not
/// closures: a stored closure would be a heap allocation on every hand-over, and the training path
/// allocates nothing.
public enum TwinTask {
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
    /// The squashing and log-probabilities of a policy's sample, half of the rows each.
    case squash(SquashedGaussianPolicy, rows: Int)

    /// Runs half 0 (the first network's) or half 1 (the second's).
    func perform(half: Int) {
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
        case let .squash(policy, rows):
            policy.squash(rows: isFirst ? 0..<(rows / 2) : (rows / 2)..<rows)
        }
    }
}

/// Runs a `TwinTask`'s two halves one after the other, or at the same time on the caller's thread and
/// one helper thread. The halves touch disjoint memory and draw no random numbers, so the results are
/// bit-identical either way.
public final class TwinRunner {
    private var helper: HelperThread?

    public init() {}

    deinit { helper?.stop() }

    /// 1 (no helper) or 2 (a helper thread, created here).
    public var threads: Int { helper == nil ? 1 : 2 }

    public func setThreads(_ threads: Int) throws(SACError) {
        guard threads == 1 || threads == 2 else {
            throw SACError(.invalidArgument, "threads is \(threads); an agent uses 1 or 2 threads "
                + "(the second one runs the second critic of each pair)")
        }
        if threads == 1, let helper {
            helper.stop()
            self.helper = nil
        } else if threads == 2, helper == nil {
            helper = try HelperThread()
        }
    }

    /// Runs both halves of `task`; returns when both are done.
    public func run(_ task: TwinTask) {
        if let helper {
            helper.run(task)
        } else {
            task.perform(half: 0)
            task.perform(half: 1)
        }
    }
}

/// One thread that runs half 1 of each task handed over by `run` while the caller runs half 0.
final class HelperThread {
    private var thread = pthread_t()
    /// The number of tasks handed over, and the number the helper has finished.
    private let handedOver = Signal()
    private let finished = Signal()
    private var count = 0
    private var task: TwinTask?
    private var stopping = false

    init() throws(SACError) {
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<HelperThread>.fromOpaque(context!).takeUnretainedValue().serve()
            return nil
        }, Unmanaged.passUnretained(self).toOpaque())
        guard created == 0 else {
            throw SACError(.outOfMemory, "could not start the helper thread (pthread_create: \(String(cString: strerror(created))))")
        }
    }

    private func serve() {
        var served = 0
        while true {
            handedOver.wait(for: served + 1)
            if stopping { return }
            task!.perform(half: 1)
            served += 1
            finished.advance(to: served)
        }
    }

    /// Half 1 of `task` runs on the helper while half 0 runs here.
    func run(_ task: TwinTask) {
        self.task = task
        count += 1
        handedOver.advance(to: count)
        task.perform(half: 0)
        finished.wait(for: count)
        self.task = nil
    }

    /// Ends and joins the thread. Must be called once, before the object goes away (the thread
    /// holds an unretained reference to it).
    func stop() {
        stopping = true
        handedOver.advance(to: count + 1)
        pthread_join(thread, nil)
    }
}
