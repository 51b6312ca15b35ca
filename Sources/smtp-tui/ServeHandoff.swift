// The network side is another program, smtp-tui-net, installed next to this one (see Package.swift): `smtp-tui
// serve …` is handed over to it with exec, its arguments unchanged, and the listener of live mode runs in it (LiveLink).
import ArgumentParser
import CTerminalGuard
import SMTPCore
import ServeOptions
#if canImport(Glibc)
import Glibc
#endif

/// `serve` in this program's command list, help, man page and completions, with every option (declared once, in
/// ServeOptions); SMTPTUI.main hands it over before parsing, so this is never run from the command line.
struct ServeHandoff: ParsableCommand {
    static let configuration = ServeCommandLine.configuration

    @OptionGroup var options: ServeOptions

    func run() throws { Self.exec(Array(CommandLine.arguments.dropFirst())) }

    /// Replaces this process with smtp-tui-net and `arguments`.
    static func exec(_ arguments: [String]) -> Never {
        let program: String
        do {
            program = try LiveLink.networkSide()
        } catch {
            tg_write_stderr("smtp-tui: \(error)\n")
            Glibc.exit(SMTPTUI.usageError)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = (["smtp-tui-net"] + arguments).map { strdup($0) } + [nil]
        execv(program, argv)
        tg_write_stderr("smtp-tui: cannot run \(program): \(String(cString: strerror(errno)))\n")
        Glibc.exit(SMTPTUI.usageError)
    }
}

/// --listen HOST:PORT as the app's options take it.
enum ListenOption {
    static func parse(_ text: String) throws -> (String, Int) {
        do { return try LiveListener.parse(text) } catch { throw ValidationError("\(error)") }
    }
}

