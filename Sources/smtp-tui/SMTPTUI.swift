// The command line: the TUI is the default subcommand; `serve`, `world` and `bench` expose the engine directly.
import ArgumentParser

@main
struct SMTPTUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp-tui",
        abstract: "Learn how e-mail really travels: an interactive SMTP simulator for the terminal.",
        version: "0.1.0",
        subcommands: [TUICommand.self, ServeCommand.self, WorldCommand.self, BenchCommand.self],
        defaultSubcommand: TUICommand.self
    )
}
