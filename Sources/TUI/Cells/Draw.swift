// Drawing helpers on top of Buffer: boxes (Unicode or ASCII), wrapped text, lists.
import Synchronization

public struct BoxGlyphs: Sendable {
    public let h, v, tl, tr, bl, br: String
    public static let light = BoxGlyphs(h: "─", v: "│", tl: "╭", tr: "╮", bl: "╰", br: "╯")
    public static let heavy = BoxGlyphs(h: "━", v: "┃", tl: "┏", tr: "┓", bl: "┗", br: "┛")
    public static let ascii = BoxGlyphs(h: "-", v: "|", tl: "+", tr: "+", bl: "+", br: "+")
    public static let asciiFocus = BoxGlyphs(h: "=", v: "#", tl: "#", tr: "#", bl: "#", br: "#")
}

extension Buffer {
    /// A box with a title in its top edge; returns the inner rect.
    @discardableResult
    public mutating func box(_ rect: Rect, title: String = "", role: Role, titleRole: Role? = nil, glyphs: BoxGlyphs) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { fill(rect, role: role); return .zero }
        let top = rect.y, bottom = rect.maxY - 1, left = rect.x, right = rect.maxX - 1
        // Box glyphs are one cell wide: set cells directly (this runs for every pane on every frame).
        let bounds = area
        func set(_ glyph: String, _ x: Int, _ y: Int) {
            if bounds.contains(x: x, y: y) { self[x, y] = Cell(text: glyph, role: role) }
        }
        for x in (left + 1)..<right { set(glyphs.h, x, top); set(glyphs.h, x, bottom) }
        for y in (top + 1)..<bottom { set(glyphs.v, left, y); set(glyphs.v, right, y) }
        put(glyphs.tl, x: left, y: top, role: role); put(glyphs.tr, x: right, y: top, role: role)
        put(glyphs.bl, x: left, y: bottom, role: role); put(glyphs.br, x: right, y: bottom, role: role)
        if !title.isEmpty && rect.width > 4 {
            let shown = TextWidth.prefix(" \(title) ", fitting: rect.width - 4)
            put(shown, x: left + 2, y: top, role: titleRole ?? role)
        }
        return rect.inset(1)
    }

    /// Wraps text to the rect's width at spaces (hard-breaking words that are too long) and draws from `skip` lines
    /// down. Returns the number of wrapped lines in total.
    @discardableResult
    public mutating func wrapped(_ text: String, in rect: Rect, role: Role, skip: Int = 0) -> Int {
        let lines = Wrap.lines(text, width: rect.width)
        for (i, line) in lines.dropFirst(skip).prefix(rect.height).enumerated() {
            put(line, x: rect.x, y: rect.y + i, role: role, clip: rect)
        }
        return lines.count
    }
}

public enum Wrap {
    /// How far continuation lines should hang for a line that starts with a label: after "C: ", "S: ", "D: " or
    /// "· ", or after a padded first column ("Tab            Next pane" → under "Next"). 0 when there is none.
    public static func labelWidth(_ text: String) -> Int {
        let body = text.drop { $0 == " " }
        for prefix in ["C: ", "S: ", "D: ", "·  ", "· "] where body.hasPrefix(prefix) { return prefix.count }
        // A first column: a word (or words) followed by a run of at least two spaces, within the first 30 cells.
        let head = Array(body.prefix(30))
        var i = 0
        while i + 1 < head.count {
            if head[i] == " " && head[i + 1] == " " && i > 0 {
                var j = i
                while j < head.count && head[j] == " " { j += 1 }
                return j < head.count ? j : 0
            }
            i += 1
        }
        return 0
    }

    /// Word-wraps each paragraph (split on "\n") to `width` cells, keeping a paragraph's leading indentation.
    /// `hanging`: continuation lines start this many cells further in than the first (under the text after a
    /// prefix such as "C: " or a key column), so a wrapped line never reads as a new one.
    public static func lines(_ text: String, width: Int, hanging: Int = 0) -> [String] {
        guard width > 0 else { return [] }
        // An animation redraws the same transcript and captions thirty times a second: wrap each text once.
        let key = WrapKey(text: text, width: width, hanging: hanging)
        if let known = cache.withLock({ $0[key] }) { return known }
        let out = wrapped(text, width: width, hanging: hanging)
        cache.withLock {
            if $0.count >= 2_048 { $0.removeAll(keepingCapacity: true) }  // bounded: a long session never grows it
            $0[key] = out
        }
        return out
    }

    private struct WrapKey: Hashable { let text: String, width: Int, hanging: Int }
    private static let cache = Mutex<[WrapKey: [String]]>([:])

    private static func wrapped(_ text: String, width: Int, hanging: Int) -> [String] {
        var out: [String] = []
        for paragraph in TextWidth.expandingTabs(text).split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = min(paragraph.prefix { $0 == " " }.count, max(0, width - 1))
            var pad = String(repeating: " ", count: indent)
            var line = pad, lineWidth = indent, empty = true
            // After the first line, continuation lines hang under the text (never leaving less than half the width).
            let hang = hanging > 0 ? max(indent, min(indent + hanging, width / 2)) : indent
            func flush() {
                out.append(line)
                pad = String(repeating: " ", count: hang)
                line = pad; lineWidth = hang; empty = true
            }
            for word in paragraph.dropFirst(indent).split(separator: " ", omittingEmptySubsequences: false) {
                var w = String(word)
                var ww = TextWidth.width(of: w)
                if !empty && lineWidth + 1 + ww > width { flush() }
                while ww > width - lineWidth - (empty ? 0 : 1) && ww > 0 {  // longer than the room: hard break
                    let room = width - lineWidth - (empty ? 0 : 1)
                    let head = TextWidth.prefix(w, fitting: max(0, room))
                    if head.isEmpty { if empty { break } else { flush(); continue } }
                    line += (empty ? "" : " ") + head
                    lineWidth += (empty ? 0 : 1) + TextWidth.width(of: head)
                    empty = false
                    flush()
                    w = String(w.dropFirst(head.count)); ww = TextWidth.width(of: w)
                }
                if !empty { line += " "; lineWidth += 1 }
                line += w; lineWidth += ww; empty = false
            }
            out.append(line)
        }
        return out
    }
}
