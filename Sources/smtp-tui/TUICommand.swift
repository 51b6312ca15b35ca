// The default subcommand: the full-screen app. Wiring only: terminal in, actions to `App.update`, frames out.
import ArgumentParser
import CTerminalGuard
import SMTPCore
import TUI
#if canImport(Glibc)
import Glibc
#endif

struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "The interactive SMTP tutor (the default): flow diagram, commands, status codes, examples and a live session.")

    @Flag(help: "Leave the mouse to the terminal (text selection) instead of using clicks and the wheel.")
    var noMouse = false

    @Flag(help: "Draw boxes and arrows with ASCII only (automatic when the locale is not UTF-8).")
    var ascii = false

    @Flag(help: "No colours, only bold/underline/reverse (also when NO_COLOR is set).")
    var noColor = false

    @Option(help: "Theme name or path to a theme file (see --list-themes). Also SMTP_TUI_THEME or config.toml.")
    var theme: String?

    @Flag(help: "List every theme with where it comes from and a swatch, then exit.")
    var listThemes = false

    @Option(help: "Write an example to stdout and exit: python, swaks, curl, node, go or openssl (for terminals without OSC 52).")
    var printExample: String?

    @Option(help: ArgumentHelp("With --print-example: the variant for `smtp-tui serve --listen 127.0.0.1:PORT` (its self-signed certificate accepted).", valueName: "port"))
    var local: Int?

    func run() throws {
        if let id = printExample {
            guard let example = CodeExamples.example(id) else {
                throw ValidationError("unknown example '\(id)'; choose one of \(CodeExamples.all.map(\.id).joined(separator: ", "))")
            }
            if let port = local {
                switch LocalExample.code(example, port: port) {
                case .success(let code): print(code)
                case .failure(let error): throw ValidationError(error.description)
                }
                return
            }
            print(example.code)
            return
        }
        let catalog = ThemeSetup.catalog()
        if listThemes {
            print(ThemeSetup.list(catalog, colour: isatty(1) != 0))
            return
        }
        let utf8 = Locale.setUp()
        let noColor = self.noColor || (getenv("NO_COLOR").map { $0.pointee != 0 } ?? false)
        let startTheme: Theme
        do {
            startTheme = try ThemeSetup.choose(option: theme, noColor: noColor, catalog: catalog)
        } catch let error as ThemeError {
            // Before the terminal is touched: the message and exit status 2.
            tg_write_stderr("smtp-tui: theme error: \(error)\n")
            throw ExitCode(2)
        }
        let status = try MainActor.assumeIsolated {
            try Runtime.run(mouse: !noMouse, ascii: ascii || !utf8, noColor: noColor, theme: startTheme, catalog: catalog)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

enum Locale {
    /// setlocale from the environment; when the codeset is not UTF-8, try C.UTF-8. Returns whether UTF-8 is on.
    static func setUp() -> Bool {
        setlocale(LC_ALL, "")
        if isUTF8 { return true }
        if setlocale(LC_ALL, "C.UTF-8") != nil, isUTF8 { return true }
        return false
    }

    static var isUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}

@MainActor
enum Runtime {
    static func run(mouse: Bool, ascii: Bool, noColor: Bool, theme: Theme, catalog: ThemeCatalog) throws -> Int32 {
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal(mouse: mouse, noColor: noColor)
        } catch let error as TerminalError {
            tg_write_stderr(error.description + "\n")
            return 2
        }
        defer { terminal.restore() }
        var state = AppState(size: terminal.size)
        state.ascii = ascii
        terminal.theme = terminal.depth == .none && theme.name != "mono" ? ((try? catalog.load("mono")) ?? theme) : theme
        state.themeName = terminal.theme.name
        var last = monotonicMilliseconds()
        var dirty = true
        while true {
            if tg_quit_signal() != 0 { return 0 }
            if dirty {
                terminal.draw(Frame.render(state).buffer)
                dirty = false
                // Lets the end-to-end tests prove that a crash still restores the terminal.
                if getenv("SMTP_TUI_TEST_CRASH") != nil { fatalError("crash requested by SMTP_TUI_TEST_CRASH") }
            }
            // Block until input when nothing moves: no CPU, no wake-ups. Otherwise about 30 frames a second.
            let actions = terminal.read(timeoutMs: state.isAnimating ? 33 : -1)
            let now = monotonicMilliseconds()
            // Simulated time follows real time: while animating, a tick per frame; after an idle wait, the whole
            // wait at once when input arrives (so greylisting's "try again in 5 seconds" means 5 real seconds).
            var all: [Action] = []
            let ticks = Int((now - last) * Int64(SimulatedTime.ticksPerSecond) / 1000)
            if ticks > 0 && (state.isAnimating || !actions.isEmpty) {
                all.append(.tick(state.isAnimating ? min(ticks, 30) : min(ticks, 3_600 * SimulatedTime.ticksPerSecond)))
                last += Int64(ticks) * 1000 / Int64(SimulatedTime.ticksPerSecond)
            }
            all += actions
            for action in all {
                for effect in App.update(&state, action) {
                    switch effect {
                    case .quit: return 0
                    case .copyToClipboard(let text):
                        tg_write("\u{1B}]52;c;\(Base64.encode(Array(text.utf8)))\u{07}")
                    case .cycleTheme where noColor:
                        state.status = ("Colours are off (NO_COLOR or --no-color), so the theme stays mono", false)
                    case .cycleTheme:
                        let next = catalog.next(after: terminal.theme.name)
                        do {
                            terminal.theme = try catalog.load(next)
                            state.themeName = next
                            state.status = ("Theme: \(next) (\(terminal.theme.origin))", false)
                        } catch {
                            // A broken user theme: say why in the status bar and keep the current one.
                            state.status = ("Theme \(next) not loaded — \(error)", true)
                        }
                    }
                }
                dirty = true
            }
        }
    }

    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
