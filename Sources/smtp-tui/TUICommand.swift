// The default subcommand: the full-screen app. Wiring only: terminal in, actions to `App.update`, frames out.
import ArgumentParser
import CTerminalGuard
import SMTPCore
import ServeOptions
import MailStore
import TUI
#if canImport(Glibc)
import Glibc
#endif

/// The app's own options, shared by `smtp-tui` (no subcommand) and `smtp-tui tui`, so both list them in --help.
struct TUIOptions: ParsableArguments {
    @Flag(help: "Leave the mouse to the terminal (text selection) instead of using clicks and the wheel.")
    var noMouse = false

    @Flag(help: "Draw boxes, arrows and symbols with ASCII only (automatic when the locale is not UTF-8).")
    var ascii = false

    @Flag(help: "No colours, only bold/underline/reverse (also when NO_COLOR is set).")
    var noColor = false

    @Option(help: ArgumentHelp("Theme name or path to a theme file (see --list-themes). Also SMTP_TUI_THEME or config.toml.",
                               valueName: "name|path"),
            completion: .custom { _ in ThemeSetup.catalog().names })
    var theme: String?

    @Flag(help: "List every theme with where it comes from and a swatch, then exit.")
    var listThemes = false

    @Option(help: ArgumentHelp("Write an example to stdout and exit: \(CodeExamples.all.map(\.id).joined(separator: ", ")) (for terminals without OSC 52).",
                               valueName: "name"),
            completion: .list(CodeExamples.all.map(\.id)))
    var printExample: String?

    @Option(help: ArgumentHelp("Present a lesson story step by step: a scenario's name (alone, --demo is happy-path; `smtp-tui play --help` lists them) or a path to a .scenario file. The presenter layout and the projector theme unless --theme says otherwise; PgDn/Space next, PgUp back, a autoplay (off unless --autoplay), Esc leaves.",
                               valueName: "scenario"),
            completion: .list(BuiltinScenarios.all.map(\.name)))
    var demo: String?

    @Flag(help: "With --demo: play the story by itself, a step every few seconds once the last one has finished (a in the app turns it on or off). Without it the story waits for PgDn/Space.")
    var autoplay = false

    @Flag(help: "The presenter layout without a story: banner, big caption, big diagram, no chrome.")
    var presenter = false

    @Option(help: ArgumentHelp("On exit, save the session's transcript as plain text to this file.", valueName: "file"))
    var record: String?

    @Option(help: ArgumentHelp("Record the screen as an asciicast v2 file (plays in any asciinema player).", valueName: "file"))
    var cast: String?

    @Option(help: ArgumentHelp("Live mode: also serve real SMTP clients on HOST:PORT (loopback only), as smtp.example.com with real STARTTLS (or as --profile says); each session gets a tab and travels in the diagram. x in Code examples runs an example against it.",
                               valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("Live mode: store what real clients send in this Maildir (DIR/<recipient>/new/); the mailboxes popup (b) lists it.", valueName: "dir"))
    var maildir: String?

    @Option(help: "Live mode: the server the listener plays. submission: smtp.example.com, STARTTLS then AUTH required. mx: mx.domain.com, mail for domain.com only, no TLS or login needed (what a load tool can reach).")
    var profile: ServerProfile = .submission

    @Option(help: ArgumentHelp("Live mode: close a connection whose TLS handshake after STARTTLS is not done within this many seconds.", valueName: "seconds"))
    var tlsHandshakeTimeout: Double = LiveListener.defaultTLSHandshakeTimeout

    @Option(help: ArgumentHelp("Live mode: connections served at once from one client address; the next one is answered 421 4.7.0.", valueName: "n"))
    var maxConnectionsPerClient: Int = LiveListener.defaultMaxConnectionsPerClient

    @Option(help: ArgumentHelp("With --print-example: the variant for `smtp-tui serve --listen 127.0.0.1:PORT` (its self-signed certificate accepted).", valueName: "port"))
    var local: Int?

    @Flag(help: "Start on the Missions section (the same as `smtp-tui learn`): goals the engine judges, with hints and progress.")
    var missions = false

    func validate() throws {
        if let id = printExample, CodeExamples.example(id) == nil {
            throw ValidationError("unknown example '\(id)'; choose one of \(CodeExamples.all.map(\.id).joined(separator: ", "))")
        }
        if let listen {
            let (host, _) = try ListenOption.parse(listen)
            if !LiveListener.isLoopback(host) {
                throw ValidationError("\(host) is not a loopback address: the app listens on this computer only (for other machines use `smtp-tui serve --listen HOST:PORT --allow-remote`)")
            }
        }
        guard tlsHandshakeTimeout > 0, maxConnectionsPerClient > 0 else {
            throw ValidationError("--tls-handshake-timeout and --max-connections-per-client must be positive")
        }
    }

    /// The parsed options as the plain values the app starts with.
    var app: AppOptions {
        AppOptions(noMouse: noMouse, ascii: ascii, noColor: noColor, theme: theme, listThemes: listThemes,
                   printExample: printExample, demo: demo, autoplay: autoplay, presenter: presenter, record: record,
                   cast: cast, listen: listen, maildir: maildir, profile: profile, tlsHandshakeTimeout: tlsHandshakeTimeout,
                   maxConnectionsPerClient: maxConnectionsPerClient, local: local, missions: missions)
    }
}

/// What the app starts with, as plain values. `smtp-tui` with no arguments at all starts from these defaults
/// without argument-parser: its reflection over the options (Mirror, type lookups, protocol conformance scans of
/// the whole binary) was a fifth of the time before the first frame. A test checks that they equal what
/// `TUIOptions` parses from no arguments.
struct AppOptions: Equatable, Sendable {
    var noMouse = false
    var ascii = false
    var noColor = false
    var theme: String?
    var listThemes = false
    var printExample: String?
    var demo: String?
    var autoplay = false
    var presenter = false
    var record: String?
    var cast: String?
    var listen: String?
    var maildir: String?
    var profile: ServerProfile = .submission
    var tlsHandshakeTimeout: Double = LiveListener.defaultTLSHandshakeTimeout
    var maxConnectionsPerClient: Int = LiveListener.defaultMaxConnectionsPerClient
    var local: Int?
    var missions = false

    /// What the app's listener is started with, by --listen or by the first Run it.
    var liveSettings: LiveLink.Settings {
        LiveLink.Settings(profile: profile, maildir: maildir, tlsHandshakeTimeout: tlsHandshakeTimeout,
                          maxConnectionsPerClient: maxConnectionsPerClient)
    }
}

struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "The interactive SMTP tutor (also what `smtp-tui` alone starts): flow diagram, commands, status codes, examples and a live session.")

    @OptionGroup var options: TUIOptions

    func run() throws { try Self.launch(options.app) }

    static func launch(_ options: AppOptions) throws {
        if let id = options.printExample, let example = CodeExamples.example(id) {
            if let port = options.local {
                switch LocalExample.code(example, port: port) {
                case .success(let code): print(code)
                case .failure(let error): throw ValidationError(error.description)
                }
                return
            }
            print(example.code)
            return
        }
        var story: DemoScenario?
        // Stories and missions are read after the first frame, unless the start needs them (--demo, --missions).
        var files: StartFiles?
        if options.demo != nil || options.missions { files = StartFiles.load() }
        if let name = options.demo, let stories = files?.stories {
            do {
                story = try ScenarioFiles.resolve(name, in: stories)
            } catch let problem as ScenarioFiles.Problem {
                tg_write_stderr("smtp-tui: \(problem)\n")
                throw ExitCode(SMTPTUI.usageError)
            }
        }
        let catalog = ThemeSetup.catalog()
        if options.listThemes {
            print(ThemeSetup.list(catalog, colour: isatty(1) != 0))
            return
        }
        let utf8 = Locale.setUp()
        let noColor = options.noColor || (getenv("NO_COLOR").map { $0.pointee != 0 } ?? false)
        let startTheme: Theme
        do {
            // Presenting defaults to the projector theme; --theme, SMTP_TUI_THEME or config.toml still win.
            let presenting = (options.demo != nil || options.presenter) && options.theme == nil && getenv("SMTP_TUI_THEME") == nil
            startTheme = try ThemeSetup.choose(option: presenting ? "projector" : options.theme, noColor: noColor, catalog: catalog)
        } catch let error as ThemeError {
            // Before the terminal is touched: the message and exit status 2.
            tg_write_stderr("smtp-tui: theme error: \(error)\n")
            throw ExitCode(SMTPTUI.usageError)
        }
        // (After the theme, so a bad --theme is reported as such.) Never run away: without a terminal on both ends the app could only spin and spray escape codes into a
        // pipe or a file. Say so and stop before anything is written to stdout.
        if let problem = TerminalCheck.problem(stdin: isatty(0) != 0, stdout: isatty(1) != 0) {
            tg_write_stderr("smtp-tui: \(problem)\n")
            throw ExitCode(SMTPTUI.usageError)
        }
        // Live mode: listen before the terminal is taken, so a busy port is reported plainly.
        var link: LiveLink?
        if let listen = options.listen {
            do {
                let (host, port) = try ListenOption.parse(listen)
                let started = try LiveLink.start(host: host, port: port, settings: options.liveSettings)
                for note in started.notes { tg_write_stderr("smtp-tui: \(note)\n") }
                link = started.link
            } catch {
                tg_write_stderr("smtp-tui: \(error)\n")
                throw ExitCode(SMTPTUI.usageError)
            }
        }
        let status = try MainActor.assumeIsolated {
            try Runtime.run(mouse: !options.noMouse, ascii: options.ascii || !utf8, noColor: noColor, theme: startTheme, catalog: catalog,
                            files: files, story: story, autoplay: options.autoplay, presenter: options.presenter || options.demo != nil, record: options.record, cast: options.cast,
                            link: link, live: options.liveSettings, missions: options.missions)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// What the app reads from disk besides its theme: the lesson stories (built-in and the user's), the missions and
/// the learner's progress. Parsing them is most of the start-up work, so a plain start draws its first frame first.
struct StartFiles {
    var stories: ScenarioCatalog
    var learn: LearnState
    /// A broken mission file of the user's, said in the status bar (the built-in missions stay).
    var learnProblem: String?

    static func load() -> StartFiles {
        var learn = LearnState(progress: LearnFiles.loadProgress())
        var problem: String?
        do { learn.missions = try LearnFiles.catalog().missions } catch { problem = "\(error)" }
        return StartFiles(stories: ScenarioFiles.catalog(), learn: learn, learnProblem: problem)
    }
}

enum TerminalCheck {
    /// Why the full-screen app cannot start, or nil when stdin and stdout are both terminals.
    static func problem(stdin: Bool, stdout: Bool) -> String? {
        let what: String
        switch (stdin, stdout) {
        case (true, true): return nil
        case (false, false): what = "standard input and standard output are not a terminal"
        case (false, true): what = "standard input is not a terminal"
        case (true, false): what = "standard output is not a terminal"
        }
        return "\(what), and the app needs an interactive terminal for both. In a script or a pipe use "
            + "`smtp-tui serve --stdio` (SMTP on stdin/stdout), `smtp-tui world` or `smtp-tui --print-example NAME`."
    }
}

enum Locale {
    /// setlocale from the environment. Returns whether the user's locale is UTF-8: when it is not (LANG unset, C,
    /// Latin-1), the terminal cannot be trusted with Unicode and the app draws ASCII. C.UTF-8 is still switched on
    /// when available, so ncursesw handles what is typed as UTF-8. Only the character type: it is all ncursesw and
    /// the app read (LC_ALL and LC_CTYPE in the environment still choose it), and the other twelve categories
    /// would be twelve files opened before the first frame.
    static func setUp() -> Bool {
        setlocale(LC_CTYPE, "")
        if isUTF8 { return true }
        _ = setlocale(LC_CTYPE, "C.UTF-8")
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
    static func run(mouse: Bool, ascii: Bool, noColor: Bool, theme: Theme, catalog: ThemeCatalog, files early: StartFiles?,
                    story: DemoScenario?, autoplay: Bool, presenter: Bool, record: String?, cast: String?,
                    link startingLink: LiveLink?, live settings: LiveLink.Settings, missions: Bool) throws -> Int32 {
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal(mouse: mouse, noColor: noColor)
        } catch let error as TerminalError {
            tg_write_stderr(error.description + "\n")
            return 2
        }
        defer { terminal.restore() }
        var state = AppState(size: terminal.size, learn: early?.learn ?? LearnState(missions: []))
        state.ascii = ascii
        terminal.theme = terminal.depth == .none && theme.name != "mono" ? ((try? catalog.load("mono")) ?? theme) : theme
        state.themeName = terminal.theme.name
        func take(_ files: StartFiles) {
            state.scenarios = files.stories.scenarios
            state.storyFolder = ScenarioFiles.userFolder
            state.learn = files.learn
            // A returning learner starts at the first mission not done yet.
            state.learn.selected = files.learn.missions.firstIndex { !files.learn.progress.isDone($0.id) } ?? 0
            if let problem = files.learnProblem { state.status = ("Missions: \(problem)", true) }
            if let problem = files.stories.problems.first { state.status = ("Scenario not loaded — \(problem)", true) }
        }
        if let early { take(early) }
        if missions { App.focus(.missions, &state) }
        state.presenter = presenter
        if let story {
            let problem = state.status
            App.startDemo(story, &state, autoplay: autoplay)
            if problem?.isError == true { state.status = problem }
        }
        var filesToRead = early == nil
        let recorder = cast.flatMap { CastRecorder(path: $0, size: state.size) }
        if cast != nil && recorder == nil { state.status = ("Cannot write the cast file \(cast ?? "")", true) }
        defer {
            recorder?.close()
            if let record { Transcript.save(state.transcript, to: record) }
        }
        var link = startingLink
        // The listener runs in a child process: it ends with the app, whichever way the app ends here.
        defer { link?.stop() }
        var runner = ExampleRunner()
        defer { runner.stop() }
        func showLive(_ link: LiveLink) {
            state.live = LiveBoard(address: link.address, maildir: link.maildir?.root)
            state.live?.mailFiles = link.mailFiles()
        }
        if let link { showLive(link) }
        var last = monotonicMilliseconds()
        var dirty = true
        while true {
            if tg_quit_signal() != 0 { return 0 }
            if tg_take_suspend_request() != 0 {
                terminal.suspend()
                dirty = true
            }
            if terminal.isGone {
                // End of input or a read error on the terminal (closed without a SIGHUP reaching us): restore and stop
                // instead of spinning on a read that can never block again.
                terminal.restore()
                tg_write_stderr("smtp-tui: the terminal went away (end of input or a read error); exiting\n")
                return 1
            }
            if dirty {
                let frame = Frame.render(state).buffer
                terminal.draw(frame)
                recorder?.add(frame, theme: terminal.theme)
                dirty = false
                // Lets the end-to-end tests prove that a crash still restores the terminal.
                if getenv("SMTP_TUI_TEST_CRASH") != nil { fatalError("crash requested by SMTP_TUI_TEST_CRASH") }
            }
            if filesToRead {
                // The first frame is on the screen: now the stories and missions (before any key is read).
                filesToRead = false
                take(StartFiles.load())
                if state.status != nil { dirty = true; continue }
            }
            // Block until input when nothing moves: no CPU, no wake-ups. Otherwise about 30 frames a second.
            // Live mode also wakes for the listener's reports, and checks on a running example four times a second.
            var actions: [Action]
            if let link {
                actions = terminal.read(timeoutMs: state.wantsTicks ? 33 : runner.running != nil ? 250 : -1, wake: link.wakeFD)
                let events = link.drain()
                actions += events.map { Action.live($0) }
                // The Maildir is read again after a delivery only while the mailboxes are open (b reads it anyway):
                // a busy listener must not make the main loop walk a large folder on every report.
                if state.popup == .inbox, events.contains(where: \.acceptsAMessage) {
                    state.live?.mailFiles = link.mailFiles()
                }
                if let done = runner.poll() {
                    state.live?.running = nil
                    state.status = (done.message, !done.ok)
                    state.statusExpiresAt = nil
                    dirty = true
                }
            } else {
                actions = terminal.read(timeoutMs: state.wantsTicks ? 33 : -1)
            }
            let now = monotonicMilliseconds()
            // Simulated time follows real time: while animating, a tick per frame; after an idle wait, the whole
            // wait at once when input arrives (so greylisting's "try again in 5 seconds" means 5 real seconds).
            var all: [Action] = []
            let ticks = Int((now - last) * Int64(SimulatedTime.ticksPerSecond) / 1000)
            if ticks > 0 && (state.wantsTicks || !actions.isEmpty) {
                all.append(.tick(state.wantsTicks ? min(ticks, 30) : min(ticks, 3_600 * SimulatedTime.ticksPerSecond)))
                last += Int64(ticks) * 1000 / Int64(SimulatedTime.ticksPerSecond)
            }
            all += actions
            for action in all {
                for effect in App.update(&state, action) {
                    switch effect {
                    case .quit: return 0
                    case .copyToClipboard(let text):
                        tg_write("\u{1B}]52;c;\(Base64.encode(Array(text.utf8)))\u{07}")
                    case .runExample(let id):
                        guard let example = CodeExamples.example(id) else { break }
                        if settings.profile != .submission {
                            // The examples log in as alice over STARTTLS, which only the submission service offers.
                            state.status = ("Run it: the examples submit to smtp.example.com (STARTTLS and AUTH); this listener plays \(World.serving(settings.profile).serverName) (--profile \(settings.profile.rawValue))", true)
                            break
                        }
                        var made: [String] = []
                        if link == nil {
                            // The first Run it starts the listener on a free loopback port.
                            do {
                                let started = try LiveLink.start(host: "127.0.0.1", port: 0, settings: settings)
                                link = started.link
                                made = started.notes
                                started.link.failures.set(state.learn.activeInjections)
                                showLive(started.link)
                            } catch {
                                state.status = ("Run it: \(error)", true)
                                break
                            }
                        }
                        guard let link else { break }
                        let started = runner.start(example, host: link.server.host, port: link.server.port)
                        state.status = ((made + [started.message]).joined(separator: "; "), !started.ok)
                        if runner.running != nil { state.live?.running = example.title }
                    case .refreshMaildir:
                        if let link { state.live?.mailFiles = link.mailFiles() }
                    case .setDirectedFailures(let failures):
                        link?.failures.set(failures)
                    case .saveProgress(let progress):
                        if let problem = LearnFiles.save(progress) { state.status = ("Progress not saved — \(problem)", true) }
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
