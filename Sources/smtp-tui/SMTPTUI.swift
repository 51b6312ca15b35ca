// The command line: the TUI is the default subcommand; `serve`, `world` and `bench` expose the engine directly.
import ArgumentParser

@main
struct SMTPTUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp-tui",
        abstract: "Learn how e-mail really travels: an interactive SMTP simulator for the terminal.",
        discussion: """
        With no subcommand the app starts. Its options (--theme NAME|PATH, --list-themes, --no-mouse, --ascii, \
        --no-color, --print-example NAME, --demo [SCENARIO], --presenter, --record FILE, --cast FILE) are listed by \
        `smtp-tui help tui`. In the app, press ? for every key.
        """,
        version: "0.1.0",
        subcommands: [TUICommand.self, ServeCommand.self, WorldCommand.self, PlayCommand.self, BenchCommand.self],
        defaultSubcommand: TUICommand.self
    )
}
