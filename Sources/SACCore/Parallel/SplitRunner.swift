#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Work in independent parts, each touching its own memory, that several threads can run at once.
/// A value, not a closure: a stored closure would be a heap allocation on every hand-over, and the
/// training path allocates nothing.
public protocol SplitWork {
    /// Runs part `part` of `parts` (at least 2), with `scratch`, `SplitRunner.scratchBytes` bytes of
    /// memory (aligned to 64) that belong to the thread running it.
    func perform(part: Int, of parts: Int, scratch: UnsafeMutableRawPointer)
}

/// Runs the parts of each `Work` on the caller's thread and up to 63 helper threads. A task has as
/// many parts as there are threads, and at least two (on one thread, the caller runs both). The
/// parts touch disjoint memory and draw no random numbers, so the results are bit-identical whatever
/// the number of threads. It knows nothing of what the work is.
public final class SplitRunner<Work: SplitWork> {
    public static var maxThreads: Int { 64 }
    private var helpers: [HelperThread] = []
    /// The caller's scratch memory (each helper has its own).
    private let scratch: UnsafeMutableRawPointer
    public let scratchBytes: Int

    public init(scratchBytes: Int) throws(SACError) {
        self.scratchBytes = scratchBytes
        scratch = try allocateScratch(scratchBytes)
    }

    deinit {
        for helper in helpers { helper.stop() }
        free(scratch)
    }

    /// The caller's thread and the helpers.
    public var threads: Int { helpers.count + 1 }

    /// Starts or stops helper threads so that `threads` threads run each task.
    public func setThreads(_ threads: Int) throws(SACError) {
        guard threads >= 1 && threads <= Self.maxThreads else {
            throw SACError(.invalidArgument, "threads is \(threads); an agent uses 1 to \(Self.maxThreads) threads")
        }
        let before = helpers.count
        while helpers.count + 1 > threads { helpers.removeLast().stop() }
        do {
            while helpers.count + 1 < threads {
                let index = helpers.count + 1
                // Made once here: a closure naming `Work` carries a context, and hand-overs must not allocate.
                helpers.append(try HelperThread(scratchBytes: scratchBytes) { task, parts, scratch in
                    task.assumingMemoryBound(to: Work.self).pointee.perform(part: index, of: parts, scratch: scratch)
                })
            }
        } catch {
            while helpers.count > before { helpers.removeLast().stop() }  // as before the call
            throw error
        }
    }

    /// True while `run` hands a task to the helpers.
    private var isRunning = false

    /// Whether work can be handed to the helpers now: there are some, and they are not busy with
    /// the parts of a task that this work runs inside (then it runs where it is).
    public var canHandOver: Bool { !helpers.isEmpty && !isRunning }

    /// Runs every part of `task`; returns when all are done.
    public func run(_ task: Work) {
        guard !helpers.isEmpty else { return runHere(task) }
        let parts = threads
        isRunning = true
        withUnsafePointer(to: task) { pointer in
            for helper in helpers { helper.handOver(UnsafeRawPointer(pointer), parts: parts) }
            task.perform(part: 0, of: parts, scratch: scratch)
            for helper in helpers { helper.waitUntilDone() }
        }
        isRunning = false
    }

    /// Runs both parts of `task` (a task has at least two) one after the other on the caller's
    /// thread, leaving the helpers free for the work inside it.
    public func runHere(_ task: Work) {
        task.perform(part: 0, of: 2, scratch: scratch)
        task.perform(part: 1, of: 2, scratch: scratch)
    }
}

/// One thread that runs its part of each task handed over, while the caller runs part 0. Not generic:
/// the thread's entry point is a C function, which cannot name a generic type; the task arrives as a
/// pointer that `performPart` knows the type of.
final class HelperThread {
    private var thread = pthread_t()
    /// The number of tasks handed over, and the number the helper has finished.
    private let handedOver = Signal()
    private let finished = Signal()
    private var count = 0
    private var task: UnsafeRawPointer?
    private var parts = 0
    private let scratch: UnsafeMutableRawPointer
    private let performPart: (UnsafeRawPointer, Int, UnsafeMutableRawPointer) -> Void
    private var stopping = false

    /// `performPart(task, parts, scratch)` runs this thread's part of a task.
    init(scratchBytes: Int, performPart: @escaping (UnsafeRawPointer, Int, UnsafeMutableRawPointer) -> Void) throws(SACError) {
        self.performPart = performPart
        scratch = try allocateScratch(scratchBytes)
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<HelperThread>.fromOpaque(context!).takeUnretainedValue().serve()
            return nil
        }, Unmanaged.passUnretained(self).toOpaque())
        guard created == 0 else {
            free(scratch)
            throw SACError(.outOfMemory, "could not start a helper thread (pthread_create: \(String(cString: strerror(created))))")
        }
    }

    private func serve() {
        var served = 0
        while true {
            handedOver.wait(for: served + 1)
            if stopping { return }
            performPart(task!, parts, scratch)
            served += 1
            finished.advance(to: served)
        }
    }

    /// Starts the helper's part of the task at `task` of `parts`; `task` must stay valid until
    /// `waitUntilDone` returns.
    func handOver(_ task: UnsafeRawPointer, parts: Int) {
        (self.task, self.parts) = (task, parts)
        count += 1
        handedOver.advance(to: count)
    }

    func waitUntilDone() {
        finished.wait(for: count)
        task = nil
    }

    /// Ends and joins the thread. Must be called once, before the object goes away (the thread
    /// holds an unretained reference to it).
    func stop() {
        stopping = true
        handedOver.advance(to: count + 1)
        pthread_join(thread, nil)
        free(scratch)
    }
}

/// Zeroed memory aligned to a cache line, for one thread's scratch; freed with `free`.
private func allocateScratch(_ bytes: Int) throws(SACError) -> UnsafeMutableRawPointer {
    var memory: UnsafeMutableRawPointer?
    guard posix_memalign(&memory, 64, max(bytes, 1)) == 0, let memory else {
        throw SACError(.outOfMemory, "could not allocate \(bytes) bytes of scratch memory for a thread")
    }
    memset(memory, 0, max(bytes, 1))
    return memory
}
