// The in-memory screen: a grid of cells (grapheme + role + emphasis). Views draw here, never into the terminal;
// the ncurses backend copies a finished buffer out, and tests read it back as text and style runs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Cell: Equatable, Sendable {
    /// The grapheme shown; "" in the second cell of a wide character.
    public var text: String
    public var role: Role
    /// Extra emphasis a view asks for on top of the role (the cursor, a pressed button).
    public var reverse: Bool
    public init(text: String = " ", role: Role = .background, reverse: Bool = false) {
        self.text = text; self.role = role; self.reverse = reverse
    }
    public static let blank = Cell()
}

public struct Buffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should be after drawing (the input line), if visible.
    public var cursor: (x: Int, y: Int)? {
        get { cursorX.map { ($0, cursorY) } }
        set { cursorX = newValue?.x; cursorY = newValue?.y ?? 0 }
    }
    private var cursorX: Int?
    private var cursorY = 0
    /// `--ascii`: text drawn with `put` is converted to readable ASCII look-alikes ("§" → "S.", "…" → "...").
    public var ascii = false

    public init(width: Int, height: Int, fill: Role = .background) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: Cell(role: fill), count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Whether row `y` (its first `columns` cells) differs from the same row of `other`, a buffer of the same size.
    /// Here rather than in the backend: compared inside this module the cells are not copied one call at a time,
    /// and a frame of an animation changes only a few rows.
    public func rowDiffers(from other: Buffer, y: Int, columns: Int) -> Bool {
        guard other.width == width, other.height == height, y >= 0, y < height else { return true }
        let start = y * width, end = start + Swift.min(Swift.max(0, columns), width)
        return cells.withUnsafeBufferPointer { mine in
            other.cells.withUnsafeBufferPointer { theirs in
                // Identical bytes are identical cells (short texts live inside the cell), and most rows of an
                // animation frame are: one memcmp settles them. Differing bytes may still be equal cells (the same
                // long text in two allocations, or padding), so those rows are compared cell by cell.
                guard let a = mine.baseAddress, let b = theirs.baseAddress, end > start else { return false }
                if memcmp(a + start, b + start, (end - start) * MemoryLayout<Cell>.stride) == 0 { return false }
                for i in start..<end where mine[i] != theirs[i] { return true }
                return false
            }
        }
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    public static func == (a: Buffer, b: Buffer) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.cursorX == b.cursorX && a.cursorY == b.cursorY
    }

    /// Fills a rect with blanks of a role (clipped).
    public mutating func fill(_ rect: Rect, role: Role) {
        let r = rect.clipped(to: area)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY { for x in r.x..<r.maxX { self[x, y] = Cell(role: role) } }
    }

    /// Writes text from (x, y), clipped to `clip` and to the buffer; returns the x after the last cell written.
    /// Wide characters take two cells and are never cut in half; control characters become "�".
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, role: Role, clip: Rect? = nil, reverse: Bool = false) -> Int {
        if ascii && !text.utf8.allSatisfy({ $0 < 0x80 }) {
            return put(Glyphs.ascii(text), x: x, y: y, role: role, clip: clip, reverse: reverse)
        }
        let bounds = (clip ?? area).clipped(to: area)
        guard y >= bounds.y, y < bounds.maxY else { return x + TextWidth.width(of: text) }
        // Printable ASCII, the common case: one cell per byte, no grapheme breaking.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            var cx = x
            for byte in text.utf8 {
                if cx >= bounds.maxX { return x + text.utf8.count }
                if cx >= bounds.x {
                    clearWideNeighbour(x: cx, y: y)
                    self[cx, y] = Cell(text: Self.asciiStrings[Int(byte)], role: role, reverse: reverse)
                }
                cx += 1
            }
            return cx
        }
        // Tabs become spaces up to the next stop (4 cells from where the text starts), never a replacement glyph.
        if text.utf8.contains(0x09) {  // bytes, not graphemes: this runs for every non-ASCII text drawn
            return put(TextWidth.expandingTabs(text), x: x, y: y, role: role, clip: clip, reverse: reverse)
        }
        // Box drawing, arrows and symbols: scalars that are always a grapheme of their own (no combining marks,
        // joiners or selectors among them), so the text is walked by scalar instead of by grapheme cluster.
        if text.unicodeScalars.allSatisfy(Self.standsAlone) {
            var cx = x
            for scalar in text.unicodeScalars {
                guard place(Character(scalar), at: &cx, y: y, bounds: bounds, role: role, reverse: reverse) else { break }
            }
            return cx
        }
        var cx = x
        for ch in text {
            var shown = ch
            if let v = ch.unicodeScalars.first?.value, v < 0x20 || (0x7F..<0xA0).contains(v) { shown = "\u{FFFD}" }
            guard place(shown, at: &cx, y: y, bounds: bounds, role: role, reverse: reverse) else { break }
        }
        return cx
    }

    /// One grapheme at `cx` (advanced by its width): a wide one takes two cells, or a blank when only one is left.
    /// False once the row's room is used up.
    @inline(__always)
    private mutating func place(_ shown: Character, at cx: inout Int, y: Int, bounds: Rect, role: Role, reverse: Bool) -> Bool {
        let w = TextWidth.width(of: shown)
        if w == 0 { return true }
        if cx >= bounds.maxX { return false }
        if cx >= bounds.x {
            if w == 2 && cx + 1 >= bounds.maxX { self[cx, y] = Cell(text: " ", role: role, reverse: reverse); return false }
            clearWideNeighbour(x: cx, y: y)
            self[cx, y] = Cell(text: String(shown), role: role, reverse: reverse)
            if w == 2 {
                clearWideNeighbour(x: cx + 1, y: y)
                self[cx + 1, y] = Cell(text: "", role: role, reverse: reverse)
            }
        }
        cx += w
        return true
    }

    /// For terminals that cannot show Unicode (`--ascii`, non-UTF-8 locales): every cell becomes ASCII. Text drawn
    /// with `put` was already converted whole (so "…" became "..."); this catches cells set one by one.
    public mutating func asciify() {
        for i in cells.indices where !cells[i].text.isEmpty && !cells[i].text.utf8.allSatisfy({ $0 < 0x80 }) {
            cells[i].text = String(Glyphs.ascii(cells[i].text).first ?? "?")
        }
        for i in cells.indices where cells[i].text.isEmpty { cells[i].text = " " }  // a wide character's second half
    }

    /// Printable ASCII, Latin-1 and Latin Extended, general punctuation without the joiners, and U+2100–U+2BFF
    /// (letterlike symbols, arrows, maths, box drawing, blocks, shapes, dingbats): none of these combines with its
    /// neighbours (UAX #29), and none is a control.
    private static func standsAlone(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0xA0...0x2FF, 0x2010...0x2027, 0x2030...0x205E, 0x2070...0x20CF, 0x2100...0x2BFF: return true
        default: return false
        }
    }

    /// One-character strings for ASCII, made once.
    static let asciiStrings: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    /// Overwriting half of a wide character must not leave the other half dangling.
    /// Called for every cell written, so it first looks at the UTF-8 length: only an empty cell (a wide character's
    /// second half) or one of three or more bytes (every wide character is U+1100 or above) can have a half to clear.
    private mutating func clearWideNeighbour(x: Int, y: Int) {
        let i = y * width + x
        let bytes = cells[i].text.utf8.count
        if bytes == 0 {
            if x > 0 { cells[i - 1].text = " " }
        } else if bytes >= 3, x + 1 < width, cells[i + 1].text.isEmpty, TextWidth.width(of: cells[i].text) == 2 {
            cells[i + 1].text = " "
        }
    }

    /// Draws text cut with an ellipsis to `width` cells (never silently): the one truncation for labels and rows.
    @discardableResult
    public mutating func putTruncated(_ text: some StringProtocol, x: Int, y: Int, width: Int, role: Role, reverse: Bool = false) -> Int {
        let limit = max(0, Swift.min(width, self.width - x))
        let shown = ascii ? Glyphs.ascii(text) : String(text)
        guard TextWidth.width(of: shown) > limit else { return put(shown, x: x, y: y, role: role, reverse: reverse) }
        let cut = ascii ? TextWidth.prefix(shown, fitting: max(0, limit - 3)) + String("...".prefix(limit))
                        : TextWidth.truncated(shown, fitting: limit)
        return put(cut, x: x, y: y, role: role, reverse: reverse)
    }

    /// Changes the role of cells in a rect without touching their text (selection highlight).
    public mutating func restyle(_ rect: Rect, role: Role, reverse: Bool = false) {
        let r = rect.clipped(to: area)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY { for x in r.x..<r.maxX { self[x, y].role = role; self[x, y].reverse = reverse } }
    }

    // MARK: - Reading back (tests, snapshots)

    /// The text of one row, wide characters once, trailing spaces kept.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        return (0..<width).map { self[$0, y].text }.joined()
    }

    /// All rows joined by newlines, trailing spaces trimmed per row.
    public var text: String {
        (0..<height).map { String(line($0).reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }

    /// Style runs per row: "y: x-x role" wherever the role or reverse flag changes (ratatui-style debug format).
    public var styleRuns: String {
        var out: [String] = []
        for y in 0..<height {
            var runs: [String] = []
            var start = 0
            for x in 1...width where x == width || self[x, y].role != self[start, y].role || self[x, y].reverse != self[start, y].reverse {
                let c = self[start, y]
                runs.append("\(start)-\(x - 1) \(c.role.rawValue)\(c.reverse ? " rev" : "")")
                start = x
            }
            out.append("\(y): " + runs.joined(separator: ", "))
        }
        return out.joined(separator: "\n")
    }

    /// Finds the first (x, y) where `needle` starts, for tests and hit checks.
    public func find(_ needle: String) -> (x: Int, y: Int)? {
        let target = Array(needle)
        for y in 0..<height {
            for x in 0..<width where !self[x, y].text.isEmpty {
                var collected: [Character] = []
                var cx = x
                while cx < width && collected.count < target.count {
                    collected.append(contentsOf: self[cx, y].text)
                    cx += 1
                }
                if collected.starts(with: target) { return (x, y) }
            }
        }
        return nil
    }
}

extension Rect {
    public func clipped(to other: Rect) -> Rect {
        let nx = max(x, other.x), ny = max(y, other.y)
        return Rect(x: nx, y: ny, width: min(maxX, other.maxX) - nx, height: min(maxY, other.maxY) - ny)
    }
}
