// `smtp-tui bench`: complete transactions per second through the engine, in process, and peak memory.
// Build with -c release before quoting figures.
import ArgumentParser
import SMTPCore
#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure engine throughput: EHLO, MAIL, RCPT, DATA (1 KiB body), QUIT per transaction.")

    // .unconditional: `--count -5` reaches validate() and gets a real explanation instead of "Missing value".
    @Option(parsing: .unconditional, help: "Number of complete transactions (a positive whole number).")
    var count = 1_000_000

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be a positive number of transactions, not \(count)") }
    }

    func run() {
        // The mx profile: one connection per transaction, as a receiving server sees them.
        var body = ""
        let line = String(repeating: "x", count: 62) + "\r\n"
        for _ in 0..<16 { body += line }  // 16 × 64 = 1024 octets
        // The three flights a pipelining client sends, each after the reply it must wait for (RFC 2920 §3.1).
        let flights = [Array("EHLO bench.example.com\r\n".utf8),
                       Array("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\n".utf8),
                       Array(("Subject: bench\r\n\r\n" + body + ".\r\nQUIT\r\n").utf8)]
        var replies = 0
        let start = monotonicSeconds(), cpuStart = cpuSeconds()
        for _ in 0..<count {
            var session = ServerSession(profile: .mx)
            session.storesMessages = false
            replies += session.start().count
            for flight in flights { replies += session.receive(flight).count }
        }
        let elapsed = monotonicSeconds() - start, cpu = cpuSeconds() - cpuStart
        let rate = Double(count) / elapsed
        print("transactions: \(count)")
        print("outputs: \(replies)")
        print("seconds: \(String(format3(elapsed)))")
        print("transactions/s: \(Int(rate))")
        // On a shared machine the wall clock includes time other processes had the core; CPU time does not.
        print("CPU seconds: \(format3(cpu))  transactions per CPU second: \(Int(Double(count) / max(cpu, 1e-9)))")
        print("peak RSS: \(peakRSSKiB()) KiB")
        // Allocations per transaction, a machine-independent figure, need a malloc counter from outside:
        // Scripts/bench-allocs counts them with a perf probe.
    }

    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func format3(_ x: Double) -> String {
        let ms = Int((x * 1000).rounded())
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)"
    }

    private func peakRSSKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}
