#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Work in two independent halves, each touching its own memory, that two threads can run at once.
/// A value, not a closure: a stored closure would be a heap allocation on every hand-over, and the
/// training path allocates nothing.
public protocol SplitWork {
    /// Runs half 0 or half 1.
    func perform(half: Int)
}

/// Runs the two halves of each `Work` one after the other, or at the same time on the caller's thread
/// and one helper thread. The halves touch disjoint memory and draw no random numbers, so the results
/// are bit-identical either way. It knows nothing of what the work is.
public final class SplitRunner<Work: SplitWork> {
    private var helper: HelperThread?

    public init() {}

    deinit { helper?.stop() }

    /// 1 (no helper) or 2 (a helper thread, created here).
    public var threads: Int { helper == nil ? 1 : 2 }

    public func setThreads(_ threads: Int) throws(SACError) {
        guard threads == 1 || threads == 2 else {
            throw SACError(.invalidArgument, "threads is \(threads); an agent uses 1 or 2 threads "
                + "(the second one runs half of each gradient step's work)")
        }
        if threads == 1, let helper {
            helper.stop()
            self.helper = nil
        } else if threads == 2, helper == nil {
            // Made once here: a closure naming `Work` carries a context, and hand-overs must not allocate.
            helper = try HelperThread { $0.assumingMemoryBound(to: Work.self).pointee.perform(half: 1) }
        }
    }

    /// Runs both halves of `task`; returns when both are done.
    public func run(_ task: Work) {
        if let helper {
            withUnsafePointer(to: task) { pointer in
                helper.run(UnsafeRawPointer(pointer)) { task.perform(half: 0) }
            }
        } else {
            task.perform(half: 0)
            task.perform(half: 1)
        }
    }
}

/// One thread that runs half 1 of each task handed over by `run` while the caller runs half 0. Not
/// generic: the thread's entry point is a C function, which cannot name a generic type; the task
/// arrives as a pointer that `performHalfOne` knows the type of.
final class HelperThread {
    private var thread = pthread_t()
    /// The number of tasks handed over, and the number the helper has finished.
    private let handedOver = Signal()
    private let finished = Signal()
    private var count = 0
    private var task: UnsafeRawPointer?
    private let performHalfOne: (UnsafeRawPointer) -> Void
    private var stopping = false

    init(performHalfOne: @escaping (UnsafeRawPointer) -> Void) throws(SACError) {
        self.performHalfOne = performHalfOne
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
            performHalfOne(task!)
            served += 1
            finished.advance(to: served)
        }
    }

    /// Half 1 of the task at `task` runs on the helper while `halfZero` runs here; `task` must stay
    /// valid until this returns.
    func run(_ task: UnsafeRawPointer, halfZero: () -> Void) {
        self.task = task
        count += 1
        handedOver.advance(to: count)
        halfZero()
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
