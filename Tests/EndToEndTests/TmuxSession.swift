// A private tmux server running the real smtp-tui, driven like a person would drive it.
import ColourOracle
import Foundation
import Testing

struct TmuxError: Error, CustomStringConvertible { let description: String }

/// posix_spawn + waitpid: Foundation's Process never reaped the tmux client that forks the server here.
enum Spawn {
    /// Spawn attributes for a clean signal state, as a shell gives its children: nothing blocked, nothing ignored.
    /// The test runner's worker threads block SIGTERM, SIGHUP, SIGTSTP and more, and a test may ignore SIGPIPE;
    /// tmux hands the mask and the ignored signals on to the app, which would then never see them.
    static func cleanSignals(_ attributes: inout posix_spawnattr_t) {
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for s in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGALRM] {
            sigaddset(&defaults, s)
        }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    /// Runs argv to completion; a child still running (or still holding its output open) after `seconds` is
    /// killed and the call throws, so a hung tmux fails the test instead of hanging the run.
    /// `environment`: the child's whole environment (nil: this process's).
    static func run(_ argv: [String], captureOutput: Bool, seconds: Double = 20, environment: [String: String]? = nil) throws -> String {
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
        var cenv = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cenv { free(p) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        cleanSignals(&attributes)
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, &cargs, &cenv)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw TmuxError(description: "cannot run \(argv[0])") }
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        func giveUp() -> TmuxError {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            return TmuxError(description: "\(argv.joined(separator: " ")) still running after \(seconds) s: killed")
        }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while captureOutput {
            var ready = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let waited = poll(&ready, 1, Int32(max(0, deadline.timeIntervalSinceNow * 1000)))
            if waited == 0 { close(fds[0]); throw giveUp() }
            if waited < 0 { if errno == EINTR { continue }; break }
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        close(fds[0])
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { throw giveUp() }
            usleep(5_000)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The first executable called `tool` on PATH.
    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// Reading a `capture-pane -p -e` screen back: the colour of each character, as the SGR sequences set it.
enum SGR {
    struct Cell { let character: Character; let fg: Int?; let bg: Int? }

    /// The line's characters with the foreground and background colour index each is drawn in (nil: default).
    static func cells(_ line: Substring) -> [Cell] {
        var cells: [Cell] = []
        var fg: Int?, bg: Int?
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == "\u{1B}", line.index(after: i) < line.endIndex, line[line.index(after: i)] == "[" {
                var j = line.index(i, offsetBy: 2)
                while j < line.endIndex, !(line[j].isLetter) { j = line.index(after: j) }
                guard j < line.endIndex else { break }
                if line[j] == "m" {
                    let params = line[line.index(i, offsetBy: 2)..<j].split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                    var k = 0
                    while k < params.count {
                        let p = params[k]
                        switch p {
                        case 0: fg = nil; bg = nil
                        case 38 where k + 2 < params.count && params[k + 1] == 5: fg = params[k + 2]; k += 2
                        case 48 where k + 2 < params.count && params[k + 1] == 5: bg = params[k + 2]; k += 2
                        case 39: fg = nil
                        case 49: bg = nil
                        case 30...37: fg = p - 30
                        case 90...97: fg = p - 90 + 8
                        case 40...47: bg = p - 40
                        case 100...107: bg = p - 100 + 8
                        default: break
                        }
                        k += 1
                    }
                }
                i = line.index(after: j)
                continue
            }
            cells.append(Cell(character: line[i], fg: fg, bg: bg))
            i = line.index(after: i)
        }
        return cells
    }

    /// The colour indexes (nil: the terminal's default) of the character `offset` places into the first occurrence
    /// of `text` on a coloured screen, or nil when the text is not on it.
    static func colours(of text: String, offset: Int = 0, in screen: String) -> (fg: Int?, bg: Int?)? {
        for line in screen.split(separator: "\n") {
            let cells = cells(line)
            let plain = String(cells.map(\.character))
            guard let r = plain.range(of: text) else { continue }
            let cell = cells[plain.distance(from: plain.startIndex, to: r.lowerBound) + offset]
            return (cell.fg, cell.bg)
        }
        return nil
    }
}

/// What the screen shows, checked against Themes/default.toml by the test's own oracle (WCAG contrast, CIEDE2000,
/// xterm's palette: Tests/ColourOracle), never by the app's ColorPlan, so a bug in the plan cannot pass unseen.
enum DefaultTheme {
    /// The role groups whose colours the default theme keeps far apart (the flow roles are drawn in the diagram).
    static let groups = [["transcript.you", "transcript.server", "transcript.data"], ["reply.2xx", "reply.3xx", "reply.4xx", "reply.5xx"]]

    /// Checks a cell drawn in `role` at 256 colours: its colour reads as the role's own (CIEDE2000 under 10 from the
    /// theme's colour, 10 being another colour, and nearer it than any other colour of the role's group), and it
    /// keeps WCAG's 4.5:1 on the cell's own background. Returns the colour as xterm shows it.
    @discardableResult
    static func expectDrawn(_ role: String, _ cell: (fg: Int?, bg: Int?), sourceLocation: SourceLocation = #_sourceLocation) throws -> Colour {
        let theme = try ShippedTheme("default")
        let want = try #require(try theme.style(role).fg, "no colour for \(role)", sourceLocation: sourceLocation)
        let drawn = try #require(cell.fg.flatMap(XtermPalette.colour), "\(role) drawn in \(String(describing: cell.fg))", sourceLocation: sourceLocation)
        let under = try #require(cell.bg.flatMap(XtermPalette.colour), "\(role) on background \(String(describing: cell.bg))", sourceLocation: sourceLocation)
        let distance = CIEDE2000.difference(drawn, want)
        #expect(distance < 10, "\(role) drawn as \(drawn), ΔE \(distance) from its \(want)", sourceLocation: sourceLocation)
        for other in (groups.first { $0.contains(role) } ?? []) where other != role {
            let theirs = try #require(try theme.style(other).fg, sourceLocation: sourceLocation)
            #expect(distance < CIEDE2000.difference(drawn, theirs), "\(role) drawn as \(drawn) reads as \(other)'s \(theirs)", sourceLocation: sourceLocation)
        }
        #expect(WCAG.contrast(drawn, under) >= 4.5, "\(role) \(drawn) on \(under): \(WCAG.contrast(drawn, under)):1", sourceLocation: sourceLocation)
        return drawn
    }
}

/// A home of the test's own: HOME and every XDG folder inside a fresh temporary folder, removed at the end. The app
/// reads config.toml, themes and stories from there and writes its certificate there, never in the real home.
final class TemporaryHome {
    let path: String

    init(_ label: String = "home") throws {
        var template = Array((NSTemporaryDirectory() + "smtp-tui-\(label)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TmuxError(description: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// HOME and the XDG base directories, all inside the folder.
    var environment: [String: String] {
        ["HOME": path, "XDG_CONFIG_HOME": path + "/.config", "XDG_DATA_HOME": path + "/.local/share",
         "XDG_CACHE_HOME": path + "/.cache", "XDG_STATE_HOME": path + "/.local/state"]
    }
}

final class TmuxSession {
    let socket: String
    let binary: String
    let home: TemporaryHome

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

    /// The environment the app starts with, whole: nothing of the caller's (NO_COLOR, SMTP_TUI_THEME, COLORTERM,
    /// LC_ALL, HOME, XDG folders) reaches it unless a test asks for it in `env`.
    static func environment(home: TemporaryHome, _ env: [String: String]) -> [String: String] {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TERM": "xterm-256color",
                           "SWIFT_BACKTRACE": "interactive=no", "LANG": "C.UTF-8"]
        environment.merge(home.environment) { $1 }
        environment.merge(env) { $1 }
        return environment
    }

    /// Starts `command` (default: the app) in a detached session of the given size, run by `shell` with the binary
    /// as $0. `tmuxEnvironment` is what tmux itself starts with (default: this process's environment).
    init(width: Int = 120, height: Int = 36, env: [String: String] = [:], command: String? = nil, shell: String = "sh",
         tmuxEnvironment: [String: String]? = nil) throws {
        guard Self.tmux != nil else { throw TmuxError(description: "tmux is required for end-to-end tests (apt-get install tmux); .ci/run installs it") }
        socket = "smtp-tui-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        binary = Self.binaryPath
        home = try TemporaryHome("e2e-home")
        let exports = Self.environment(home: home, env).sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        // The shell prints the exit status on screen (tmux 3.3 has no pane_dead_status to read it from), then stays:
        // a pane that dies scrolls its screen up a line for tmux's "Pane is dead", out of capture-pane's sight.
        let cmd = "env -i \(exports) \(shell) -c '\(command ?? "\"$0\"") ; echo \"[exit $?]\"; exec sleep 600' '\(binary)'"
        // The server forks from this first call: it must not inherit our pipe, or reading it never ends.
        // Start with a placeholder so remain-on-exit is set before the app can exit, then swap the app in.
        try run(["-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)", "sleep 600"], detached: true,
                environment: tmuxEnvironment)
        try run(["set-option", "-g", "remain-on-exit", "on"])
        try run(["respawn-pane", "-k", "-c", home.path, cmd])  // in the home: files a test names land there
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
    func run(_ args: [String], detached: Bool = false, environment: [String: String]? = nil) throws -> String {
        guard let tmux = Self.tmux else { throw TmuxError(description: "tmux is required for end-to-end tests") }
        return try Spawn.run([tmux, "-L", socket] + args, captureOutput: !detached, environment: environment)
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

    /// The running app: the pane shell's child called smtp-tui, or nil.
    var appPID: Int32? {
        guard let shell = panePID else { return nil }
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { Int32($0) }.first { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "smtp-tui"
        }
    }

    /// The terminal modes tmux keeps for the pane (FORMATS in tmux(1)): the alternate screen, the cursor, keypad
    /// and each mouse reporting mode, 1 or 0. Bracketed paste has no format: see `pasteProbe`.
    func modes() throws -> [String: Int] {
        let names = ["alternate_on", "cursor_flag", "keypad_cursor_flag", "mouse_any_flag", "mouse_button_flag",
                     "mouse_all_flag", "mouse_standard_flag", "mouse_sgr_flag", "mouse_utf8_flag"]
        let values = try run(["display-message", "-p", names.map { "#{\($0)}" }.joined(separator: " ")])
            .split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard values.count == names.count else { throw TmuxError(description: "tmux answered \(values) for \(names)") }
        return Dictionary(uniqueKeysWithValues: zip(names, values.map { $0 ?? -1 }))
    }
    /// Waits for the app to end and returns its exit status, as the wrapper shell printed it.
    func exitStatus(seconds: Double = 30) throws -> Int {
        let screen = try waitFor("the app to exit", seconds: seconds) { $0.firstMatch(of: /\[exit \d+\]/) != nil }
        guard let match = screen.firstMatch(of: /\[exit (\d+)\]/), let status = Int(match.1) else {
            throw TmuxError(description: "no exit status in:\n\(screen)")
        }
        return status
    }

    /// Polls the screen until `predicate` holds or `seconds` pass; returns the last screen. The deadline only
    /// ends a hung run (generous: two cores shared with other suites and builds); passing runs never reach it.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 30, colors: Bool = false, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen(colors: colors)
            if predicate(last) { return last }
            usleep(100_000)
        }
        throw TmuxError(description: "timed out waiting for \(what); screen:\n\(last)")
    }

    func waitFor(_ text: String, seconds: Double = 30) throws -> String {
        try waitFor("“\(text)”", seconds: seconds) { $0.contains(text) }
    }

    /// The screen's lines cut at pane borders (│ ┃), each piece without trailing blanks: what a pane row shows.
    static func pieces(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line in
            line.split(omittingEmptySubsequences: false, whereSeparator: { "│┃".contains($0) }).map { piece in
                String(piece.reversed().drop { $0 == " " }.reversed())
            }
        }
    }

    /// Waits until some pane row reads exactly `line` (a substring is not enough: garbage after it fails).
    @discardableResult
    func waitForLine(_ line: String, seconds: Double = 30) throws -> String {
        try waitFor("the line “\(line)”", seconds: seconds) { Self.pieces($0).contains(line) }
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
