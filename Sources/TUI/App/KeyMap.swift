import SMTPCore

// One key table drives dispatch, the hint bar and the help overlay, so they never disagree.

public enum Command: Equatable, Sendable {
    case quit, help, nextFocus, previousFocus, section(Section), up, down, pageUp, pageDown, open, close
    case cycleTheme, pauseAnimation, faster, slower, togglePrefixes, openInbox, tryIt, copyExample
    case filterCodes(ReplyClass?), focusInput, acceptSuggestion, nextExample, previousExample
}

public struct Binding: Sendable {
    public let keys: [Key]
    public let command: Command
    /// Where it applies, as shown in the help overlay.
    public let context: String
    public let help: String
    /// Shown in the bottom bar (short label) when non-nil.
    public let hint: String?
}

public enum KeyMap {
    public static let bindings: [Binding] = [
        Binding(keys: [.tab], command: .nextFocus, context: "Anywhere", help: "Next pane (in the terminal with an empty line: accept the suggestion)", hint: "pane"),
        Binding(keys: [.backTab], command: .previousFocus, context: "Anywhere", help: "Previous pane", hint: nil),
        Binding(keys: [.char("1"), .char("2"), .char("3"), .char("4"), .char("5")], command: .section(.flow), context: "Not typing",
                help: "Jump to Flow · Commands · Terminal · Status codes · Code examples", hint: "sections"),
        Binding(keys: [.up, .char("k")], command: .up, context: "Lists", help: "Move up", hint: nil),
        Binding(keys: [.down, .char("j")], command: .down, context: "Lists", help: "Move down", hint: "move"),
        Binding(keys: [.pageUp], command: .pageUp, context: "Lists, transcript", help: "Page up (the transcript scrolls back)", hint: nil),
        Binding(keys: [.pageDown], command: .pageDown, context: "Lists, transcript", help: "Page down", hint: nil),
        Binding(keys: [.enter], command: .open, context: "Lists, transcript", help: "Open the selected command, status code or transcript line in full", hint: "open"),
        Binding(keys: [.escape], command: .close, context: "Anywhere", help: "Close a popup, or leave the input line so single keys work", hint: "back"),
        Binding(keys: [.char("i")], command: .focusInput, context: "Not typing", help: "Type in the terminal again (also 3 or a click on it)", hint: "type"),
        Binding(keys: [.right], command: .acceptSuggestion, context: "Typing, empty line", help: "Accept the suggested next command", hint: nil),
        Binding(keys: [.char("t")], command: .tryIt, context: "Command popup", help: "Try it: put the example in the input line", hint: nil),
        Binding(keys: [.char("b")], command: .openInbox, context: "Not typing", help: "Open Bob's inbox (or click the recipient)", hint: "inbox"),
        Binding(keys: [.char("p")], command: .pauseAnimation, context: "Not typing", help: "Pause or resume the animation", hint: "pause"),
        Binding(keys: [.char("+")], command: .faster, context: "Not typing", help: "Animate faster", hint: nil),
        Binding(keys: [.char("-")], command: .slower, context: "Not typing", help: "Animate slower", hint: nil),
        Binding(keys: [.char("c")], command: .togglePrefixes, context: "Not typing", help: "Show or hide the C:/S: prefixes", hint: nil),
        Binding(keys: [.char("f")], command: .filterCodes(nil), context: "Status codes", help: "Cycle the class filter: all, 2xx, 3xx, 4xx, 5xx (a: all)", hint: nil),
        Binding(keys: [.char("n"), .char("]")], command: .nextExample, context: "Code examples", help: "Next language", hint: nil),
        Binding(keys: [.char("["), .char("N")], command: .previousExample, context: "Code examples", help: "Previous language", hint: nil),
        Binding(keys: [.char("y")], command: .copyExample, context: "Code examples", help: "Copy the example to the clipboard (OSC 52)", hint: nil),
        Binding(keys: [.char("t")], command: .cycleTheme, context: "Not typing", help: "Next theme (the header shows its name)", hint: "theme"),
        Binding(keys: [.char("?")], command: .help, context: "Not typing", help: "This help", hint: "help"),
        Binding(keys: [.char("q")], command: .quit, context: "Not typing", help: "Quit", hint: "quit"),
        Binding(keys: [.ctrl("c")], command: .quit, context: "Anywhere", help: "Quit", hint: nil),
    ]

    /// Editing keys of the input line, listed in the help overlay.
    public static let editingHelp: [(String, String)] = [
        ("←/→, Home/End, Ctrl-A/E", "Move the cursor"),
        ("Backspace/Del, Ctrl-U/K/W", "Delete a character, to start, to end, a word"),
        ("↑/↓", "Previous/next line from history"),
        ("Enter", "Send the line (local commands: connect, disconnect, clear, reset, scenario NAME, help)"),
        ("Mouse", "Click a pane to focus it, an item to select it, again to open; wheel scrolls"),
    ]
}
