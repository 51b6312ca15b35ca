// The shapes of the reference catalogue: commands, status codes and code examples are data, shared by the
// engine's tests (which replay them), the popups and the reference views.

/// Where a replayed example starts. Each case is reached by the client lines of `clientLines`, sent to a fresh
/// session with `host` (the submission server smtp.example.com, port 587, unless said otherwise) after its greeting.
public enum SessionPreamble: String, Sendable, CaseIterable {
    /// Just connected: the 220 greeting has been read, nothing sent yet.
    case connected
    /// `EHLO client.example.com` answered, still in plain text.
    case greeted
    /// EHLO, STARTTLS, and EHLO again over the (simulated) TLS channel.
    case secured
    /// `secured` plus a successful `AUTH PLAIN` as alice@example.com.
    case authenticated
    /// `authenticated` plus `MAIL FROM:<alice@example.com>`.
    case mailStarted
    /// `mailStarted` plus `RCPT TO:<bob@domain.com>`.
    case recipientAdded
    /// Connected to domain.com's MX on port 25 (`connect mx.domain.com`), EHLO and `MAIL FROM:<alice@example.com>`:
    /// where domain.com's own mailboxes answer for themselves.
    case mxMailStarted

    /// The server the lines are typed to.
    public var host: String { self == .mxMailStarted ? "mx.domain.com" : "smtp.example.com" }

    public var clientLines: [String] {
        switch self {
        case .connected: return []
        case .greeted: return ["EHLO client.example.com"]
        case .secured: return SessionPreamble.greeted.clientLines + ["STARTTLS", "EHLO client.example.com"]
        case .authenticated: return SessionPreamble.secured.clientLines + ["AUTH PLAIN \(SampleCredentials.plainInitialResponse)"]
        case .mailStarted: return SessionPreamble.authenticated.clientLines + ["MAIL FROM:<alice@example.com>"]
        case .recipientAdded: return SessionPreamble.mailStarted.clientLines + ["RCPT TO:<bob@domain.com>"]
        case .mxMailStarted: return ["EHLO client.example.com", "MAIL FROM:<alice@example.com>"]
        }
    }
}

/// One line of an example exchange as a learner would see it in a transcript.
public enum ExampleLine: Sendable, Equatable {
    /// What the client sends (shown with `C:`).
    case client(String)
    /// What the server answers, one reply line exactly as sent (shown with `S:`), e.g. "250-PIPELINING".
    case server(String)
}

/// A reply a command can get, with why.
public struct ReplyNote: Sendable, Equatable {
    public let code: String      // "550 5.1.1" — basic code, then the enhanced code when there is one
    public let why: String
    public init(_ code: String, _ why: String) { self.code = code; self.why = why }
}

public struct CommandEntry: Sendable, Identifiable {
    /// The verb as typed, e.g. "MAIL FROM" (the list shows `title`).
    public let id: String
    public let title: String
    public let summary: String
    /// Syntax lines, e.g. "MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8]".
    public let syntax: [String]
    /// The state the example starts from; a test replays `preamble` then every `.client` line and requires every
    /// `.server` line, in order, exactly.
    public let preamble: SessionPreamble
    public let example: [ExampleLine]
    /// Paragraphs of explanation, in our own words.
    public let explanation: [String]
    public let replies: [ReplyNote]
    public let related: [String]
    public let rfc: String
    /// The line "Try it" puts in the terminal's input line.
    public let tryIt: String

    public init(id: String, title: String, summary: String, syntax: [String], preamble: SessionPreamble,
                example: [ExampleLine], explanation: [String], replies: [ReplyNote], related: [String],
                rfc: String, tryIt: String) {
        self.id = id; self.title = title; self.summary = summary; self.syntax = syntax; self.preamble = preamble
        self.example = example; self.explanation = explanation; self.replies = replies; self.related = related
        self.rfc = rfc; self.tryIt = tryIt
    }
}

/// How a learner makes the simulation produce a code: a preamble, then (optionally) a scenario switched on, then
/// the lines to type. A test replays every recipe and requires the last reply to carry `StatusCodeEntry.code`.
public struct TriggerRecipe: Sendable, Equatable {
    public let scenario: String?
    public let preamble: SessionPreamble
    public let lines: [String]
    /// Ticks to let pass before the last line (for greylisting); 0 for most.
    public let waitTicksBeforeLast: Int
    public init(scenario: String? = nil, preamble: SessionPreamble, lines: [String], waitTicksBeforeLast: Int = 0) {
        self.scenario = scenario; self.preamble = preamble; self.lines = lines
        self.waitTicksBeforeLast = waitTicksBeforeLast
    }
}

public enum ReplyClass: Int, Sendable, CaseIterable {
    case positiveCompletion = 2, positiveIntermediate = 3, transientNegative = 4, permanentNegative = 5
    public init?(code: Int) { self.init(rawValue: code / 100) }
    public var label: String {
        switch self {
        case .positiveCompletion: return "2xx success"
        case .positiveIntermediate: return "3xx go on"
        case .transientNegative: return "4xx try later"
        case .permanentNegative: return "5xx failed"
        }
    }
}

public struct StatusCodeEntry: Sendable, Identifiable {
    public var id: Int { code }
    public let code: Int
    public let meaning: String
    public let description: String
    /// When the simulation produces this code.
    public let whenSimulated: String
    public let trigger: TriggerRecipe
    /// True for the sixteen codes of the original status table.
    public let inSeedTable: Bool
    public var replyClass: ReplyClass { ReplyClass(code: code)! }

    public init(code: Int, meaning: String, description: String, whenSimulated: String, trigger: TriggerRecipe,
                inSeedTable: Bool) {
        self.code = code; self.meaning = meaning; self.description = description
        self.whenSimulated = whenSimulated; self.trigger = trigger; self.inSeedTable = inSeedTable
    }
}

public enum CodeLanguage: String, Sendable {
    case python, shell, javascript, go, smtpSession
}

public struct CodeExample: Sendable, Identifiable {
    public let id: String          // "python", "swaks", "curl", "node", "go", "openssl"
    public let title: String       // "Python · smtplib"
    public let language: CodeLanguage
    public let code: String
    /// A sentence or two shown under the code: what it does, what to install.
    public let notes: String
    public init(id: String, title: String, language: CodeLanguage, code: String, notes: String) {
        self.id = id; self.title = title; self.language = language; self.code = code; self.notes = notes
    }
}
