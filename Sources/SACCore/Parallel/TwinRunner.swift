#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Work on a twin pair of networks (Q₁ and Q₂, or their targets) that splits into two independent
/// halves, one per network. Values, not closures: a stored closure would be a heap allocation on
/// every hand-over, and the training path allocates nothing.
public enum TwinTask {
    /// Forward passes on `rows` rows: from `input` when given; otherwise the first network's input
    /// was written by the caller, and the second copies it.
    case forward(MLP, MLP, rows: Int, input: UnsafePointer<Float>?)
    /// Backward passes of the last forward passes, from each network's output gradient; input
    /// gradients are written when `inputGradients` is given.
    case backward(MLP, MLP, outputGradients: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>), parameterGradients: Bool,
                  inputGradients: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)?)
    /// One Adam step of each network on its gradients.
    case adamStep((Adam, MLP), (Adam, MLP))
    /// Polyak averaging of each target toward its network.
    case blend(targets: (MLP, MLP), toward: (MLP, MLP), tau: Float)

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
            adam.step(network.parameters, network.gradients)
        case let .blend(targets, sources, tau):
            (isFirst ? targets.0 : targets.1).blend(toward: isFirst ? sources.0 : sources.1, tau: tau)
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

/// One parked thread that runs a job handed over by `run`.
final class HelperThread {
    private var thread = pthread_t()
    private let start: UnsafeMutablePointer<sem_t>
    private let done: UnsafeMutablePointer<sem_t>
    private var task: TwinTask?
    private var stopping = false

    init() throws(SACError) {
        start = .allocate(capacity: 1)
        done = .allocate(capacity: 1)
        sem_init(start, 0, 0)
        sem_init(done, 0, 0)
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<HelperThread>.fromOpaque(context!).takeUnretainedValue().serve()
            return nil
        }, Unmanaged.passUnretained(self).toOpaque())
        guard created == 0 else {
            release()
            throw SACError(.outOfMemory, "could not start the helper thread (pthread_create: \(String(cString: strerror(created))))")
        }
    }

    private func serve() {
        while true {
            wait(start)
            if stopping { return }
            task!.perform(half: 1)
            sem_post(done)
        }
    }

    /// Half 1 of `task` runs on the helper while half 0 runs here.
    func run(_ task: TwinTask) {
        self.task = task
        sem_post(start)
        task.perform(half: 0)
        wait(done)
        self.task = nil
    }

    /// Ends and joins the thread. Must be called once, before the object goes away (the thread
    /// holds an unretained reference to it).
    func stop() {
        stopping = true
        sem_post(start)
        pthread_join(thread, nil)
        release()
    }

    private func release() {
        sem_destroy(start)
        sem_destroy(done)
        start.deallocate()
        done.deallocate()
    }

    private func wait(_ semaphore: UnsafeMutablePointer<sem_t>) {
        while sem_wait(semaphore) != 0 {}  // EINTR: a signal interrupted the wait
    }
}
