// The command line: `smtp-tui` alone starts the app (its options are the root's, so --help lists them);
// `serve`, `world` and `bench` expose the engine directly. Every usage error exits with status 2.
import ArgumentParser
import CTerminalGuard
#if canImport(Glibc)
import Glibc
#endif

@main
struct SMTPTUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp-tui",
        abstract: "Learn how e-mail really travels: an interactive SMTP simulator for the terminal.",
        discussion: """
        With no subcommand the full-screen app starts (the same as `smtp-tui tui`); it needs a terminal on \
        standard input and output. In the app, press ? for every key. `smtp-tui --demo [SCENARIO]` presents a \
        lesson story step by step; `smtp-tui play SCENARIO` prints one.

        Exit status: 0 on success, 1 when the terminal went away, 2 for a usage error (an unknown option, \
        command or value, a theme that cannot be loaded, no terminal).
        """,
        version: "0.1.0",
        subcommands: [TUICommand.self, LearnCommand.self, ServeHandoff.self, WorldCommand.self, PlayCommand.self, BenchCommand.self]
    )

    /// The one exit status for every usage error: bad options, unknown commands, unusable themes, no terminal.
    static let usageError: Int32 = 2

    @OptionGroup var options: TUIOptions

    func run() throws { try TUICommand.launch(options.app) }

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // The usual start, `smtp-tui` alone, goes straight to the app (see AppOptions).
        if arguments.isEmpty { launchWithoutArguments() }
        // `--demo` may stand alone (the happy path) or name a scenario: argument-parser has no optional-value
        // options, so a bare one gets its default here.
        for i in arguments.indices.reversed() where arguments[i] == "--demo" {
            if i + 1 == arguments.count || arguments[i + 1].hasPrefix("-") { arguments.insert("happy-path", at: i + 1) }
        }
        // `help NAME` for a command that does not exist: argument-parser would show the top-level help and exit 0.
        if arguments.first == "help", arguments.count > 1, !arguments[1].hasPrefix("-") {
            let names = configuration.subcommands.compactMap { $0.configuration.commandName }
            if arguments[1] == ServeHandoff.configuration.commandName { ServeHandoff.exec(["serve", "--help"]) }
            if !names.contains(arguments[1]) {
                tg_write_stderr("Error: no command named '\(arguments[1])'; commands: \(names.joined(separator: ", ")) (see `smtp-tui --help`)\n")
                exitWith(usageError)
            }
        }
        // `serve` is the network side's (smtp-tui-net), which parses its arguments itself: they share names with
        // the app's (--listen, --maildir), which argument-parser would give to the root.
        if arguments.first == ServeHandoff.configuration.commandName {
            ServeHandoff.exec(arguments)
        }
        run(SMTPTUI.self, arguments)
    }

    static func launchWithoutArguments() -> Never {
        do {
            try TUICommand.launch(AppOptions())
            exitWith(0)
        } catch let code as ExitCode {
            exitWith(code.rawValue)
        } catch {
            tg_write_stderr("smtp-tui: \(error)\n")
            exitWith(1)
        }
    }

    /// Parses and runs `type` with `arguments`; usage errors exit 2, like every other.
    static func run(_ type: ParsableCommand.Type, _ arguments: [String]) -> Never {
        do {
            var command = try type.parseAsRoot(arguments)
            try command.run()
            exitWith(0)
        } catch {
            let code = type.exitCode(for: error)
            // Validation and parsing errors (argument-parser's 64) join the app's own usage errors at 2.
            if code == .validationFailure {
                var message = type.fullMessage(for: error)
                if let name = type.configuration.commandName, type != SMTPTUI.self {
                    message = message.replacing("See '\(name) --help'", with: "See 'smtp-tui \(name) --help'")
                }
                tg_write_stderr(message + (message.hasSuffix("\n") ? "" : "\n"))
                exitWith(usageError)
            }
            type.exit(withError: error)
        }
    }

    /// Ends the process with `status` (stdout flushed by exit(3)). argument-parser's exit(withError:) builds its
    /// help text's machinery first even for a plain status, which made quitting the app slower than starting it.
    static func exitWith(_ status: Int32) -> Never {
        Glibc.exit(status)
    }
}
