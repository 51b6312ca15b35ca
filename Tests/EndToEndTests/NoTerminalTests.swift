// The app never runs away: without a terminal it refuses at once (exit 2, a message on stderr, nothing on stdout),
// and when its terminal disappears without a SIGHUP it restores and exits instead of spinning.
import Foundation
import Testing
import TestLanes

/// Runs the binary with chosen file descriptors and collects stdout and stderr separately.
enum Child {
    struct Result { let status: Int32?; let stdout: String; let stderr: String }

    /// `stdin`: a path to open, or nil for a pipe that is closed at once. `stdoutToPipe`: capture stdout through a
    /// pipe (not a terminal); otherwise stdout goes to `stdoutPath`.
    static func run(_ args: [String], stdinPath: String, env: [String: String] = [:], seconds: Double = 10,
                    binary: String = TmuxSession.binaryPath) throws -> Result {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        // Close-on-exec: tests run in parallel, and a child another test spawns meanwhile must not inherit these
        // write ends (it would hold them open, and the EOF this loop waits for would never come).
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw TmuxError(description: "pipe failed") }
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // (pipe2 does not import; a race window remains)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY | O_NOCTTY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        for fd in [out[0], out[1], err[0], err[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        Spawn.cleanSignals(&attributes)
        let home = try TemporaryHome("child-home")
        let environment = TmuxSession.environment(home: home, env).map { "\($0.key)=\($0.value)" }
        let argv = [binary] + args
        var cargs = argv.map { strdup($0) } + [nil]
        var cenv = environment.map { strdup($0) } + [nil]
        defer { for p in cargs + cenv { free(p) } }
        var pid: pid_t = 0
        let start = Date()
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, &cargs, &cenv)
        close(out[1]); close(err[1])
        guard rc == 0 else { close(out[0]); close(err[0]); throw TmuxError(description: "cannot run \(argv[0])") }
        var collected: [[UInt8]] = [[], []]
        var open = [out[0], err[0]]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = start.addingTimeInterval(seconds)
        var status: Int32 = 0
        var exited: Int32?
        var exitedAt: Date?
        while open.contains(where: { $0 >= 0 }) && Date() < deadline {
            // An exited child whose pipes stay open (a process spawned meanwhile by another test inherited them)
            // must not look hung: after it exits, wait a moment for its last output, then stop.
            if exited == nil, waitpid(pid, &status, WNOHANG) == pid {
                exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                exitedAt = Date()
            }
            if let at = exitedAt, Date().timeIntervalSince(at) > 0.5 { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), 100)
            if n <= 0 { continue }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let got = read(fds[i].fd, &buffer, buffer.count)
                if got <= 0 { close(fds[i].fd); open[i] = -1 } else { collected[i] += buffer[0..<got] }
            }
        }
        while exited == nil && Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f); break }
            usleep(5_000)
        }
        if exited == nil { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
        for fd in open where fd >= 0 { close(fd) }
        return Result(status: exited, stdout: String(decoding: collected[0], as: UTF8.self),
                      stderr: String(decoding: collected[1], as: UTF8.self))
    }
}

/// A pseudo-terminal pair through /dev/ptmx (Glibc hides posix_openpt from Swift): the master fd and the slave's path.
enum Pty {
    static func open() throws -> (Int32, String) {
        let master = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw TmuxError(description: "cannot open /dev/ptmx") }
        var unlock: Int32 = 0, number: UInt32 = 0
        // TIOCSPTLCK and TIOCGPTN, whose _IOW/_IOR macros do not import.
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            close(master); throw TmuxError(description: "cannot unlock the pty")
        }
        return (master, "/dev/pts/\(number)")
    }
}

// "At once" is shown by events, not by a stopwatch: the app is given an input that never ends and never speaks
// (a pipe or a terminal the test holds open), so it can only exit by refusing without reading; a deadline ends a hung run.
@Suite("No terminal, no runaway", .blocking, .serialized, .timeLimit(.minutes(2)))
struct NoTerminalTests {
    /// A named pipe held open for writing by the test: a reader of it waits forever.
    static func silentPipe() throws -> (path: String, writer: Int32) {
        let path = NSTemporaryDirectory() + "smtp-tui-silent-\(getpid())-\(UUID().uuidString.prefix(8))"
        guard mkfifo(path, 0o600) == 0 else { throw TmuxError(description: "mkfifo failed") }
        // O_RDWR: opening a fifo this way does not wait for the other end (Linux).
        let writer = Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard writer >= 0 else { unlink(path); throw TmuxError(description: "cannot open the fifo") }
        return (path, writer)
    }

    @Test func stdinThatIsNotATerminalExits2WithoutReadingIt() throws {
        let pipe = try Self.silentPipe()
        defer { close(pipe.writer); unlink(pipe.path) }
        // /dev/null ends at once; the pipe never ends: the app must refuse without waiting for either. stdout is a
        // pipe here too; the message must name what is wrong either way.
        for input in ["/dev/null", pipe.path] {
            let r = try Child.run([], stdinPath: input)
            #expect(r.status == 2, "stdin \(input): the app did not exit by itself (status \(String(describing: r.status)))")
            #expect(r.stdout.isEmpty, "wrote \(r.stdout.utf8.count) bytes to stdout: \(r.stdout.prefix(80).debugDescription)…")
            #expect(r.stderr.contains("not a terminal"))
            #expect(r.stderr.contains("serve --stdio"))
        }
    }

    @Test func stdoutToAPipeExits2WithoutReadingAndWithNothingOnStdout() throws {
        // stdin is a real terminal (a pty we hold, where nobody types), only stdout is a pipe.
        let (master, slave) = try Pty.open()
        defer { close(master) }
        let r = try Child.run(["tui"], stdinPath: slave)
        #expect(r.status == 2, "the app did not exit by itself (status \(String(describing: r.status)))")
        #expect(r.stdout.isEmpty, "wrote \(r.stdout.utf8.count) bytes to stdout: \(r.stdout.prefix(80).debugDescription)…")
        #expect(r.stderr.contains("standard output is not a terminal"))
    }

    /// The terminal disappears without a SIGHUP reaching the app (it is not the pty's controlling process):
    /// reads end in hang-up, and the app must restore and exit rather than spin.
    @Test func aTerminalThatGoesAwayEndsTheApp() throws {
        let (master, slave) = try Pty.open()
        var ws = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR | O_NOCTTY, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, master)
        let argv = [TmuxSession.binaryPath]
        var cargs = argv.map { strdup($0) } + [nil]
        let home = try TemporaryHome("pty-home")
        var cenv = TmuxSession.environment(home: home, [:]).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cargs + cenv { free(p) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        Spawn.cleanSignals(&attributes)
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, argv[0], &actions, &attributes, &cargs, &cenv) == 0)
        // Evidence that the app is up: its first frame (the welcome line) arrives on the master side.
        var seen = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !String(decoding: seen, as: UTF8.self).contains("connect") {
            var fd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, 100) > 0 { let n = read(master, &buffer, buffer.count); if n > 0 { seen += buffer[0..<n] } }
        }
        #expect(String(decoding: seen, as: UTF8.self).contains("connect"), "no first frame")
        close(master)
        // Now the app must notice within moments; a runaway would still be running (at 100 % CPU) at the deadline.
        var status: Int32 = 0
        var exited = false
        let end = Date().addingTimeInterval(10)
        while Date() < end { if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }; usleep(10_000) }
        if !exited {
            var usage = rusage()
            kill(pid, SIGKILL); wait4(pid, &status, 0, &usage)
            Issue.record("the app kept running after its terminal went away (CPU \(usage.ru_utime.tv_sec) s user)")
        }
    }
}
