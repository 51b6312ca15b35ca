import SMTPCore

// One key table drives the hint bar and the help overlay; `update` dispatches the same keys, and a test presses
// every key listed here in its context to prove the two never disagree.

public struct Binding: Sendable {
    public let keys: [Key]
    /// Where it applies, as shown in the help overlay.
    public let context: String
    public let help: String
    /// Shown in the bottom bar (short label) when non-nil.
    public let hint: String?
}

public enum KeyMap {
    public static let bindings: [Binding] = [
        Binding(keys: [.tab], context: "Anywhere", help: "Next pane (in the input line: fill the suggestion, or complete an address after “<”; it never leaves the line)", hint: "pane"),
        Binding(keys: [.backTab], context: "Anywhere", help: "Previous pane", hint: nil),
        Binding(keys: [.char("1"), .char("2"), .char("3"), .char("4"), .char("5"), .char("6")], context: "Not typing",
                help: "Jump to Flow · Commands · Terminal · Status codes · Code examples · Missions", hint: "sections"),
        Binding(keys: [.function(6)], context: "Anywhere", help: "The Missions: goals the engine judges, with hints and your progress (also `smtp-tui learn`)", hint: nil),
        Binding(keys: [.char("h")], context: "Missions", help: "Show the next hint of the mission being played (three at most)", hint: nil),
        Binding(keys: [.char("n")], context: "Missions", help: "Start the next mission", hint: nil),
        Binding(keys: [.function(2), .char("@")], context: "Anywhere (@ when not typing)", help: "The address book: who lives in this world and what each address teaches; Enter puts one in the input line", hint: "addresses"),
        Binding(keys: [.up, .char("k")], context: "Lists", help: "Move up", hint: nil),
        Binding(keys: [.down, .char("j")], context: "Lists", help: "Move down", hint: "move"),
        Binding(keys: [.pageUp], context: "Lists, transcript", help: "Page up (the transcript scrolls back)", hint: nil),
        Binding(keys: [.pageDown], context: "Lists, transcript", help: "Page down", hint: nil),
        Binding(keys: [.enter], context: "Lists, transcript", help: "Open the selected command, status code or transcript line in full", hint: "open"),
        Binding(keys: [.escape], context: "Anywhere", help: "Close a popup, or leave the input line so single keys work", hint: "back"),
        Binding(keys: [.char("i")], context: "Not typing", help: "Type in the terminal again (also 3 or a click on it)", hint: "type"),
        Binding(keys: [.right], context: "Typing, empty line", help: "Accept the suggested next command", hint: nil),
        Binding(keys: [.char("t")], context: "Command popup", help: "Try it: put the example in the input line", hint: nil),
        Binding(keys: [.char("b")], context: "Not typing", help: "Open the mailboxes: Bob's, Alice's with her bounces, and the rest (or click a mailbox)", hint: "mailboxes"),
        Binding(keys: [.char("r")], context: "Not typing", help: "Open the relay hop: smtp.example.com's own SMTP session with the MX, and its DNS lookup (or click the hop)", hint: "relay"),
        Binding(keys: [.char("d")], context: "Not typing", help: "Present a lesson story step by step (a menu; or start with --demo NAME)", hint: "demo"),
        Binding(keys: [.char("p")], context: "Not typing", help: "Pause or resume the animation", hint: "pause"),
        Binding(keys: [.char("+")], context: "Not typing", help: "Animate faster", hint: nil),
        Binding(keys: [.char("-")], context: "Not typing", help: "Animate slower", hint: nil),
        Binding(keys: [.char("c")], context: "Not typing", help: "Show or hide the C:/S: prefixes", hint: nil),
        Binding(keys: [.char("f")], context: "Status codes", help: "Cycle the class filter: all, 2xx, 3xx, 4xx, 5xx (a: all)", hint: nil),
        Binding(keys: [.char("n"), .char("]")], context: "Code examples", help: "Next language", hint: nil),
        Binding(keys: [.char("["), .char("N")], context: "Code examples", help: "Previous language", hint: nil),
        Binding(keys: [.right, .left], context: "Code examples", help: "Scroll long code lines sideways", hint: nil),
        Binding(keys: [.char("y")], context: "Code examples", help: "Copy the example to the clipboard (OSC 52)", hint: nil),
        Binding(keys: [.char("x")], context: "Code examples", help: "Run it: run the example for real against the app's own listener and watch its session", hint: nil),
        Binding(keys: [.ctrl("n")], context: "Live (--listen or Run it)", help: "Watch the next session: each real client's in turn, then your own again (or click its tab; ] and [ step when not typing)", hint: nil),
        Binding(keys: [.ctrl("p")], context: "Live (--listen or Run it)", help: "Back to your own session", hint: nil),
        Binding(keys: [.char("T")], context: "Not typing", help: "Next theme (the header shows its name)", hint: "theme"),
        Binding(keys: [.char("?")], context: "Not typing", help: "This help", hint: "help"),
        Binding(keys: [.char("q")], context: "Not typing", help: "Quit", hint: "quit"),
        Binding(keys: [.ctrl("c")], context: "Anywhere", help: "Quit", hint: nil),
    ]

    /// Editing keys of the input line, listed in the help overlay.
    public static let editingHelp: [(String, String)] = [
        ("←/→, Home/End, Ctrl-A/E", "Move the cursor"),
        ("Backspace/Del, Ctrl-U/K/W", "Delete a character, to start, to end, a word"),
        ("↑/↓", "Previous/next line from history"),
        ("Enter", "Send the line (local commands: connect [HOST], disconnect, clear, reset, scenario NAME, help); while a reply is on its way the line waits for it, as a careful client does"),
        ("Ctrl-T", "Send the line at once, without waiting for the reply before it (pipelining, RFC 2920: only where the server allows it)"),
        ("Tab", "Fill the Next: suggestion (Enter then sends it, even before the reply is in), or complete an address after “<”"),
        ("Mouse", "Click a pane to focus it, an item to select it, again to open; wheel scrolls"),
    ]
}
