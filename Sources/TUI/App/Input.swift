// Input as values: keys, mouse events and the actions `update` consumes. The backend turns terminal input into
// these; tests build them directly.
import SMTPCore

public enum Key: Equatable, Sendable, Hashable {
    case char(Character)
    case enter, escape, tab, backTab
    case up, down, left, right, home, end, pageUp, pageDown
    case backspace, delete
    /// Ctrl plus a letter, lower-case: .ctrl("c").
    case ctrl(Character)
    case function(Int)

    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .ctrl(let c): return "Ctrl-\(String(c).uppercased())"
        case .function(let n): return "F\(n)"
        }
    }
}

public struct MouseEvent: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case press, release, wheelUp, wheelDown }
    public var kind: Kind
    /// 0-based cell coordinates.
    public var x: Int, y: Int
    public init(_ kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}

public enum Action: Equatable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case paste(String)
    case resize(Size)
    /// `ticks` of simulation time passed (60 per second at normal speed).
    case tick(Int)
    /// News from the app's own listener about a real client's session.
    case live(LiveEvent)
}

/// What `update` asks the runtime to do; performed outside the pure update.
public enum Effect: Equatable, Sendable {
    case quit
    /// Copy to the system clipboard with OSC 52.
    case copyToClipboard(String)
    /// Switch to the next theme (the runtime owns theme files).
    case cycleTheme
    /// Run a code example (by id) against the app's own listener, starting the listener if needed.
    case runExample(String)
    /// Read the Maildir again (the mailboxes popup opened).
    case refreshMaildir
    /// Save the learner's progress (a mission passed, a hint taken, a quiz answered).
    case saveProgress(LearnProgress)
    /// The app's listener answers new connections with these directed failures (a live mission's injections).
    case setDirectedFailures([DirectedFailure])
}
