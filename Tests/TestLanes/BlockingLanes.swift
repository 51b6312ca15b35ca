// Suites that block a thread — waiting on a child process, polling tmux, reading a socket — run on threads of their
// own, never on Swift's cooperative pool. That pool is only as wide as the machine has cores (two on CI): when two
// blocking suites held both its threads for over a minute, hundreds of quick tests elsewhere sat unscheduled and ran
// out their time limits without having started. A suite marked `.blocking` first waits, without holding any thread,
// for one of a few lanes (so a small machine does not also run twenty apps at once), then runs every job of its tests
// — test bodies, time limits, anything they await — on a fresh thread each.
import Foundation
import Testing

public struct BlockingLane: SuiteTrait, TestScoping {
    /// Once around the whole suite: its tests inherit the executor, and none of them waits for a lane on its own
    /// clock (a time limit counts from a test's start, never from a queue).
    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        await Lanes.shared.enter()
        do {
            try await withTaskExecutorPreference(ThreadPerJob.shared) { try await function() }
        } catch {
            await Lanes.shared.leave()
            throw error
        }
        await Lanes.shared.leave()
    }
}

extension Trait where Self == BlockingLane {
    /// This suite blocks threads: run it in a lane of its own, off the cooperative pool.
    public static var blocking: Self { BlockingLane() }
}

/// How many blocking suites run at once: two, or the SMTP_TUI_TEST_LANES environment variable.
actor Lanes {
    static let shared = Lanes(width: ProcessInfo.processInfo.environment["SMTP_TUI_TEST_LANES"].flatMap { Int($0) } ?? 2)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = max(1, width) }

    func enter() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// A task executor that gives every job a new thread, so a job may block as long as it likes without starving
/// anything else. The jobs of one task never run at the same time (a task is one sequence of jobs), so a test body
/// still runs as straight-line code.
final class ThreadPerJob: TaskExecutor, Sendable {
    static let shared = ThreadPerJob()
    /// The key each lane thread sets in its thread dictionary (a thread's name is no use: on Linux a new thread
    /// carries its creator's, and a pool thread's, name).
    static let marker = "smtp-tui.test-lane"

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread {
            Thread.current.threadDictionary[ThreadPerJob.marker] = true
            job.runSynchronously(on: executor)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Whether the caller runs on a lane thread (a synchronous function, so async tests may ask too).
public func onALaneThread() -> Bool { Thread.current.threadDictionary[ThreadPerJob.marker] as? Bool == true }
