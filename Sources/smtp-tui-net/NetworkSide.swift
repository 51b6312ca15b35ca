// smtp-tui-net: the network side of smtp-tui as a program of its own, so the app a learner starts does not carry
// SwiftNIO, NIOSSL's BoringSSL and swift-certificates. Two commands, both reached through smtp-tui:
//   serve  what `smtp-tui serve …` runs (smtp-tui hands it over with exec, arguments unchanged);
//   link   the listener of the app's live mode (--listen, Run it), started by the app as a child process and
//          reporting each session's exchanges on its standard output (see LinkCommand).
import ArgumentParser
import SMTPCore
#if canImport(Glibc)
import Glibc
#endif

@main
enum NetworkSide {
    /// The same exit status as smtp-tui's for every usage error.
    static let usageError: Int32 = 2

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case ServeCommand.configuration.commandName: run(ServeCommand.self, Array(arguments.dropFirst()))
        case LinkCommand.configuration.commandName: run(LinkCommand.self, Array(arguments.dropFirst()))
        default:
            ServeCommand.writeAll(2, "smtp-tui-net is the network side of smtp-tui: run `smtp-tui serve --help`, or `smtp-tui --listen HOST:PORT` for live mode\n")
            exit(usageError)
        }
    }

    /// Parses and runs `type`; usage errors exit 2, with the message smtp-tui would print.
    static func run(_ type: ParsableCommand.Type, _ arguments: [String]) -> Never {
        do {
            var command = try type.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch {
            let code = type.exitCode(for: error)
            if code == .validationFailure {
                var message = type.fullMessage(for: error)
                if let name = type.configuration.commandName {
                    message = message.replacing("See '\(name) --help'", with: "See 'smtp-tui \(name) --help'")
                }
                ServeCommand.writeAll(2, message + (message.hasSuffix("\n") ? "" : "\n"))
                exit(usageError)
            }
            type.exit(withError: error)
        }
    }
}

