// A private tmux server running the real smtp-tui, driven like a person would drive it.
import Foundation
import Testing

struct TmuxError: Error, CustomStringConvertible { let description: String }

/// posix_spawn + waitpid: Foundation's Process never reaped the tmux client that forks the server here.
enum Spawn {
    static func run(_ argv: [String], captureOutput: Bool) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TmuxError(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        } else {
            // The tmux server forks from this call and would keep a pipe open forever.
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw TmuxError(description: "cannot run \(argv[0])") }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while captureOutput {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        close(fds[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return String(decoding: output, as: UTF8.self)
    }
}

final class TmuxSession {
    let socket: String
    let binary: String

    static var tmux: String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/tmux") {
            return "\(dir)/tmux"
        }
        return nil
    }

    static var binaryPath: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDir.appendingPathComponent("smtp-tui").path]
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        candidates.append(dir.appendingPathComponent(".build/debug/smtp-tui").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Starts `command` (default: the app) in a detached session of the given size.
    init(width: Int = 120, height: Int = 36, env: [String: String] = [:], command: String? = nil) throws {
        guard Self.tmux != nil else { throw TmuxError(description: "tmux is required for end-to-end tests (apt-get install tmux); .ci/run installs it") }
        socket = "smtp-tui-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        binary = Self.binaryPath
        var environment = ["TERM": "xterm-256color", "SWIFT_BACKTRACE": "interactive=no", "LANG": "C.UTF-8"]
        environment.merge(env) { $1 }
        // The caller's NO_COLOR (or a user's theme choice) must not leak into tests that did not ask for it.
        let unset = ["NO_COLOR", "SMTP_TUI_THEME", "XDG_CONFIG_HOME"].filter { environment[$0] == nil }.map { "-u \($0)" }.joined(separator: " ")
        let exports = unset + " " + environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        // The shell prints the exit status on screen: tmux 3.3 has no pane_dead_status to read it from.
        let cmd = "env \(exports) sh -c '\(command ?? "\"$0\"") ; echo \"[exit $?]\"' '\(binary)'"
        // The server forks from this first call: it must not inherit our pipe, or reading it never ends.
        // Start with a placeholder so remain-on-exit is set before the app can exit, then swap the app in.
        try run(["-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)", "sleep 600"], detached: true)
        try run(["set-option", "-g", "remain-on-exit", "on"])
        try run(["respawn-pane", "-k", cmd])
    }

    deinit {
        // kill-server alone left servers behind here (seen with dead panes), so the server and the pane's
        // process group are killed outright as well: no test may leave processes running.
        func pid(_ format: String) -> Int32? {
            Int32(((try? run(["display-message", "-p", format])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let server = pid("#{pid}"), pane = pid("#{pane_pid}")
        _ = try? run(["kill-server"])
        if let pane, pane > 1 { kill(-pane, SIGKILL); kill(pane, SIGKILL) }
        if let server, server > 1 { kill(server, SIGKILL) }
    }

    @discardableResult
    func run(_ args: [String], detached: Bool = false) throws -> String {
        try Spawn.run([Self.tmux!, "-L", socket] + args, captureOutput: !detached)
    }

    func keys(_ keys: String...) throws { try run(["send-keys"] + keys) }
    func type(_ text: String) throws { try run(["send-keys", "-l", "--", text]) }

    /// An SGR (1006) left click at 0-based (x, y): press and release, as xterm sends them.
    func click(x: Int, y: Int) throws {
        try type("\u{1B}[<0;\(x + 1);\(y + 1)M")
        try type("\u{1B}[<0;\(x + 1);\(y + 1)m")
    }

    func screen(colors: Bool = false) throws -> String {
        try run(["capture-pane", "-p"] + (colors ? ["-e"] : []))
    }

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-x", "\(width)", "-y", "\(height)"])
    }

    var panePID: Int32? { Int32((try? run(["display-message", "-p", "#{pane_pid}"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") }
    /// Waits for the app to end and returns its exit status, as the wrapper shell printed it.
    func exitStatus(seconds: Double = 10) throws -> Int {
        let screen = try waitFor("the app to exit", seconds: seconds) { $0.contains("[exit ") }
        let tail = screen.components(separatedBy: "[exit ").last ?? ""
        return Int(tail.prefix { $0.isNumber }) ?? -1
    }

    /// Polls the screen until `predicate` holds or `seconds` pass; returns the last screen.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 10, colors: Bool = false, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen(colors: colors)
            if predicate(last) { return last }
            usleep(100_000)
        }
        throw TmuxError(description: "timed out waiting for \(what); screen:\n\(last)")
    }

    func waitFor(_ text: String, seconds: Double = 10) throws -> String {
        try waitFor("“\(text)”", seconds: seconds) { $0.contains(text) }
    }

    /// (x, y) of the first occurrence of text on screen.
    func locate(_ text: String) throws -> (x: Int, y: Int) {
        let lines = try screen().components(separatedBy: "\n")
        for (y, line) in lines.enumerated() {
            if let r = line.range(of: text) { return (line.distance(from: line.startIndex, to: r.lowerBound), y) }
        }
        throw TmuxError(description: "“\(text)” not on screen")
    }
}
