// Live mode (`smtp-tui --listen HOST:PORT`): real programs connect to the app's own listener, and each of their
// sessions gets a tab next to the learner's simulated one. The session being watched is drawn in the diagram like
// the learner's (`Simulation.mirror`); its lines appear in the terminal pane as the animation brings them.
import SMTPCore

/// One file of the Maildir the listener stores into, as the mailboxes popup lists it.
public struct MailFileSummary: Sendable, Equatable {
    public var mailbox: String
    public var file: String
    public var from: String
    public var subject: String
    public var date: String
    public var size: Int
    public init(mailbox: String, file: String, from: String, subject: String, date: String, size: Int) {
        self.mailbox = mailbox; self.file = file; self.from = from; self.subject = subject; self.date = date; self.size = size
    }
}

public struct LiveSession: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        /// The simulation tick from which the line is shown.
        public var tick: Int
        public var line: TranscriptLine
    }
    public let id: Int
    public let peer: String
    public var lines: [Line] = []
    /// When the handshake was drawn done, the login seen, the connection drawn closed (ticks).
    public var tlsAt: Int?
    public var user: String?
    public var closedAt: Int?
    /// When each accepted message's 250 is drawn arriving (the tab counts those already shown).
    public var acceptedAt: [Int] = []
    /// Body lines of the message under way, and how many of them were folded away.
    var bodyLines = 0
    var foldedLines = 0

    public func visibleLines(at tick: Int) -> [TranscriptLine] {
        lines.lazy.filter { $0.tick <= tick }.map(\.line)
    }
    public func isSecure(at tick: Int) -> Bool { tlsAt.map { $0 <= tick } == true && !isClosed(at: tick) }
    public func isClosed(at tick: Int) -> Bool { closedAt.map { $0 <= tick } == true }

    /// The tab's words: "#2 127.0.0.1:40412", then TLS once encrypted, ✉ and a count once mail was accepted.
    public func tabLabel(at tick: Int, ascii: Bool) -> String {
        var label = "#\(id) \(peer)"
        // Words and symbols a projector font has (DejaVu Sans Mono has no emoji lock).
        if isSecure(at: tick) { label += " TLS" }
        let messages = acceptedAt.filter { $0 <= tick }.count
        if messages > 0 { label += ascii ? " +\(messages)" : " ✉\(messages)" }
        if isClosed(at: tick) { label += " (closed)" }
        return label
    }

    /// The connection indicator's words for this session.
    public func connectionLabel(at tick: Int) -> String {
        if isClosed(at: tick) { return "Real client: closed" }
        if let user, lines.contains(where: { $0.tick <= tick && $0.line.text.hasPrefix("235") }) { return "Real client: \(user)" }
        return isSecure(at: tick) ? "Real client: TLS" : "Real client"
    }
}

public struct LiveBoard: Sendable, Equatable {
    /// Where real clients connect, e.g. "127.0.0.1:2525".
    public var address: String
    /// The Maildir the listener stores into, if any, and what it holds (read by the runtime).
    public var maildir: String?
    public var mailFiles: [MailFileSummary] = []
    public var sessions: [LiveSession] = []
    /// The session the terminal pane shows and the diagram draws; nil: the learner's own.
    public var watching: Int?
    /// A code example running against the listener ("Run it"), by its title.
    public var running: String?

    public static let maxSessions = 100
    public static let maxLines = 3_000
    /// A message's body lines shown before the rest is folded into one line.
    public static let bodyLinesShown = 24
    /// Beyond this much animation waiting to be drawn (a minute; one script's whole session takes about ten
    /// seconds), real sessions' lines are shown at once, undrawn: a load test against the listener must not
    /// queue hours of animation.
    public static let maxBacklog = 3_600

    public init(address: String, maildir: String? = nil) {
        self.address = address
        self.maildir = maildir
    }

    public var watched: LiveSession? { watching.flatMap { id in sessions.first { $0.id == id } } }
}

extension App {
    /// A report from the listener: a session opens, an exchange happens, a connection closes.
    static func live(_ event: LiveEvent, _ state: inout AppState) {
        guard var board = state.live else { return }
        let now = state.sim.tick
        switch event {
        case .opened(let id, let peer):
            var session = LiveSession(id: id, peer: peer)
            // Follow the newest client unless the learner is in the middle of typing a line of their own, or the
            // diagram is already far behind (many clients at once).
            if (board.watching != nil || state.editor.isEmpty) && state.sim.linkBacklog < LiveBoard.maxBacklog {
                board.watching = id
                state.transcriptScroll = 0
                state.selectedTranscriptLine = nil
                let at = state.sim.mirrorConnect(peer: peer)
                session.lines.append(.init(tick: at, line: TranscriptLine(.local, "A real client connected from \(peer).")))
            } else {
                session.lines.append(.init(tick: now, line: TranscriptLine(.local, "A real client connected from \(peer).")))
                state.status = ("A real client connected (#\(id)): Ctrl-N shows it", false)
            }
            board.sessions.append(session)
            if board.sessions.count > LiveBoard.maxSessions {
                // Forget the oldest finished sessions first.
                if let old = board.sessions.firstIndex(where: { $0.closedAt != nil && $0.id != board.watching }) {
                    board.sessions.remove(at: old)
                } else { board.sessions.removeFirst() }
            }
        case .exchange(let id, let line, let wasInData, let envelopeOpen, let pipelined, let outputs):
            guard let index = board.sessions.firstIndex(where: { $0.id == id }) else { break }
            var session = board.sessions[index]
            let animated = board.watching == id && state.sim.linkBacklog < LiveBoard.maxBacklog
            // Lines not drawn are shown at once, but never before the ones still travelling ahead of them.
            let shownAt = max(now, session.lines.last?.tick ?? now)
            let times = animated
                ? state.sim.mirror(line: line, wasInData: wasInData, envelopeOpen: envelopeOpen, pipelined: pipelined, outputs: outputs)
                : (lineAt: shownAt, outputsAt: Array(repeating: shownAt, count: outputs.count))
            if let line {
                if wasInData && line != "." {
                    session.bodyLines += 1
                    if session.bodyLines <= LiveBoard.bodyLinesShown {
                        session.lines.append(.init(tick: times.lineAt, line: TranscriptLine(.data, line)))
                    } else { session.foldedLines += 1 }
                } else {
                    if session.foldedLines > 0 {
                        session.lines.append(.init(tick: times.lineAt, line: TranscriptLine(.local, "… \(session.foldedLines) more lines of the message (all of them were received)")))
                    }
                    session.bodyLines = 0
                    session.foldedLines = 0
                    session.lines.append(.init(tick: times.lineAt, line: TranscriptLine(wasInData ? .data : .you, line)))
                }
            }
            for (n, output) in outputs.enumerated() {
                let at = n < times.outputsAt.count ? times.outputsAt[n] : now
                switch output {
                case .reply(let reply, _):
                    for wire in reply.wireLines { session.lines.append(.init(tick: at, line: TranscriptLine(.server(reply.code), wire))) }
                case .tlsStarted:
                    session.tlsAt = at
                    session.lines.append(.init(tick: at, line: TranscriptLine(.local, "TLS handshake done (real TLS): from here on this connection is encrypted.")))
                case .authenticated(let user):
                    session.user = user
                case .delivered(let message):
                    session.acceptedAt.append(at)
                    let rest = animated ? "; the diagram follows it through the simulated world" : ""
                    session.lines.append(.init(tick: at, line: TranscriptLine(.local, "Accepted as \(message.id)"
                        + (board.maildir.map { " and stored in \($0)" } ?? "") + rest + ".")))
                case .closed:
                    break
                }
            }
            if session.lines.count > LiveBoard.maxLines { session.lines.removeFirst(session.lines.count - LiveBoard.maxLines) }
            board.sessions[index] = session
        case .closed(let id):
            guard let index = board.sessions.firstIndex(where: { $0.id == id }) else { break }
            let at = max(now, board.sessions[index].lines.last?.tick ?? now)
            board.sessions[index].closedAt = at
            board.sessions[index].lines.append(.init(tick: at, line: TranscriptLine(.local, "Connection closed.")))
        }
        state.live = board
    }

    /// Ctrl-N / Ctrl-P, `]` / `[`, a click on a tab: the next or previous session (the learner's own is first).
    static func watch(step: Int, _ state: inout AppState) {
        guard var board = state.live else { return }
        let ids: [Int?] = [nil] + board.sessions.map(\.id)
        let current = ids.firstIndex { $0 == board.watching } ?? 0
        board.watching = ids[(current + step + ids.count) % ids.count]
        state.live = board
        state.transcriptScroll = 0
        state.selectedTranscriptLine = nil
        state.status = (board.watched.map { "Watching real client #\($0.id) (\($0.peer))" } ?? "Your own simulated session", false)
    }

    static func watch(id: Int?, _ state: inout AppState) {
        guard state.live != nil else { return }
        state.live?.watching = id
        state.transcriptScroll = 0
        state.selectedTranscriptLine = nil
    }
}
