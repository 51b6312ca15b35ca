// `smtp-tui play SCENARIO`: a lesson story played headless and printed whole — captions, both transcripts, the DNS
// answers and the mailboxes — for lesson notes, handouts (`--format markdown`) and scripts.
import ArgumentParser
import CTerminalGuard
import SMTPCore
import TUI

struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a lesson story (a scenario) without the screen and print the whole story as text or Markdown.",
        discussion: "Built-in stories: \(BuiltinScenarios.all.map(\.name).joined(separator: ", ")). Your own go in ~/.config/smtp-tui/scenarios/NAME.scenario; a path to a file works too.")

    @Argument(help: "The scenario's name, or a path to a .scenario file.")
    var scenario: String

    @Option(help: "text or markdown.")
    var format: String = "text"

    func run() throws {
        guard let format = DemoReport.Format(rawValue: format) else {
            throw ValidationError("unknown format '\(format)'; choose text or markdown")
        }
        let chosen: DemoScenario
        do {
            chosen = try ScenarioFiles.resolve(scenario, in: ScenarioFiles.catalog())
        } catch let problem as ScenarioFiles.Problem {
            tg_write_stderr("smtp-tui: \(problem)\n")
            throw ExitCode(2)
        }
        let record = DemoPlayer.play(chosen)
        print(DemoReport.render(record, format: format), terminator: "")
        if !record.failures.isEmpty { throw ExitCode(1) }
    }
}
