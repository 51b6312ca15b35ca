// Big letters for the presenter's banner, readable from the back of a room: five rows of full blocks, or three rows
// of half blocks (▀ ▄ █) when the terminal is short. Only what banners show: A–Z, 0–9 and a little punctuation.

enum BlockLetters {
    /// Each glyph: five rows, "#" for a filled cell.
    static let glyphs: [Character: [String]] = [
        "A": [" ### ", "#   #", "#####", "#   #", "#   #"], "B": ["#### ", "#   #", "#### ", "#   #", "#### "],
        "C": [" ####", "#    ", "#    ", "#    ", " ####"], "D": ["#### ", "#   #", "#   #", "#   #", "#### "],
        "E": ["#####", "#    ", "#### ", "#    ", "#####"], "F": ["#####", "#    ", "#### ", "#    ", "#    "],
        "G": [" ####", "#    ", "#  ##", "#   #", " ####"], "H": ["#   #", "#   #", "#####", "#   #", "#   #"],
        "I": ["###", " # ", " # ", " # ", "###"], "J": ["  ###", "   # ", "   # ", "#  # ", " ##  "],
        "K": ["#   #", "#  # ", "###  ", "#  # ", "#   #"], "L": ["#    ", "#    ", "#    ", "#    ", "#####"],
        "M": ["#   #", "## ##", "# # #", "#   #", "#   #"], "N": ["#   #", "##  #", "# # #", "#  ##", "#   #"],
        "O": [" ### ", "#   #", "#   #", "#   #", " ### "], "P": ["#### ", "#   #", "#### ", "#    ", "#    "],
        "Q": [" ### ", "#   #", "# # #", "#  # ", " ## #"], "R": ["#### ", "#   #", "#### ", "#  # ", "#   #"],
        "S": [" ####", "#    ", " ### ", "    #", "#### "], "T": ["#####", "  #  ", "  #  ", "  #  ", "  #  "],
        "U": ["#   #", "#   #", "#   #", "#   #", " ### "], "V": ["#   #", "#   #", "#   #", " # # ", "  #  "],
        "W": ["#   #", "#   #", "# # #", "## ##", "#   #"], "X": ["#   #", " # # ", "  #  ", " # # ", "#   #"],
        "Y": ["#   #", " # # ", "  #  ", "  #  ", "  #  "], "Z": ["#####", "   # ", "  #  ", " #   ", "#####"],
        "0": [" ### ", "#  ##", "# # #", "##  #", " ### "], "1": [" # ", "## ", " # ", " # ", "###"],
        "2": [" ### ", "#   #", "  ## ", " #   ", "#####"], "3": ["#### ", "    #", " ### ", "    #", "#### "],
        "4": ["#  # ", "#  # ", "#####", "   # ", "   # "], "5": ["#####", "#    ", "#### ", "    #", "#### "],
        "6": [" ### ", "#    ", "#### ", "#   #", " ### "], "7": ["#####", "    #", "   # ", "  #  ", "  #  "],
        "8": [" ### ", "#   #", " ### ", "#   #", " ### "], "9": [" ### ", "#   #", " ####", "    #", " ### "],
        ".": ["  ", "  ", "  ", "  ", "##"], "-": ["    ", "    ", "####", "    ", "    "], " ": ["   ", "   ", "   ", "   ", "   "],
        "?": [" ### ", "#   #", "  ## ", "     ", "  #  "], "!": ["#", "#", "#", " ", "#"], ":": [" ", "#", " ", "#", " "],
        "<": ["   #", "  # ", " #  ", "  # ", "   #"], ">": ["#   ", " #  ", "  # ", " #  ", "#   "],
        "@": [" ### ", "# ###", "# # #", "# ## ", " ####"],
    ]

    /// The text in five rows of "█" (one blank column between letters); characters without a glyph are skipped.
    static func rows(_ text: String) -> [String] {
        var rows = Array(repeating: "", count: 5)
        for ch in text.uppercased() {
            guard let g = glyphs[ch] else { continue }
            for r in 0..<5 {
                if !rows[r].isEmpty { rows[r] += " " }
                rows[r] += g[r].map { $0 == "#" ? "█" : " " }
            }
        }
        return rows
    }

    /// The same in three rows of half blocks: rows 1+2, 3+4, and 5 over nothing.
    static func halfRows(_ text: String) -> [String] {
        let full = rows(text).map { Array($0) }
        guard let width = full.first?.count, width > 0 else { return [] }
        func pair(_ top: [Character], _ bottom: [Character]?) -> String {
            String((0..<width).map { i -> Character in
                let t = top[i] == "█", b = bottom.map { $0[i] == "█" } ?? false
                return t && b ? "█" : t ? "▀" : b ? "▄" : " "
            })
        }
        return [pair(full[0], full[1]), pair(full[2], full[3]), pair(full[4], nil)]
    }

    static func width(_ text: String) -> Int { rows(text).first?.count ?? 0 }
}
