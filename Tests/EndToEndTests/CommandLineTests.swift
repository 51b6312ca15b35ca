// The command line: every usage error names the problem and exits 2; --help shows the app's own options;
// completions come from swift-argument-parser for bash, zsh and fish.
import Foundation
import Testing
import TestLanes

@Suite("Command line", .blocking, .serialized, .timeLimit(.minutes(2)))
struct CommandLineTests {
    func run(_ args: String...) throws -> Child.Result { try Child.run(args, stdinPath: "/dev/null") }

    /// The app a learner starts carries no network code: `serve` and live mode's listener are smtp-tui-net's, next
    /// to it. Without that program, `serve` says what is missing and exits 2.
    @Test func theNetworkSideIsAProgramOfItsOwn() throws {
        let folder = URL(fileURLWithPath: TmuxSession.binaryPath).deletingLastPathComponent().path
        let app = try #require(FileManager.default.contents(atPath: TmuxSession.binaryPath))
        let net = try #require(FileManager.default.contents(atPath: folder + "/smtp-tui-net"), "no smtp-tui-net in \(folder)")
        // SwiftNIO's module name as the metadata of linked Swift code spells it (found where it is linked).
        let nio = Data("7NIOCore".utf8)
        #expect(net.range(of: nio) != nil)
        #expect(app.range(of: nio) == nil, "SwiftNIO is linked into the app")
        #expect(try run("serve", "--help").stdout.contains("--tls-handshake-timeout"))
        let alone = try TemporaryHome("app-alone")
        // Written through a close-on-exec descriptor: a child another test spawns meanwhile must not inherit it
        // open for writing, or running the copy fails with "text file busy".
        let fd = open(alone.path + "/smtp-tui", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        try #require(fd >= 0, "cannot create the copy: \(String(cString: strerror(errno)))")
        let written = app.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try #require(written == app.count, "the copy is short: \(written) of \(app.count) bytes")
        let r = try Child.run(["serve", "--stdio"], stdinPath: "/dev/null", binary: alone.path + "/smtp-tui")
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(alone.path)/smtp-tui-net, is missing"), "stderr: \(r.stderr)")
    }

    @Test func helpForACommandThatDoesNotExistIsAUsageError() throws {
        let r = try run("help", "bogus")
        #expect(r.status == 2)
        #expect(r.stderr.contains("no command named 'bogus'"))
        #expect(r.stdout.isEmpty)
    }

    @Test func aDirectoryAsThemeSaysItIsADirectory() throws {
        let dir = NSTemporaryDirectory() + "theme-dir-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run("--theme", dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(dir): cannot read this theme file: it is a directory"), "stderr: \(r.stderr)")
    }

    @Test func aMissingThemeFileSaysWhyInTheSystemsWords() throws {
        let r = try run("--theme", "/nonexistent/theme.toml")
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read this theme file: No such file or directory"), "stderr: \(r.stderr)")
    }

    @Test func aNegativeBenchCountIsExplained() throws {
        let r = try run("bench", "--count", "-5")
        #expect(r.status == 2)
        #expect(r.stderr.contains("--count must be a positive number"), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
    }

    @Test func unknownOptionsAndValuesExit2Too() throws {
        for args in [["--bogus"], ["--print-example", "cobol"], ["serve"], ["serve", "--stdio", "--profile", "pop3"]] {
            let r = try Child.run(args, stdinPath: "/dev/null")
            #expect(r.status == 2, "\(args) exited \(String(describing: r.status)): \(r.stderr)")
            #expect(r.stderr.contains("Error") || r.stderr.contains("error"), "\(args): \(r.stderr)")
        }
    }

    @Test func topLevelHelpListsTheAppsOwnOptions() throws {
        let r = try run("--help")
        #expect(r.status == 0)
        for option in ["--theme", "--ascii", "--no-mouse", "--no-color", "--list-themes", "--print-example", "serve", "world", "bench"] {
            #expect(r.stdout.contains(option), "--help does not mention \(option)")
        }
    }

    @Test func completionScriptsForBashZshAndFish() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try run("--generate-completion-script", shell)
            #expect(r.status == 0, "\(shell): \(r.stderr)")
            #expect(r.stdout.contains("smtp-tui") && r.stdout.contains("--theme") && r.stdout.contains("serve"), "\(shell) completion incomplete")
        }
    }

    /// `play`'s exit status on the binary, with stories of the test's own (the built-in ones are lesson content):
    /// 0 when every `expect:` is met, 1 when one is not, 2 for a file that cannot be used.
    @Test func playExitsZeroOneOrTwo() throws {
        let folder = try TemporaryHome("play")
        let story = """
            title: Two steps
            summary: A greeting and an introduction.
            step: connect
            expect: 220
            caption: The greeting.
            step: EHLO client.example.com
            expect: %@
            caption: The introduction.

            """
        func write(_ name: String, ehloExpects code: String) throws -> String {
            let path = folder.path + "/" + name + ".scenario"
            try story.replacingOccurrences(of: "%@", with: code).write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let met = try run("play", try write("met", ehloExpects: "250"))
        #expect(met.status == 0, "stderr: \(met.stderr)")
        #expect(met.stdout.contains("Two steps") && !met.stdout.contains("did not go as the scenario expects"))
        let unmet = try run("play", try write("unmet", ehloExpects: "500"))
        #expect(unmet.status == 1, "stderr: \(unmet.stderr)")
        #expect(unmet.stdout.contains("step 2 (line 6, “EHLO client.example.com”): expected 500, got 250"), "stdout: \(unmet.stdout)")
        let broken = try write("broken", ehloExpects: "2x0")
        let refused = try run("play", broken)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(broken):7: `expect:` takes a reply code"), "stderr: \(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let missing = try run("play", folder.path + "/no-such.scenario")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read \(folder.path)/no-such.scenario"), "stderr: \(missing.stderr)")
    }

    @Test func theManualDumpCarriesEveryCommand() throws {
        // generate-manual (argument-parser's man page tool, used by Scripts/install) reads this dump.
        let r = try run("--experimental-dump-help")
        #expect(r.status == 0)
        for name in ["\"tui\"", "\"serve\"", "\"world\"", "\"bench\"", "\"theme\""] { #expect(r.stdout.contains(name), "dump lacks \(name)") }
    }
}
