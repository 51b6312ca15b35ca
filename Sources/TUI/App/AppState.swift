// The whole app as one value. `update` changes it; views only read it.
import SMTPCore

public enum Section: Int, CaseIterable, Sendable {
    case flow = 1, commands, terminal, codes, examples, missions
    public var title: String {
        switch self {
        case .flow: return "Flow"
        case .commands: return "Commands"
        case .terminal: return "Terminal"
        case .codes: return "Status codes"
        case .examples: return "Code examples"
        case .missions: return "Missions"
        }
    }
    public var shortTitle: String {
        switch self {
        case .flow: return "Flow"
        case .commands: return "Cmds"
        case .terminal: return "Term"
        case .codes: return "Status"
        case .examples: return "Examples"
        case .missions: return "Learn"
        }
    }
}

public enum Popup: Equatable, Sendable {
    case help
    case command(Int)
    case statusCode(Int)
    /// The full explanation of a transcript line.
    case explanation(Int)
    /// Every mailbox of the network, Alice's bounces included.
    case inbox
    /// The relay hop's transcript (smtp.example.com ↔ the MX) and its DNS lookups.
    case relay
    /// The presenter's keys.
    case demoKeys
    /// The lesson stories to present; the selected row.
    case demoMenu(Int)
    /// The quiz after a story (its state is `learn.quiz`).
    case quiz
    /// The world's people and addresses: which exist, which bounce, which greylist; the selected row.
    case addressBook(Int)
    /// A reference entry on why mail is trusted (TrustCatalogue: SPF, DKIM, DMARC, Authentication-Results).
    case trust(Int)
}

public struct TranscriptLine: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case you, server(Int), data, local
    }
    public var kind: Kind
    public var text: String
    /// A line the client sent in answer to a 334 challenge (RFC 4954 §4): base64, not a command.
    public var answersChallenge = false
    public init(_ kind: Kind, _ text: String, answersChallenge: Bool = false) {
        self.kind = kind; self.text = text; self.answersChallenge = answersChallenge
    }
}

public struct AppState: Sendable {
    public var size: Size
    public var focus: Section = .terminal
    /// What the big right-hand pane shows: the terminal, the status codes or the code examples.
    public var mainSection: Section = .terminal
    public var popup: Popup?
    public var popupScroll = 0
    /// In the mailboxes popup: the header field explained (counted over every message shown), or nil.
    public var inboxField: Int?
    /// True while keys go to the terminal's input line.
    public var typing = true
    public var ascii = false
    public var themeName = "default"
    public var status: (text: String, isError: Bool)?

    public var commandIndex = 0
    public var codeIndex = 0
    public var codeFilter: ReplyClass?
    public var exampleIndex = 0
    public var exampleScroll = 0
    /// Columns the code is scrolled to the left (long lines scroll sideways).
    public var exampleColumn = 0

    public var editor = LineEditor()
    public var transcript: [TranscriptLine] = []
    /// Lines scrolled up from the bottom of the transcript.
    public var transcriptScroll = 0
    public var showPrefixes = true
    public var selectedTranscriptLine: Int?

    public var sim = Simulation()
    /// Missions, progress and the quiz (Learn mode).
    public var learn: LearnState
    /// Lines the learner entered while a reply was still on its way: each is sent once the reply is in (RFC 2920:
    /// a careful client waits). Ctrl-T sends a line at once instead (pipelining).
    public var typedAhead: [String] = []
    /// Enter on an empty line while Tab's suggestion waits for the reply: send the suggestion as soon as it fills.
    public var sendSuggestionWhenReady = false
    /// Live mode: real clients' sessions on the app's own listener (nil unless started with --listen or Run it).
    public var live: LiveBoard?
    /// A lesson story being presented (nil in the normal, hands-on mode).
    public var demo: DemoMode?
    /// The presenter layout: a banner in block letters, the caption large, the journey big, no chrome.
    public var presenter = false
    /// The lesson stories the demo menu lists (built-in, then the user's), and the last loading problem.
    public var scenarios: [DemoScenario] = []
    /// Where this user's own stories go (the runtime sets the real path; the menu names it).
    public var storyFolder = "~/.config/smtp-tui/scenarios"
    public var paused = false
    /// Simulation ticks per real tick, in quarters: 4 = normal, 1 = quarter speed, 16 = four times.
    public var speedQuarters = 4
    private var tickRemainder = 0
    /// The last mouse press, for double clicks: (x, y, tick).
    public var lastClick: (x: Int, y: Int, tick: Int)?
    /// Real ticks seen (drives double-click timing and the cursor blink; not the simulation clock).
    public var uptime = 0

    // The learner's traps (Teacher.swift).
    /// Lines typed for the learner, one after each reply: a status code's "Try it", or a Try-it line sent offline.
    public var queuedLines: [String] = []
    var queuedDelayBeforeLast = 0
    var queuedReadyAt: Int?
    /// Tab while the server was answering: fill the suggestion when the reply is in.
    public var fillSuggestionWhenReady = false
    /// Enter on an empty line asked once; the next Enter sends it.
    public var confirmingEmptyLine = false
    /// `reset` asked once; typing it again does it.
    public var confirmingReset = false
    /// The line a command popup's "Try it" put in the input line (sent offline, it connects first).
    public var tryItLine: String?
    /// When a transient status message goes away (in `uptime` ticks).
    public var statusExpiresAt: Int?
    /// Whether the runtime should keep ticking: animation, a queued recipe, or a message waiting to go away.
    public var wantsTicks: Bool {
        isAnimating || statusExpiresAt != nil || (!queuedLines.isEmpty && !paused) || fillSuggestionWhenReady || (!typedAhead.isEmpty && !paused)
    }

    /// `learn`: the missions on offer (the built-in ones unless given; the app passes none and reads them after
    /// its first frame).
    public init(size: Size, learn: LearnState = LearnState()) {
        self.size = size
        self.learn = learn
        transcript = [TranscriptLine(.local, "Type `connect` to begin an SMTP session with smtp.example.com.")]
    }

    public static let minimumSize = Size(width: 40, height: 10)
    public var isTooSmall: Bool { size.width < Self.minimumSize.width || size.height < Self.minimumSize.height }
    /// The wide layout shows flow, commands and the main pane at once.
    public var isWide: Bool { size.width >= 100 && size.height >= 30 }

    /// The state of the connection as the indicator shows it.
    public var connectionLabel: String {
        if let watched = live?.watched { return watched.connectionLabel(at: sim.tick) }
        guard let session = sim.session else { return "Offline" }
        // After QUIT the engine has closed at once, but the 221 is still on its way: Closed only once it is seen.
        if session.isClosed { return sim.isAwaitingServer ? "Closing…" : lastServerCode == 421 ? "Connection lost" : "Closed" }
        if !visibleGreeting { return "Connecting…" }
        if visibleAuthenticated { return "Authenticated" }
        if visibleTLS { return "TLS" }
        return "Connected"
    }

    // What the learner has *seen* so far (replies arrive after their travel time).
    public var visibleGreeting = false
    public var visibleTLS = false
    public var visibleAuthenticated = false
    public var lastServerCode: Int?
    /// The transcript the terminal pane shows: the learner's own, or the real client's being watched.
    public var shownTranscript: [TranscriptLine] {
        if let watched = live?.watched { return watched.visibleLines(at: sim.tick) }
        return transcript
    }
    /// Whether the link the learner's client uses is drawn encrypted (the watched real client's, when watching).
    public var shownLinkSecure: Bool {
        if let watched = live?.watched { return watched.isSecure(at: sim.tick) }
        return visibleTLS && sim.isConnected
    }

    /// Messages visible in Bob's mailbox (at mx.domain.com).
    public var inboxCount: Int { sim.mailbox("bob@domain.com").count }

    public var visibleCodes: [StatusCodeEntry] {
        StatusCatalogue.all.filter { codeFilter == nil || $0.replyClass == codeFilter }
    }

    /// Whether anything moves: the runtime ticks only then.
    public var isAnimating: Bool { (sim.isBusy && !paused && demo?.blanked != true && !demoHolds) || demoNeedsTicks }

    mutating func advanceSimulation(realTicks: Int) -> [SimulationOutput] {
        uptime += realTicks
        guard !paused else { return [] }
        let quarters = realTicks * speedQuarters + tickRemainder
        tickRemainder = quarters % 4
        guard demo != nil else { return sim.advanceAll(by: quarters / 4) }
        // Presenting: tick by tick, so the world stops exactly where the step ends (as Next rebuilds it).
        var outputs: [SimulationOutput] = []
        for _ in 0..<(quarters / 4) where !demoHolds { outputs += sim.advanceAll(by: 1) }
        return outputs
    }
}
