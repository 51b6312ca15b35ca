// "Run it": a code example from the reference, run for real against the app's own listener. The example is the
// `--print-example NAME --local PORT` variant (its server swapped for the listener, its certificate check relaxed),
// written to a private folder and run there with its output kept in a log, so nothing it prints can reach the
// full-screen app's terminal. The learner watches the session travel in the diagram.
import SMTPCore
import MailStore
#if canImport(Glibc)
import Glibc
#endif

struct ExampleRunner {
    struct Plan: Equatable {
        /// The program that must be installed (python3, swaks, curl, node, go, openssl).
        var program: String
        /// The file to write into the run's folder, and what to run there (a shell command line).
        var fileName: String
        var file: String
        var command: String
    }

    struct Running {
        let pid: pid_t
        let title: String
        let folder: String
    }

    private(set) var running: Running?

    /// How to run an example against host:port (an IPv4 loopback address), or why it cannot run.
    static func plan(_ example: CodeExample, host: String = "127.0.0.1", port: Int) -> Result<Plan, LocalExampleError> {
        guard !host.contains(":") else {
            return .failure(LocalExampleError(description: "the examples speak IPv4; start the app with --listen 127.0.0.1:PORT to run them"))
        }
        var code: String
        switch LocalExample.code(example, port: port) {
        case .success(let c): code = c
        case .failure(let e): return .failure(e)
        }
        // The local variants name 127.0.0.1; the listener may be on another loopback address.
        if host != "127.0.0.1" { code = code.replacing("127.0.0.1", with: host) }
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch example.id {
        case "python":
            return .success(Plan(program: "python3", fileName: "example.py", file: code, command: "python3 example.py"))
        case "node":
            return .success(Plan(program: "node", fileName: "example.js", file: code, command: "node example.js"))
        case "swaks":
            // Only the first command: the second talks to `serve --stdio`, not to the listener.
            guard let start = lines.firstIndex(where: { $0.hasPrefix("swaks ") }) else { break }
            var end = start
            while end + 1 < lines.count, lines[end].hasSuffix("\\") { end += 1 }
            return .success(Plan(program: "swaks", fileName: "example.sh", file: lines[start...end].joined(separator: "\n") + "\n",
                                 command: "sh example.sh"))
        case "curl":
            return .success(Plan(program: "curl", fileName: "example.sh", file: code + "\n", command: "sh example.sh"))
        case "go":
            // go run builds first; its cache goes into the run's own folder, not the user's.
            return .success(Plan(program: "go", fileName: "main.go", file: code, command: "GOCACHE=\"$PWD/gocache\" go run main.go"))
        case "openssl":
            // The session typed by hand: the lines that are neither comments nor shell prompts, sent one by one
            // (s_client forwards a line as soon as it reads it; paced, so the body never precedes the 354).
            guard let at = lines.firstIndex(where: { $0.hasPrefix("$ openssl ") }) else { break }
            let prompt = lines[at]
            // Everything typed after the prompt, the empty line between header and body included.
            let typed = lines[(at + 1)...].filter { !$0.hasPrefix("#") }
            var script = "{\n  sleep 1\n"
            for line in typed { script += "  printf '%s\\n' '\(line.replacingOccurrencesOfQuote)'\n  sleep 0.4\n" }
            script += "} | " + prompt.dropFirst(2) + "\n"
            return .success(Plan(program: "openssl", fileName: "example.sh", file: script, command: "sh example.sh"))
        default:
            break
        }
        return .failure(LocalExampleError(description: "the \(example.id) example cannot be run from here"))
    }

    /// Whether `program` is on PATH.
    static func installed(_ program: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }

    /// Starts the example; returns a sentence for the status bar (what runs, or why it cannot).
    mutating func start(_ example: CodeExample, host: String, port: Int) -> (message: String, ok: Bool) {
        if let running { return ("\(running.title) is still running; wait for it to finish", true) }
        let plan: Plan
        switch Self.plan(example, host: host, port: port) {
        case .success(let p): plan = p
        case .failure(let e): return ("Run it: \(e.description)", false)
        }
        guard Self.installed(plan.program) else {
            return ("Run it needs \(plan.program), which is not installed here (e.g. apt install \(plan.program == "node" ? "nodejs" : plan.program)); x works for the examples whose tool is", false)
        }
        var template = Array("/tmp/smtp-tui-run.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return ("Run it: cannot make a folder in /tmp (\(String(cString: strerror(errno))))", false) }
        let folder = String(cString: made)
        guard write(file: folder + "/" + plan.fileName, plan.file) else { return ("Run it: cannot write \(folder)/\(plan.fileName)", false) }
        // Output to a log in the run's folder, input from nothing, its own process group (no terminal signals).
        let shell = "cd '\(folder)' && exec \(plan.command) </dev/null >output.txt 2>&1"
        var attributes = ChildProcess.attributes()
        defer { posix_spawnattr_destroy(&attributes) }
        // Only stdin, stdout and stderr go to the child: not the listening socket, the event loop's epoll or a cast
        // file (a client that outlived the app would keep the port bound). SwiftNIO does not open them
        // close-on-exec, so every descriptor above 2 is marked so now (glibc's closefrom action is not visible
        // to Swift's Glibc module).
        for name in Maildir.names(in: "/proc/self/fd") {
            if let fd = Int32(name), fd > 2 { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        }
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sh"), strdup("-c"), strdup(shell), nil]
        defer { for p in argv { free(p) } }
        let result = posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ)
        guard result == 0 else { return ("Run it: cannot start \(plan.program) (\(String(cString: strerror(result))))", false) }
        running = Running(pid: pid, title: example.title, folder: folder)
        return ("Running \(example.title) against the listener (\(plan.command) in \(folder)): watch its session", true)
    }

    /// Checks on a running example without waiting; a sentence once it has finished.
    mutating func poll() -> (message: String, ok: Bool)? {
        guard let current = running else { return nil }
        var status: Int32 = 0
        let r = waitpid(current.pid, &status, WNOHANG)
        guard r == current.pid || (r < 0 && errno == ECHILD) else { return nil }
        running = nil
        let output = read(file: current.folder + "/output.txt")
        // By bytes: "\r\n" is one Character in Swift and would match neither separator.
        let lines = output.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D })
            .map { String(decoding: $0, as: UTF8.self) }.filter { !$0.allSatisfy(\.isWhitespace) }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        if r == current.pid && exited && code == 0 {
            return ("\(current.title) finished (exit status 0); its session is in its tab, its output in \(current.folder)/output.txt", true)
        }
        // The line that says what went wrong, usually the one naming an error; else the last.
        let why = (lines.first { $0.contains("rror") } ?? lines.last).map { String($0.prefix(160)) } ?? "no output"
        let how = exited ? "exit status \(code)" : "signal \(status & 0x7f)"
        return ("\(current.title) failed (\(how)): \(why)  (full output: \(current.folder)/output.txt)", false)
    }

    /// On quitting: a client still running is stopped rather than left behind.
    func stop() {
        if let running { kill(-running.pid, SIGTERM) }
    }

    private func write(file path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            bytes = bytes.dropFirst(n)
        }
        return true
    }

    private func read(file path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while out.count < 1 << 20 {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            out += chunk.prefix(n)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// For a single-quoted shell word: ' becomes '\''.
    var replacingOccurrencesOfQuote: String { replacing("'", with: "'\\''") }
}
