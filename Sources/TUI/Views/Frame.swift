// The root view: lays out the panes for the terminal's size and draws every one into a Buffer, recording a hit
// map (which rect is which clickable thing) so mouse events resolve against what was actually drawn.
import SMTPCore

public enum PopupButton: Equatable, Sendable { case tryIt, close }

public enum HitTarget: Equatable, Sendable {
    case tab(Section)
    case pane(Section)
    case commandRow(Int)
    case codeRow(Int)
    case codeFilter(ReplyClass?)
    case exampleTab(Int)
    case copyExample
    /// "Run it": the shown example against the app's own listener.
    case runExample
    /// A session's tab in live mode: nil is the learner's own.
    case liveTab(Int?)
    case suggestion
    case viewAllCommands
    case flowNode(FlowNode)
    /// The relay hop smtp.example.com → MX: opens its transcript.
    case relayHop
    case transcriptLine(Int)
    case popupBody
    case popupButton(PopupButton)
    /// A mission in the Missions list (an index into `learn.missions`).
    case missionRow(Int)
    /// A choice of the quiz question shown.
    case quizChoice(Int)
    /// A row of the address book.
    case addressRow(Int)
    /// A header field of a message in the mailboxes popup (counted over every message shown).
    case headerField(Int)
}

public struct Hit: Equatable, Sendable {
    public let rect: Rect
    public let target: HitTarget
}

public struct Frame {
    public var buffer: Buffer
    public var hits: [Hit] = []
    public let ascii: Bool

    init(size: Size, ascii: Bool) {
        buffer = Buffer(width: size.width, height: size.height)
        buffer.ascii = ascii
        self.ascii = ascii
    }

    mutating func hit(_ rect: Rect, _ target: HitTarget) {
        let r = rect.clipped(to: buffer.area)
        if !r.isEmpty { hits.append(Hit(rect: r, target: target)) }
    }

    /// A pane's border: heavy and in the focus role when focused, so focus shows without colour too.
    mutating func pane(_ rect: Rect, title: String, focused: Bool) -> Rect {
        let glyphs: BoxGlyphs = ascii ? (focused ? .asciiFocus : .ascii) : (focused ? .heavy : .light)
        return buffer.box(rect, title: focused ? "▶ \(title)" : title, role: focused ? .focus : .border, glyphs: glyphs)
    }

    /// Draws the whole screen for a state.
    public static func render(_ state: AppState) -> Frame {
        var frame = Frame(size: state.size, ascii: state.ascii)
        let area = frame.buffer.area
        if state.isTooSmall {
            frame.tooSmall(state)
            return frame
        }
        if state.presenter {
            frame.presenter(state, area)
            if let popup = state.popup { frame.popup(popup, state) }
            if state.ascii { frame.buffer.asciify() }
            return frame
        }
        let rows = area.split(.vertical, [.fixed(1), .fill, .fixed(1)])
        frame.header(state, rows[0])
        frame.hintBar(state, rows[2])
        let body = rows[1]
        if state.isWide {
            // The journey gets the rows it can use: the full chain from 34 rows of body, growing to 24 rows.
            let flowRows = body.height >= 34 ? min(24, max(JourneyDrawing.fullHeight + 2, body.height * 2 / 5)) : 7
            let parts = body.split(.vertical, [.fixed(flowRows), .fill])
            frame.flow(state, parts[0], compact: flowRows < JourneyDrawing.fullHeight + 2)
            if area.width >= 160 {
                // Room for the session and a reference beside it: the status codes next to the terminal (or the
                // terminal next to the codes or examples when one of those is the main pane).
                let columns = parts[1].split(.horizontal, [.percent(22), .fill, .percent(34)])
                frame.commandList(state, columns[0])
                frame.main(state, columns[1])
                if state.mainSection == .terminal { frame.statusCodes(state, columns[2]) } else { frame.terminal(state, columns[2]) }
            } else {
                let columns = parts[1].split(.horizontal, [.percent(30), .fill])
                frame.commandList(state, columns[0])
                frame.main(state, columns[1])
            }
        } else {
            let showFlow = body.height >= 18 && state.focus != .flow
            let parts = showFlow ? body.split(.vertical, [.fixed(7), .fill]) : [Rect.zero, body]
            if showFlow { frame.flow(state, parts[0], compact: true) }
            switch state.focus {
            case .flow: frame.flow(state, parts[1])
            case .commands: frame.commandList(state, parts[1])
            default: frame.main(state, parts[1])
            }
        }
        if let popup = state.popup { frame.popup(popup, state) }
        if state.ascii { frame.buffer.asciify() }
        return frame
    }

    mutating func main(_ state: AppState, _ rect: Rect) {
        switch state.mainSection {
        case .codes: statusCodes(state, rect)
        case .examples: examples(state, rect)
        case .missions: missions(state, rect)
        default: terminal(state, rect)
        }
    }

    mutating func tooSmall(_ state: AppState) {
        let min = AppState.minimumSize
        let message = "Please enlarge the terminal to at least \(min.width)×\(min.height) (now \(state.size.width)×\(state.size.height)). q quits."
        let lines = Wrap.lines(message, width: max(1, buffer.width))
        let top = max(0, (buffer.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < buffer.height {
            let x = max(0, (buffer.width - TextWidth.width(of: line)) / 2)
            buffer.put(line, x: x, y: top + i, role: .text)
        }
    }

    mutating func header(_ state: AppState, _ rect: Rect) {
        buffer.fill(rect, role: .header)
        var x = rect.x
        // Narrow terminals drop the banner and tighten the tabs so all five stay clickable.
        let narrow = rect.width < 70
        if !narrow { x = buffer.put(" smtp-tui ", x: x, y: rect.y, role: .banner, clip: rect) }
        let long = rect.width >= 100
        for section in Section.allCases {
            let name = long ? section.title : section.shortTitle
            let label = narrow ? "\(section.rawValue) \(name) " : " \(section.rawValue) \(name) "
            let active = state.focus == section
            let start = x
            x = buffer.put(label, x: x, y: rect.y, role: active ? .headerActive : .header, clip: rect, reverse: false)
            hit(Rect(x: start, y: rect.y, width: x - start, height: 1), .tab(section))
            if long { x = buffer.put("·", x: x, y: rect.y, role: .header, clip: rect) }
        }
        let right = " theme: \(state.themeName) "
        let rx = rect.maxX - TextWidth.width(of: right)
        if rx > x { buffer.put(right, x: rx, y: rect.y, role: .header, clip: rect) }
    }

    mutating func hintBar(_ state: AppState, _ rect: Rect) {
        buffer.fill(rect, role: .keyhint)
        if let status = state.status {
            buffer.putTruncated(" " + status.text, x: rect.x, y: rect.y, width: rect.width, role: status.isError ? .statusError : .statusOK)
            return
        }
        var x = rect.x + 1
        let items: [(String, String)]
        if state.popup != nil {
            items = [("Esc", "close"), ("↑↓", "scroll")] + (state.popup.map(Frame.hasTryIt) == true ? [("t", "try it")] : [])
        } else if state.typing && state.focus == .terminal {
            items = [("Enter", "send"), ("Tab", "suggestion"), ("↑↓", "history"), ("Esc", "leave input"), ("Ctrl-C", "quit"), ("F2", "addresses")]
        } else {
            // Help and quit first, so they survive a narrow terminal.
            let all = KeyMap.bindings.compactMap { b in b.hint.map { (b.keys.count > 1 && b.keys.first == .char("1") ? "1-6" : b.keys[0].label, $0) } }
            items = all.filter { ["?", "q"].contains($0.0) } + all.filter { !["?", "q"].contains($0.0) }
        }
        // The last cell stays free (some terminals scroll when it is written). Only whole items: a half key is
        // worse than none, and ? (first) lists them all.
        let end = rect.maxX - 1
        for (key, label) in items {
            guard TextWidth.width(of: key) + 1 + TextWidth.width(of: label) <= end - x else { break }
            x = buffer.put(key, x: x, y: rect.y, role: .keyhintKey, clip: rect)
            x = buffer.put(" \(label)  ", x: x, y: rect.y, role: .keyhint, clip: rect)
        }
    }

    static func isCommandPopup(_ popup: Popup?) -> Bool { if case .command? = popup { return true }; return false }
    /// Popups with a "Try it" button: commands (the example goes in the line) and status codes (the recipe runs).
    static func hasTryIt(_ popup: Popup) -> Bool {
        switch popup { case .command, .statusCode: return true; default: return false }
    }
}
