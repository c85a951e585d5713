#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CKernels
import Synchronization

/// A counter that one thread advances and one other thread waits on.
///
/// The waiter first spins, for up to `spinBudget`: inside a gradient step the two threads meet every
/// few microseconds, and waking a thread parked in the kernel costs about as much again (measured
/// here: sleeping on every hand-over took a fifth off the two-thread update rate). Every few
/// microseconds of spinning it yields the core, so that with more busy threads than cores the thread
/// it waits for gets to run (measured here: two 2-thread agents in parallel on 2 cores did 84
/// updates/s each without yielding, 268-352 with it). Only then does it park on a semaphore, so an
/// idle agent costs no CPU.
///
/// The flag `sleeping` and sequentially consistent accesses make sure a wake-up is never lost: either
/// the waiter sees the new value, or the one who advanced sees the waiter asleep and posts the
/// semaphore.
final class Signal {
    private let value = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    private let semaphore: UnsafeMutablePointer<sem_t>
    static let spinBudget: Duration = .microseconds(200)

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Publishes `newValue` (larger than the last one): everything written before is visible to the
    /// waiter once it returns.
    func advance(to newValue: Int) {
        value.store(newValue, ordering: .sequentiallyConsistent)
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) { sem_post(semaphore) }
    }

    /// Returns once the value is at least `target`.
    func wait(for target: Int) {
        if spin(for: target) { return }
        while true {
            sleeping.store(true, ordering: .sequentiallyConsistent)
            if value.load(ordering: .sequentiallyConsistent) >= target {
                // Cancel the sleep; if the other thread has already taken the flag, it has posted too.
                if !sleeping.exchange(false, ordering: .sequentiallyConsistent) { park() }
                return
            }
            park()
            if value.load(ordering: .acquiring) >= target { return }
        }
    }

    private func spin(for target: Int) -> Bool {
        // The clock is read only once the first round of spinning found nothing: most hand-overs
        // inside a step end before that.
        var deadline: ContinuousClock.Instant?
        while true {
            for _ in 0..<256 {
                if value.load(ordering: .acquiring) >= target { return true }
                libsac_cpu_relax()
            }
            let now = ContinuousClock.now
            if let deadline, now >= deadline { return false }
            if deadline == nil { deadline = now + Self.spinBudget }
            sched_yield()
        }
    }

    private func park() {
        while sem_wait(semaphore) != 0 {}  // EINTR: a signal interrupted the wait
    }
}
