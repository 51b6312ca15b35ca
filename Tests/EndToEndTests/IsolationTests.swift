// No end-to-end test reads or writes the developer's home: the app under test gets a temporary HOME and XDG folders
// whatever environment the tests start from. Shown with a stand-in for a real home whose config.toml is broken: the
// app refuses to start whenever it reads that file, and under the tests it never does.
import Foundation
import Testing
import TestLanes

@Suite("Isolated homes", .blocking, .serialized, .timeLimit(.minutes(3)))
struct IsolationTests {
    /// A home like a user's, with a config.toml the app refuses (a theme error, exit status 2) whenever it reads it.
    static func brokenRealHome() throws -> TemporaryHome {
        let home = try TemporaryHome("real-home")
        try FileManager.default.createDirectory(atPath: home.path + "/.config/smtp-tui", withIntermediateDirectories: true)
        try "theme = [broken\n".write(toFile: home.path + "/.config/smtp-tui/config.toml", atomically: true, encoding: .utf8)
        return home
    }

    /// The environment of a developer whose home is `home`: this process's, with HOME there and no XDG folders set.
    static func developer(home: TemporaryHome) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("XDG_") }.merging(["HOME": home.path]) { $1 }
    }

    /// The app's environment, read from /proc.
    static func environment(of pid: Int32) throws -> [String: String] {
        let data = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/environ"))
        return Dictionary(data.split(separator: 0).compactMap { entry -> (String, String)? in
            let text = String(decoding: entry, as: UTF8.self)
            guard let eq = text.firstIndex(of: "=") else { return nil }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }) { $1 }
    }

    @Test func theBrokenConfigStopsTheAppWhenItIsRead() throws {
        // The control: with that home (and no XDG_CONFIG_HOME) the app reads the file and refuses to start.
        let real = try Self.brokenRealHome()
        let r = try Child.run([], stdinPath: "/dev/null", env: ["HOME": real.path, "XDG_CONFIG_HOME": ""])
        #expect(r.status == 2)
        #expect(r.stderr.contains(real.path + "/.config/smtp-tui/config.toml:1"), "stderr: \(r.stderr)")
    }

    @Test func theAppUnderTestHasATemporaryHomeOfItsOwn() throws {
        let real = try Self.brokenRealHome()
        // tmux itself starts as from that developer's shell; the app in it must not notice the broken file.
        let t = try TmuxSession(tmuxEnvironment: Self.developer(home: real))
        try t.waitFor("theme: default")
        let pid = try #require(t.appPID, "the app is not running")
        let env = try Self.environment(of: pid)
        let home = try #require(env["HOME"])
        #expect(home == t.home.path && home != real.path)
        #expect(home.hasPrefix(NSTemporaryDirectory()), "HOME \(home) is not a temporary folder")
        for key in ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"] {
            #expect(env[key]?.hasPrefix(home + "/") == true, "\(key) is \(env[key] ?? "unset"), outside \(home)")
        }
        // Nothing of the caller's environment beyond what the session lists (and the PWD its shell exports).
        #expect(Set(env.keys) == ["PATH", "PWD", "TERM", "LANG", "SWIFT_BACKTRACE", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                  "XDG_CACHE_HOME", "XDG_STATE_HOME"], "the app's environment: \(env.keys.sorted())")
        try t.keys("Escape"); try t.type("q")
        #expect(try t.exitStatus() == 0)
    }

    @Test func aFuzzRunHasATemporaryHomeOfItsOwn() throws {
        let python = try #require(Spawn.which("python3"), "python3 is required for Scripts/fuzz-tui; .ci/run installs it")
        let real = try Self.brokenRealHome()
        // Started from that developer's environment, a short run still finds an app that starts and quits.
        let output = try Spawn.run([python, FuzzTests.script, "20"], captureOutput: true, seconds: 120,
                                   environment: Self.developer(home: real).merging(["SEED": "3", "SMTP_TUI_BIN": TmuxSession.binaryPath]) { $1 })
        #expect(output.contains("fuzz-tui: OK 20 events"), "\(output)")
        let home = try #require(output.firstMatch(of: /home ([^ )]+)/).map { String($0.1) }, "no home in: \(output)")
        #expect(home.hasPrefix(NSTemporaryDirectory()) && home != real.path, "fuzz-tui ran the app with HOME \(home)")
    }
}
