// How many terminal cells a character takes: 2 for East Asian wide and emoji, 0 for lone combining marks,
// 1 otherwise. A compact table of the wide ranges (Unicode 15), enough for CJK, Hangul, fullwidth forms and emoji.

public enum TextWidth {
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
        0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    public static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        let v = first.value
        if v >= 0x20 && v < 0x7F { return 1 }  // printable ASCII: by far the most common, and no table lookup
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 1 }  // controls are drawn as a replacement, one cell
        // An emoji presentation selector makes a text-default symbol wide.
        if character.unicodeScalars.count > 1, character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if v >= 0x1100 {
            var lo = 0, hi = wideRanges.count - 1
            while lo <= hi {
                let mid = (lo + hi) / 2
                if wideRanges[mid].upperBound < v { lo = mid + 1 } else if wideRanges[mid].lowerBound > v { hi = mid - 1 } else { return 2 }
            }
        }
        // A grapheme that is only a combining mark takes no cell; the Unicode lookup runs only in the mark blocks.
        let markBlocks: [ClosedRange<UInt32>] = [0x0300...0x036F, 0x0483...0x0489, 0x0591...0x05C7, 0x0610...0x061A,
                                                 0x064B...0x065F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F]
        if markBlocks.contains(where: { $0.contains(v) }) {
            return first.properties.generalCategory == .nonspacingMark ? 0 : 1
        }
        return 1
    }

    public static func width(of text: some StringProtocol) -> Int {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        return text.reduce(0) { $0 + width(of: $1) }
    }

    /// The longest prefix of `text` that fits in `cells`.
    public static func prefix(_ text: some StringProtocol, fitting cells: Int) -> String {
        var used = 0, out = ""
        for ch in text {
            let w = width(of: ch)
            if used + w > cells { break }
            used += w; out.append(ch)
        }
        return out
    }

    /// The one way text is cut: whole when it fits, else the longest prefix that leaves room for "…" plus "…", so a
    /// cut never passes silently. (In --ascii the ellipsis becomes "...".)
    public static func truncated(_ text: some StringProtocol, fitting cells: Int) -> String {
        guard cells > 0 else { return "" }
        if width(of: text) <= cells { return String(text) }
        return prefix(text, fitting: cells - 1) + "…"
    }

    /// Tabs replaced by spaces up to the next stop (every `stop` cells from the start of the text).
    public static func expandingTabs(_ text: some StringProtocol, stop: Int = 4) -> String {
        guard text.utf8.contains(0x09) else { return String(text) }
        var out = "", column = 0
        for ch in text {
            if ch == "\t" {
                let n = stop - column % stop
                out += String(repeating: " ", count: n); column += n
            } else {
                out.append(ch); column += width(of: ch)
            }
        }
        return out
    }
}

