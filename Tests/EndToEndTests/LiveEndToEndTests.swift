// Live mode in tmux: the app listens (`--listen 127.0.0.1:0`), a real python3 smtplib client delivers through
// STARTTLS and AUTH, and its session appears in a tab and travels through the diagram into Bob's mailbox and the
// Maildir; "Run it" (x in Code examples) runs the shipped example against the app's own listener.
import Foundation
import Testing
import TestLanes

@Suite("Live mode in tmux", .blocking, .serialized, .timeLimit(.minutes(5)))
struct LiveEndToEndTests {
    /// The port the app says it listens on ("listening on 127.0.0.1:PORT").
    static func port(_ screen: String) -> Int? {
        guard let m = screen.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/) else { return nil }
        return Int(m.1)
    }

    static func python(_ program: String, port: Int) throws -> String {
        let python = try #require(Spawn.which("python3"), "python3 is required (.ci/run installs it)")
        let file = NSTemporaryDirectory() + "smtp-tui-live-\(getpid())-\(UUID().uuidString.prefix(6)).py"
        try ("import sys\nsys.stderr = sys.stdout\n" + program).write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try Spawn.run([python, file, "\(port)"], captureOutput: true, seconds: 60)
    }

    @Test func aRealClientsSessionGetsATabTravelsAndIsStored() throws {
        let home = NSTemporaryDirectory() + "smtp-tui-live-e2e-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let t = try TmuxSession(width: 120, height: 36, env: ["XDG_DATA_HOME": home + "/data"],
                                command: "\"$0\" --listen 127.0.0.1:0 --maildir \(home)/mail")
        let screen = try t.waitFor("the listening address") { Self.port($0) != nil }
        let port = try #require(Self.port(screen))
        let out = try Self.python(#"""
import smtplib, ssl
c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("client.test"); s.starttls(context=c); s.ehlo("client.test")
s.login("alice@example.com", "wonderland")
print("refused", s.sendmail("alice@example.com", ["bob@domain.com"], b"Subject: Hello from python\r\n\r\nA real message.\r\n"))
s.quit()
"""#, port: port)
        #expect(out.contains("refused {}"), "\(out)")
        // The client finished long ago; the app replays its session at learning speed, line by line.
        try t.waitFor("the session's tab") { $0.contains("#1 127.0.0.1:") }
        try t.waitFor("the TLS lock on the link", seconds: 60) { $0.contains("587+TLS") && $0.contains("#1 127.0.0.1:") && $0.contains(" TLS") }
        try t.waitFor("the queued reply", seconds: 60) { $0.contains("S: 250 2.0.0 Ok: queued as") }
        // Then the message goes on through the simulated world into Bob's mailbox.
        try t.waitFor("Bob's mailbox filling", seconds: 90) { $0.contains("✉ 1 message") || $0.contains("bob@domain.com  ✉ 1") }
        // The Maildir holds exactly the one file, and the mailboxes popup lists it.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: home + "/mail/bob@domain.com/new")) ?? []
        #expect(files.count == 1, "Maildir: \(files)")
        try t.keys("Escape"); try t.type("b")
        try t.waitFor("the Maildir in the mailboxes") { $0.contains("On disk — the Maildir") && $0.contains("Subject: Hello from python") }
        try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
    }

    @Test func runItRunsTheShownExampleAgainstTheAppsOwnListener() throws {
        // Run it starts these: without them the app says so in its status bar, and the test would only time out.
        for tool in ["python3", "openssl"] {
            try #require(Spawn.which(tool) != nil, "\(tool) is required for Run it (.ci/run installs it)")
        }
        let home = NSTemporaryDirectory() + "smtp-tui-runit-e2e-\(getpid())"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let t = try TmuxSession(width: 120, height: 36, env: ["XDG_DATA_HOME": home + "/data"])
        try t.waitFor("the app") { $0.contains("1 Flow") }
        // Code examples, Python first: x runs it (the listener starts on a free port the first time).
        try t.keys("Escape"); try t.type("5")
        try t.waitFor("the python example") { $0.contains("[x run it]") && $0.contains("import smtplib") }
        try t.type("x")
        try t.waitFor("the example's result", seconds: 60) { $0.contains("Python · smtplib finished (exit status 0)") }
        try t.type("3")
        try t.waitFor("its session in a tab", seconds: 60) { $0.contains("#1 127.0.0.1:") && $0.contains("Real client") }
        try t.waitFor("its message accepted", seconds: 60) { $0.contains("S: 250 2.0.0 Ok: queued as") }
        // The openssl session types its lines slowly: while it runs, its shell holds nothing of the app's — no
        // listening socket, no event loop — only its standard input, output and error (and its script).
        try t.keys("Escape"); try t.type("5")
        for _ in 0..<5 { try t.type("n") }
        try t.waitFor("the openssl example") { $0.contains("openssl s_client") && $0.contains("[x run it]") }
        try t.type("x")
        let shell = try waitForProcess(commandLine: "sh\0example.sh\0", seconds: 30)
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(shell)/fd")
        let targets = descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(shell)/fd/\($0)") }
        #expect(!targets.contains { $0.hasPrefix("socket:") || $0.contains("eventpoll") || $0.contains("eventfd") },
                "the example's shell inherited the app's descriptors: \(targets)")
        try t.waitFor("the openssl example's result", seconds: 60) { $0.contains("openssl s_client finished (exit status 0)") }
        try t.keys("C-c")
        #expect(try t.exitStatus() == 0)
    }

    /// The pid of a process whose /proc cmdline starts with `commandLine` (NUL-separated), once it exists.
    func waitForProcess(commandLine: String, seconds: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry),
                      let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                if String(decoding: data, as: UTF8.self).hasPrefix(commandLine) { return pid }
            }
            usleep(50_000)
        }
        throw TmuxError(description: "no process \(commandLine.debugDescription) within \(seconds) s")
    }

    @Test func aBusyPortIsReportedBeforeTheScreenIsTaken() throws {
        // Hold a port, then ask the app to listen on it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let t = try TmuxSession(width: 100, height: 30, command: "\"$0\" --listen 127.0.0.1:\(port)")
        try t.waitFor("the reason") { $0.contains("smtp-tui: cannot listen on 127.0.0.1:\(port)") }
        #expect(try t.exitStatus() == 2)
    }

    /// The listener is a child process (smtp-tui-net): it ends with the app, whether the app quits or is killed.
    @Test(arguments: ["q", "SIGKILL"]) func theListenerEndsWithTheApp(_ ending: String) throws {
        let t = try TmuxSession(command: "\"$0\" --listen 127.0.0.1:0")
        let port = try #require(Self.port(try t.waitFor("the listening address") { Self.port($0) != nil }))
        let app = try #require(t.appPID, "no smtp-tui process")
        let children = (try? String(contentsOfFile: "/proc/\(app)/task/\(app)/children", encoding: .utf8)) ?? ""
        let listener = try #require(children.split(separator: " ").compactMap { Int32($0) }.first { Self.command($0) == "smtp-tui-net" },
                                    "the app has no smtp-tui-net child: \(children)")
        #expect(Self.accepts(port), "nothing listens on \(port)")
        if ending == "q" {
            try t.keys("Escape"); try t.type("q")
            #expect(try t.exitStatus() == 0)
        } else {
            kill(app, SIGKILL)
        }
        // Gone: no process, or only its exit status left for a parent to collect.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, Self.alive(listener) { usleep(50_000) }
        #expect(!Self.alive(listener), "the listener outlived the app (\(ending))")
        #expect(!Self.accepts(port), "port \(port) still accepts after the app ended (\(ending))")
    }

    static func command(_ pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Running (not a zombie).
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    /// Whether a TCP connection to 127.0.0.1:port is accepted.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
