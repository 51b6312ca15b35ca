// From 24-bit theme colours to what the terminal has: the xterm 256-colour cube and grey ramp, then the 16 and 8
// ANSI colours. The terminal's own palette is never redefined; we only pick the nearest index.

public enum ColorDepth: String, Sendable, CaseIterable {
    case none = "no", eight = "8", sixteen = "16", full = "256"
    /// 24-bit: the terminal's terminfo has the RGB capability (direct colour, e.g. TERM=xterm-direct).
    case direct = "24-bit"
}

public enum ColorMapping {
    /// The xterm defaults for the 16 ANSI colours, to find the nearest.
    static let ansi16: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    static func distance(_ a: RGB, _ b: RGB) -> Int {
        // Weighted by how the eye sees (a cheap "redmean" approximation).
        let rm = (a.r + b.r) / 2
        let dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b
        return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
    }

    /// The colour shown for an xterm-256 index.
    public static func rgb(ofIndex i: Int) -> RGB {
        if i < 16 { return ansi16[i] }
        if i >= 232 { let v = 8 + 10 * (i - 232); return RGB(v, v, v) }
        let n = i - 16
        return RGB(cubeLevels[n / 36], cubeLevels[n / 6 % 6], cubeLevels[n % 6])
    }

    /// Nearest index in the 6×6×6 cube (16–231) or the grey ramp (232–255).
    public static func xterm256(_ c: RGB) -> Int {
        func nearestLevel(_ v: Int) -> Int { cubeLevels.indices.min { abs(cubeLevels[$0] - v) < abs(cubeLevels[$1] - v) }! }
        let cube = 16 + 36 * nearestLevel(c.r) + 6 * nearestLevel(c.g) + nearestLevel(c.b)
        let avg = (c.r + c.g + c.b) / 3
        let greyStep = max(0, min(23, (avg - 3) / 10))
        let grey = 232 + greyStep
        return distance(c, rgb(ofIndex: cube)) <= distance(c, rgb(ofIndex: grey)) ? cube : grey
    }

    /// Nearest of the first `count` ANSI colours (8 or 16).
    public static func ansi(_ c: RGB, count: Int) -> Int {
        (0..<count).min { distance(c, ansi16[$0]) < distance(c, ansi16[$1]) }!
    }

    /// The colour index for a depth, or -1 (terminal default) for nil or no colour.
    public static func index(_ c: RGB?, depth: ColorDepth) -> Int {
        guard let c else { return -1 }
        switch depth {
        case .none: return -1
        case .eight: return ansi(c, count: 8)
        case .sixteen: return ansi(c, count: 16)
        case .full: return xterm256(c)
        case .direct: return c.r << 16 | c.g << 8 | c.b
        }
    }
}
