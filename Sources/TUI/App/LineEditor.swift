// The terminal pane's input line: a cursor, editing keys as in readline, history, horizontal scrolling.

public struct LineEditor: Equatable, Sendable {
    public private(set) var text: [Character] = []
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    private var historyIndex: Int?
    private var draft: [Character] = []

    public init() {}

    public var string: String { String(text) }
    public var isEmpty: Bool { text.isEmpty }

    public mutating func set(_ s: String) { text = Array(s); cursor = text.count; historyIndex = nil }

    public mutating func insert(_ s: String) {
        for ch in s where ch != "\n" && ch != "\r" {
            text.insert(ch, at: cursor); cursor += 1
        }
        historyIndex = nil
    }

    /// Handles an editing key; returns false when the key is not an editing key.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = text.count
        case .backspace, .ctrl("h"):
            if cursor > 0 { text.remove(at: cursor - 1); cursor -= 1 }
        case .delete, .ctrl("d"):
            if cursor < text.count { text.remove(at: cursor) }
        case .ctrl("u"): text.removeFirst(cursor); cursor = 0
        case .ctrl("k"): text.removeLast(text.count - cursor)
        case .ctrl("w"):
            var start = cursor
            while start > 0 && text[start - 1] == " " { start -= 1 }
            while start > 0 && text[start - 1] != " " { start -= 1 }
            text.removeSubrange(start..<cursor); cursor = start
        case .up: recall(-1)
        case .down: recall(+1)
        case .char(let c): text.insert(c, at: cursor); cursor += 1; historyIndex = nil
        default: return false
        }
        return true
    }

    /// Takes the line (for Enter): stores it in history and clears.
    public mutating func commit() -> String {
        let line = string
        if !line.isEmpty && history.last != line { history.append(line) }
        if history.count > 500 { history.removeFirst(history.count - 500) }
        text = []; cursor = 0; historyIndex = nil
        return line
    }

    private mutating func recall(_ step: Int) {
        guard !history.isEmpty else { return }
        if historyIndex == nil {
            guard step < 0 else { return }
            draft = text
            historyIndex = history.count
        }
        let next = historyIndex! + step
        if next >= history.count { historyIndex = nil; text = draft; cursor = text.count; return }
        historyIndex = max(0, next)
        text = Array(history[historyIndex!]); cursor = text.count
    }

    /// The visible slice for a field `width` cells wide, scrolled so the cursor shows; and the cursor's column.
    public func viewport(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 1 else { return ("", 0) }
        var start = 0
        var widthToCursor = TextWidth.width(of: Self.joined(text[0..<cursor]))
        while widthToCursor > width - 1 && start < cursor {
            widthToCursor -= TextWidth.width(of: text[start]); start += 1
        }
        let shown = TextWidth.prefix(Self.joined(text[start...]), fitting: width)
        return (shown, widthToCursor)
    }

    /// The characters as one String, by a plain loop: `String(slice)` is a generic initialiser left unspecialised
    /// here, and its first call makes the runtime scan every protocol conformance in the binary (before the first frame).
    private static func joined(_ characters: ArraySlice<Character>) -> String {
        var out = ""
        for character in characters { out.append(character) }
        return out
    }
}
