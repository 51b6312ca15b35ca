// Live mode (`smtp-tui --listen HOST:PORT`): real programs connect to the app's own listener, and each of their
// sessions gets a tab next to the learner's simulated one. The session being watched is drawn in the diagram like
// the learner's (`Simulation.mirror`); its lines appear in the terminal pane as the animation brings them.
import SMTPCore

/// One file of the Maildir the listener stores into, as the mailboxes popup lists it.
public struct MailFileSummary: Sendable, Equatable {
    public var mailbox: String
    /// Where in the mailbox it is: "new" (not yet seen by a mail reader) or "cur".
    public var folder: String
    public var file: String
    public var from: String
    public var subject: String
    public var date: String
    public var size: Int
    public init(mailbox: String, folder: String = "new", file: String, from: String, subject: String, date: String, size: Int) {
        self.mailbox = mailbox; self.folder = folder; self.file = file; self.from = from; self.subject = subject
        self.date = date; self.size = size
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
    /// The real client whose accepted message the simulated journey is carrying (nil: the learner's, or none).
    public var journeyOwner: Int?

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

extension LiveSession {
    /// Adds a line where its tick puts it: a pipelined command leaves before the replies to the one ahead of it
    /// arrive, and the pane must read in the order things are seen (and selections must keep their line).
    mutating func add(_ line: TranscriptLine, at tick: Int) {
        var i = lines.endIndex
        while i > lines.startIndex, lines[i - 1].tick > tick { i -= 1 }
        lines.insert(Line(tick: tick, line: line), at: i)
    }
}

extension App {
    /// A report from the listener: a session opens, an exchange happens, a connection closes.
    static func live(_ event: LiveEvent, _ state: inout AppState) {
        if let id = state.learn.active?.id, state.learn.mission(id)?.live == true, state.learn.active?.passed == false {
            // A live mission judges what real programs do on the listener from the moment it started.
            if case .exchange = event, (state.learn.active?.liveEvents.count ?? 0) < 5_000 { state.learn.active?.liveEvents.append(event) }
            judgeMission(&state)
        }
        // Taken out of the state while it changes, so its arrays are changed in place, not copied per event.
        guard var board = state.live else { return }
        state.live = nil
        defer { state.live = board }
        let now = state.sim.tick
        switch event {
        case .opened(let id, let peer):
            var session = LiveSession(id: id, peer: peer)
            let greeting = TranscriptLine(.local, "A real client connected from \(peer).")
            // Follow the newest client, but never from under the learner: not while a line of their own is half
            // typed, a popup is open or a transcript line is selected; nor when the diagram is already far behind.
            let learnerBusy = !state.editor.isEmpty || state.popup != nil || state.selectedTranscriptLine != nil
            if (board.watching != nil || !learnerBusy) && state.popup == nil && state.sim.linkBacklog < LiveBoard.maxBacklog {
                board.watching = id
                state.transcriptScroll = 0
                state.selectedTranscriptLine = nil
                session.add(greeting, at: state.sim.mirrorConnect(peer: peer))
            } else {
                session.add(greeting, at: now)
                state.status = ("A real client connected (#\(id)): Ctrl-N shows it", false)
            }
            board.sessions.append(session)
            if board.sessions.count > LiveBoard.maxSessions {
                // Forget the oldest session that is over and drawn so; never the one being watched.
                let old = board.sessions.firstIndex { $0.isClosed(at: now) && $0.id != board.watching }
                    ?? board.sessions.firstIndex { $0.id != board.watching }
                if let old { board.sessions.remove(at: old) }
            }
        case .exchange(let id, let line, let wasInData, let envelopeOpen, let pipelined, let outputs):
            guard let index = board.sessions.firstIndex(where: { $0.id == id }) else { break }
            let animated = board.watching == id && state.sim.linkBacklog < LiveBoard.maxBacklog
            // Lines not drawn are shown at once, but never before the ones still travelling ahead of them.
            let shownAt = max(now, board.sessions[index].lines.last?.tick ?? now)
            let times = animated
                ? state.sim.mirror(line: line, wasInData: wasInData, envelopeOpen: envelopeOpen, pipelined: pipelined, outputs: outputs)
                : (lineAt: shownAt, outputsAt: Array(repeating: shownAt, count: outputs.count))
            if animated && event.acceptsAMessage {
                // The journey's news from now on is about this client's message.
                board.journeyOwner = id
            }
            record(line: line, wasInData: wasInData, outputs: outputs, times: times, animated: animated,
                   maildir: board.maildir, into: &board.sessions[index])
        case .closed(let id):
            guard let index = board.sessions.firstIndex(where: { $0.id == id }) else { break }
            let at = max(now, board.sessions[index].lines.last?.tick ?? now)
            board.sessions[index].closedAt = at
            board.sessions[index].add(TranscriptLine(.local, "Connection closed."), at: at)
        }
    }

    private static func record(line: String?, wasInData: Bool, outputs: [SessionOutput], times: (lineAt: Int, outputsAt: [Int]),
                               animated: Bool, maildir: String?, into session: inout LiveSession) {
        if let line {
            if wasInData && line != "." {
                session.bodyLines += 1
                if session.bodyLines <= LiveBoard.bodyLinesShown {
                    session.add(TranscriptLine(.data, line), at: times.lineAt)
                } else { session.foldedLines += 1 }
            } else {
                if session.foldedLines > 0 {
                    session.add(TranscriptLine(.local, "… \(session.foldedLines) more lines of the message (all of them were received)"), at: times.lineAt)
                }
                session.bodyLines = 0
                session.foldedLines = 0
                session.add(TranscriptLine(wasInData ? .data : .you, line), at: times.lineAt)
            }
        }
        for (n, output) in outputs.enumerated() {
            let at = n < times.outputsAt.count ? times.outputsAt[n] : times.lineAt
            switch output {
            case .reply(let reply, _):
                for wire in reply.wireLines { session.add(TranscriptLine(.server(reply.code), wire), at: at) }
            case .tlsStarted:
                session.tlsAt = at
                session.add(TranscriptLine(.local, "TLS handshake done (real TLS): from here on this connection is encrypted."), at: at)
            case .authenticated(let user):
                session.user = user
            case .delivered(let message):
                session.acceptedAt.append(at)
                let rest = animated ? "; the diagram follows it through the simulated world" : ""
                session.add(TranscriptLine(.local, "Accepted as \(message.id)" + (maildir.map { " and stored in \($0)" } ?? "") + rest + "."), at: at)
            case .closed:
                break
            }
        }
        if session.lines.count > LiveBoard.maxLines { session.lines.removeFirst(session.lines.count - LiveBoard.maxLines) }
    }

    /// The journey's news (queue, DNS, relay, delivery) goes with the message it is about: into the tab of the real
    /// client whose message is travelling, else into the learner's own transcript.
    static func journeyNote(_ text: String, _ state: inout AppState) {
        if let owner = state.live?.journeyOwner, let i = state.live?.sessions.firstIndex(where: { $0.id == owner }) {
            let at = max(state.sim.tick, state.live?.sessions[i].lines.last?.tick ?? 0)
            state.live?.sessions[i].add(TranscriptLine(.local, text), at: at)
        } else {
            state.transcript.append(TranscriptLine(.local, text))
        }
    }

    /// Ctrl-N, `]` / `[`, a click on a tab: the next or previous session (the learner's own is first).
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

    /// Ctrl-P: the learner's own session again, whichever real client was being watched.
    static func watchOwnSession(_ state: inout AppState) {
        guard state.live != nil else { return }
        let wasWatching = state.live?.watching != nil
        watch(id: nil, &state)
        state.status = (wasWatching ? "Your own simulated session" : "Your own simulated session (Ctrl-N shows the real clients)", false)
    }

    static func watch(id: Int?, _ state: inout AppState) {
        guard state.live != nil else { return }
        state.live?.watching = id
        state.transcriptScroll = 0
        state.selectedTranscriptLine = nil
    }
}
