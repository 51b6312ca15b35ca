// The real binary: `smtp-tui serve --stdio` answers a pipe, and swaks delivers through it.
import Testing
import Foundation
import TestLanes

enum Binary {
    /// The built smtp-tui next to the test bundle (swift test builds every product into the same folder).
    static var path: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDir.appendingPathComponent("smtp-tui").path]
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        candidates.append(dir.appendingPathComponent(".build/debug/smtp-tui").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    struct Timeout: Error, CustomStringConvertible { let description: String }

    /// Runs a child with a deadline: stdout and stderr are read at the same time (a child that fills one pipe
    /// while we wait on the other would hang), and a child still running after `seconds` is killed and the call
    /// throws, so a hung server fails its test instead of hanging the run.
    @discardableResult
    /// `stdinFirst`: the input is in the pipe before the child starts (at most a pipe's 64 KiB), not written after.
    static func run(_ executable: String, _ arguments: [String], stdin: Data = Data(), stdinFirst: Bool = false,
                    seconds: Double = 60) throws -> (status: Int32, out: String, err: String) {
        let preloaded = Pipe()
        if stdinFirst {
            try preloaded.fileHandleForWriting.write(contentsOf: stdin)
            try preloaded.fileHandleForWriting.close()
        }
        let (process, inPipe, outPipe, errPipe) = try launch(executable, arguments, stdin: stdinFirst ? preloaded : nil)
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data(), err = Data()
        if !stdinFirst {
            DispatchQueue.global().async(group: group) { try? inPipe.fileHandleForWriting.write(contentsOf: stdin); try? inPipe.fileHandleForWriting.close() }
        }
        DispatchQueue.global().async(group: group) { out = outPipe.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = errPipe.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            throw Timeout(description: "\(executable) \(arguments.joined(separator: " ")) still running after \(seconds) s: killed")
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Starts a child with its three pipes, its data folder outside the real home.
    static func launch(_ executable: String, _ arguments: [String], stdin: Pipe? = nil) throws -> (Process, Pipe, Pipe, Pipe) {
        // A server may hang up before it has read everything (421, a closed session): writing on then must fail
        // with EPIPE for this call, not kill the whole test process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // serve makes its TLS certificate on first use under XDG_DATA_HOME: keep it out of the real home.
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = NSTemporaryDirectory() + "smtp-tui-test-data-\(getpid())"
        process.environment = environment
        let inPipe = stdin ?? Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe; process.standardOutput = outPipe; process.standardError = errPipe
        try process.run()
        return (process, inPipe, outPipe, errPipe)
    }

    /// Talks to a child the way a careful client does: reads the greeting, then writes each flight and reads as
    /// many complete replies (a final line `NNN ` or `NNN` alone) as the flight asks for before writing the next.
    /// Returns the exit status and everything the child wrote, with a deadline like `run`.
    static func converse(_ executable: String, _ arguments: [String], flights: [(send: String, replies: Int)],
                         seconds: Double = 60) throws -> (status: Int32, out: String) {
        let (process, inPipe, outPipe, _) = try launch(executable, arguments)
        let deadline = Date().addingTimeInterval(seconds)
        var out = Data()
        func finalReplies() -> Int {
            String(decoding: out, as: UTF8.self).components(separatedBy: "\r\n").filter { line in
                let u = Array(line.utf8)
                return u.count >= 3 && u[0...2].allSatisfy { (0x30...0x39).contains($0) } && (u.count == 3 || u[3] == 0x20)
            }.count
        }
        let reader = outPipe.fileHandleForReading
        func read(until count: Int) throws {
            while finalReplies() < count {
                guard Date() < deadline else {
                    process.terminate()
                    throw Timeout(description: "waited for \(count) replies, got: \(String(decoding: out, as: UTF8.self))")
                }
                var poller = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                let chunk = reader.availableData
                if chunk.isEmpty { return }  // the child hung up
                out.append(chunk)
            }
        }
        var expected = 1
        try read(until: expected)
        for flight in flights {
            try? inPipe.fileHandleForWriting.write(contentsOf: Data(flight.send.utf8))
            expected += flight.replies
            try read(until: expected)
        }
        try? inPipe.fileHandleForWriting.close()
        while Date() < deadline, case let chunk = reader.availableData, !chunk.isEmpty { out.append(chunk) }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

@Suite("serve --stdio", .blocking, .serialized, .timeLimit(.minutes(2)))
struct ServeStdioTests {
    @Test func ehloQuitOverAPipe() throws {
        let r = try Binary.converse(Binary.path, ["serve", "--stdio"], flights: [("EHLO me\r\n", 1), ("QUIT\r\n", 1)])
        #expect(r.status == 0)
        let lines = r.out.components(separatedBy: "\r\n")
        #expect(lines.first?.hasPrefix("220 smtp.example.com") == true)
        #expect(lines.contains("250-smtp.example.com Hello me"))
        #expect(lines.contains("250 CHUNKING"))
        #expect(lines.dropLast().last == "221 2.0.0 Bye")
    }

    @Test func binaryGarbageAndAMegabyteWithoutNewlineEndCleanly() throws {
        var data = Data([0, 255, 13, 10, 0x80, 0x81])
        data.append(Data(repeating: 0x41, count: 1_048_576))
        let r = try Binary.converse(Binary.path, ["serve", "--stdio", "--profile", "mx"],
                                    flights: [(String(decoding: data, as: UTF8.self), 1)])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("220 "))
        #expect(r.out.contains("500 5.5.2"))
    }

    @Test func swaksDeliversThroughTheMxProfile() throws {
        let swaks = try #require(Binary.which("swaks"), "swaks is required (apt-get install swaks); .ci/run installs it")
        let dir = NSTemporaryDirectory() + "smtp-tui-swaks-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Binary.run(swaks, ["--pipe", "\(Binary.path) serve --stdio --profile mx --deliver-to \(dir)",
                                       "--from", "alice@example.com", "--to", "bob@domain.com",
                                       "--header", "Subject: swaks test", "--body", "Hello from swaks"])
        #expect(r.status == 0, "swaks failed: \(r.out)\(r.err)")
        // --deliver-to is now an alias of --maildir: the message is in the mailbox's new/ folder.
        let folder = dir + "/bob@domain.com/new"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        try #require(files.count == 1)
        let message = try String(contentsOfFile: folder + "/" + files[0], encoding: .utf8)
        #expect(message.contains("Subject: swaks test"))
        #expect(message.contains("Hello from swaks"))
        #expect(message.contains("Return-Path: <alice@example.com>"))
        #expect(message.contains("by mx.domain.com (smtp-tui) with ESMTP"), "the mx profile is mx.domain.com")
    }

    @Test func swaksStartsRealTLSOverThePipe() throws {
        let swaks = try #require(Binary.which("swaks"), "swaks is required (apt-get install swaks); .ci/run installs it")
        let dir = NSTemporaryDirectory() + "smtp-tui-swaks-tls-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // XDG_DATA_HOME points into the temporary folder so the generated certificate never lands in $HOME.
        let r = try Binary.run("/usr/bin/env", ["XDG_DATA_HOME=\(dir)/data", swaks,
                                                "--pipe", "\(Binary.path) serve --stdio --profile submission --maildir \(dir)/mail",
                                                "--tls", "--auth", "LOGIN", "--auth-user", "alice@example.com",
                                                "--auth-password", "wonderland",
                                                "--from", "alice@example.com", "--to", "bob@domain.com"])
        #expect(r.status == 0, "swaks failed: \(r.out)\(r.err)")
        #expect(r.out.contains("TLS started"))
        #expect(r.out.contains("235 2.7.0 Authentication successful"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/mail/bob@domain.com/new")
        #expect(files.count == 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/data/smtp-tui/smtp.example.com.crt.pem"))
    }

    @Test func swaksRelayIsRefused() throws {
        let swaks = try #require(Binary.which("swaks"), "swaks is required (apt-get install swaks); .ci/run installs it")
        let r = try Binary.run(swaks, ["--pipe", "\(Binary.path) serve --stdio --profile mx",
                                       "--from", "alice@example.com", "--to", "someone@elsewhere.org"])
        #expect(r.status != 0)
        #expect(r.out.contains("554 5.7.1 <someone@elsewhere.org>: Relay access denied"))
    }

    // RFC 2920 §3.1 as Postfix 3.9 applies it, on the real binary (issue 19's "done means").

    static let synchronization = "554 5.5.0 Error: SMTP protocol synchronization\r\n"

    @Test func ehloAndMailInOneWriteGet554InsteadOfTheEhloReplyThenTheEnd() throws {
        let r = try Binary.converse(Binary.path, ["serve", "--stdio", "--profile", "mx"],
                                    flights: [("EHLO x\r\nMAIL FROM:<a@example.com>\r\n", 1)])
        let afterGreeting = r.out.components(separatedBy: "\r\n").dropFirst().joined(separator: "\r\n")
        #expect(r.out.hasPrefix("220 "))
        #expect(afterGreeting == Self.synchronization, "\(r.out)")
    }

    @Test func noopAndMailAfterANormalEhlo() throws {
        let r = try Binary.converse(Binary.path, ["serve", "--stdio", "--profile", "mx"],
                                    flights: [("EHLO x\r\n", 1), ("NOOP\r\nMAIL FROM:<a@example.com>\r\n", 1)])
        #expect(r.out.hasSuffix("250 CHUNKING\r\n" + Self.synchronization), "\(r.out)")
    }

    @Test func mailRcptDataAndTheTextInOneWrite() throws {
        let r = try Binary.converse(Binary.path, ["serve", "--stdio", "--profile", "mx"],
                                    flights: [("EHLO x\r\n", 1),
                                              ("MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n", 3)])
        #expect(r.out.hasSuffix("250 CHUNKING\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n" + Self.synchronization), "\(r.out)")
    }

    @Test func inputBeforeTheGreetingGets554InsteadOfIt() throws {
        // Everything is in the pipe before the server starts: the client spoke first.
        let r = try Binary.run(Binary.path, ["serve", "--stdio", "--profile", "mx"], stdin: Data("EHLO x\r\n".utf8), stdinFirst: true)
        #expect(r.status == 0)
        #expect(r.out == Self.synchronization, "\(r.out)")
    }

    @Test func aTwoThousandOctetBodyLineIsAcceptedAndStoredByteForByte() throws {
        let dir = NSTemporaryDirectory() + "smtp-tui-long-line-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let line = String((0..<2_000).map { i in Character(UnicodeScalar(UInt8(0x21 + i % 90))) }).replacingOccurrences(of: ".", with: ",")
        let r = try Binary.converse(Binary.path, ["serve", "--stdio", "--profile", "mx", "--maildir", dir],
                                    flights: [("EHLO x\r\n", 1), ("MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@domain.com>\r\nDATA\r\n", 3),
                                              ("Subject: long\r\n\r\n" + line + "\r\n.\r\n", 1), ("QUIT\r\n", 1)])
        #expect(r.out.contains("250 2.0.0 Ok: queued as"), "\(r.out)")
        let folder = dir + "/bob@domain.com/new"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        try #require(files.count == 1)
        let stored = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + files[0]))
        #expect(stored.range(of: Data(("\r\n\r\n" + line + "\r\n").utf8)) != nil, "the line, whole, between CRLFs")
    }
}

/// The lanes themselves: a `.blocking` suite's tests run on threads of their own, not on the cooperative pool that
/// the quick suites share (when they did, two suites waiting on child processes held a two-core CI machine's whole
/// pool and quick tests elsewhere ran out their time limits unstarted).
@Suite("Blocking suites run off the cooperative pool", .blocking)
struct BlockingLaneTests {
    @Test func aTestBodyRunsOnALaneThread() {
        #expect(onALaneThread())
    }

    @Test func soDoesWhatItAwaits() async throws {
        try await Task.sleep(for: .milliseconds(10))
        #expect(onALaneThread())
    }
}

@Suite("A quick suite stays on the pool")
struct PoolThreadTests {
    @Test func itsBodyIsNotOnALaneThread() {
        #expect(!onALaneThread())
    }
}
