// `smtp-tui learn`: the missions. Alone it opens the app on the Missions section; --list prints them, --grade
// judges an attempt file like Exercism's test runner (exit 0 passed, 1 not, 2 usage), --check validates a mission
// file (its solution passes within par, its goal is not met at the start), --reset forgets the progress.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import CTerminalGuard
import SMTPCore
import TUI

struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Missions the engine judges: open them in the app, list them, grade an attempt, check a mission file.",
        discussion: """
        A mission is a goal reached by typing SMTP (deliver a message, see a bounce, log in with AUTH PLAIN), judged \
        by what the simulated world shows afterwards, never by the text typed. An attempt FILE holds the lines a \
        learner would type in the session pane, one per line, `connect` included; each is sent after the replies \
        before it, except a line starting with "> ", which goes right behind the one before (pipelining). Progress \
        is kept in $XDG_STATE_HOME/smtp-tui/progress.json (default ~/.local/state/smtp-tui/); your own missions go \
        in ~/.config/smtp-tui/missions/ID.mission.

        Exit status: 0 passed (or done), 1 not passed, 2 a usage error (an unknown id, an unreadable or malformed file).
        """)

    @Flag(help: "Print every mission as ID<TAB>CHAPTER<TAB>TITLE, one per line.")
    var list = false

    @Option(help: ArgumentHelp("Grade the attempt in FILE against the mission ID.", valueName: "ID"))
    var grade: String?

    @Option(help: ArgumentHelp("Print the reference solution of the mission ID, one line as typed per line (a solved attempt for --grade).", valueName: "ID"))
    var solution: String?

    @Argument(help: "The attempt file for --grade.")
    var file: String?

    @Option(help: "text or json (--grade): json is one object like Exercism's results.json.")
    var format: String = "text"

    @Option(help: ArgumentHelp("Check a mission file: it parses, its reference solution passes within par, its goal is not met at the start.", valueName: "FILE"))
    var check: String?

    @Flag(help: "Forget the progress (missions done, hints, quiz answers).")
    var reset = false

    @OptionGroup var options: TUIOptions

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("unknown format '\(format)'; choose text or json") }
        if grade != nil && file == nil { throw ValidationError("--grade ID needs the attempt FILE after it") }
        if grade == nil && file != nil { throw ValidationError("a FILE is only read with --grade ID") }
        if [list, grade != nil, check != nil, reset].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --list, --grade, --check and --reset")
        }
    }

    func run() throws {
        if let path = check { return try checkFile(path) }
        if reset {
            if let problem = LearnFiles.reset() { fail(problem) }
            print("Progress forgotten (\(LearnFiles.progressPath)).")
            return
        }
        let catalog: MissionCatalog
        do { catalog = try LearnFiles.catalog() } catch { fail("\(error)") }
        if list {
            for m in catalog.missions { print("\(m.id)\t\(m.chapter)\t\(m.title)") }
            return
        }
        if let id = solution {
            guard let mission = catalog.mission(id) else { fail("no mission called \(id); `smtp-tui learn --list` shows them") }
            for line in mission.solution { print(line) }
            return
        }
        if let id = grade, let file {
            guard let mission = catalog.mission(id) else {
                fail("no mission called \(id); `smtp-tui learn --list` shows them")
            }
            guard !mission.live else { fail("\(id) is judged on your own program against a listener: open it in the app with `smtp-tui learn --listen 127.0.0.1:2525`") }
            guard let text = ThemeSetup.readFile(file) else { fail("cannot read \(file): \(ThemeSetup.errnoText())") }
            let result = Grader.grade(mission, lines: Grader.lines(of: text))
            print(format == "json" ? Self.json(result) : Self.text(result, mission))
            if !result.passed { throw ExitCode(1) }
            return
        }
        var app = options.app
        app.missions = true
        try TUICommand.launch(app)
    }

    private func checkFile(_ path: String) throws {
        guard let text = ThemeSetup.readFile(path) else { fail("cannot read \(path): \(ThemeSetup.errnoText())") }
        let mission: Mission
        do { mission = try MissionParser.parse(text, file: path) } catch { fail("\(error)") }
        let problems = Grader.problems(with: mission)
        if problems.isEmpty {
            print(mission.live ? "\(path): \(mission.id) parses (a live mission: judged on real programs)"
                               : "\(path): \(mission.id) passes with its reference solution in \(mission.solution.count) lines (par \(mission.par))")
            return
        }
        for p in problems { print("\(path): \(p)") }
        throw ExitCode(1)
    }

    private func fail(_ message: String) -> Never {
        tg_write_stderr("smtp-tui: \(message)\n")
        SMTPTUI.exitWith(SMTPTUI.usageError)
    }

    static func text(_ r: GradeResult, _ m: Mission) -> String {
        var out = ["\(m.id): \(m.title) — \(r.passed ? "passed" : "not passed") (\(r.commands) lines, par \(r.par))"]
        if let f = r.verdict.failure { out.append("  ✗ \(f)") }
        for c in r.verdict.checks { out.append("  \(c.passed ? "✓" : "✗") \(c.name): \(c.message)") }
        if r.passed { out.append("Why it worked: \(m.why)") }
        return out.joined(separator: "\n")
    }

    /// Exercism's results.json shape: mission, status, one entry per check with its message, commands, par.
    struct Results: Encodable {
        struct Check: Encodable { let name: String; let status: String; let message: String }
        let mission: String
        let status: String
        let failure: String?
        let checks: [Check]
        let commands: Int
        let par: Int
    }

    static func json(_ r: GradeResult) -> String {
        let results = Results(mission: r.missionID, status: r.passed ? "pass" : "fail", failure: r.verdict.failure,
                              checks: r.verdict.checks.map { Results.Check(name: $0.name, status: $0.passed ? "pass" : "fail", message: $0.message) },
                              commands: r.commands, par: r.par)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(results)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
