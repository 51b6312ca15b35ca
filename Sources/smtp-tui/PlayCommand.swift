// `smtp-tui play SCENARIO`: a lesson story played headless and printed whole — captions, both transcripts, the DNS
// answers and the mailboxes — for lesson notes, handouts (`--format markdown`) and scripts.
import ArgumentParser
import CTerminalGuard
import SMTPCore
import MailStore
import TUI
#if canImport(Glibc)
import Glibc
#endif

struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a lesson story (a scenario) without the screen and print the whole story as text or Markdown.",
        discussion: "Built-in stories: \(BuiltinScenarios.all.map(\.name).joined(separator: ", ")). Your own go in ~/.config/smtp-tui/scenarios/NAME.scenario; a path to a file works too.")

    @Argument(help: "The scenario's name, or a path to a .scenario file.")
    var scenario: String

    @Flag(help: "Print the story's file itself (to start your own: redirect it into your stories folder and edit it).")
    var source = false

    @Option(help: "text or markdown.")
    var format: String = "text"

    @Option(help: ArgumentHelp("Also write every mailbox at the story's end as a Maildir (DIR/maildir/ADDRESS/new/, each message byte for byte as delivered) and the world's DNS as DIR/zone.txt (an RFC 1035 master file).", valueName: "DIR"))
    var export: String?

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
        if source {
            guard let text = Self.sourceText(scenario, chosen) else {
                tg_write_stderr("smtp-tui: cannot read the file of \(scenario)\n")
                throw ExitCode(2)
            }
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        let record = DemoPlayer.play(chosen)
        if let export {
            do { try Self.export(record.sim, to: export) } catch {
                tg_write_stderr("smtp-tui: cannot export to \(export): \(error)\n")
                throw ExitCode(2)
            }
        }
        print(DemoReport.render(record, format: format), terminator: "")
        if !record.failures.isEmpty { throw ExitCode(1) }
    }
}

extension PlayCommand {
    /// The file a story was read from: the path given, the user's own file of that name, or the built-in text.
    static func sourceText(_ nameOrPath: String, _ story: DemoScenario) -> String? {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".scenario") { return ThemeSetup.readFile(nameOrPath) }
        if let own = ThemeSetup.readFile(ScenarioFiles.userFolder + "/\(story.name).scenario") { return own }
        return BuiltinScenarios.all.first { $0.name == story.name }?.text
    }

    /// Every arrival into its mailbox's folder under DIR/maildir (written as the listener writes mail: tmp/, synced,
    /// renamed into new/), and the zone as DIR/zone.txt.
    static func export(_ sim: Simulation, to dir: String) throws {
        let maildir = Maildir(root: dir + "/maildir")
        try maildir.prepare()
        for arrival in sim.arrivals {
            let m = arrival.message
            // One copy, into this arrival's mailbox: the message as that mailbox's server stored it.
            let copy = StoredMessage(id: m.id, envelopeFrom: m.envelopeFrom, recipients: [arrival.mailbox], headers: m.headers,
                                     headerBytes: m.headerBytes, bodyText: m.bodyText, bodyIsEmpty: m.bodyIsEmpty,
                                     receivedAtTick: m.receivedAtTick, size: m.size, rawContent: m.rawContent,
                                     addedHeaderCount: m.addedHeaderCount, dsn: m.dsn, longestLine: m.longestLine)
            try maildir.deliver(copy)
        }
        let zone = Array(sim.network.dns.masterFile.utf8)
        guard let file = fopen(dir + "/zone.txt", "w") else { throw ExportError(description: "cannot write \(dir)/zone.txt") }
        defer { fclose(file) }
        guard fwrite(zone, 1, zone.count, file) == zone.count else { throw ExportError(description: "cannot write \(dir)/zone.txt") }
    }
}

struct ExportError: Error, CustomStringConvertible { let description: String }
