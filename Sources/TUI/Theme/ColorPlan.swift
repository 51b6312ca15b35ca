#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Colours that keep their meaning at every depth. A theme is drawn in 24-bit where the terminal takes it, else in
// 256, 16 or 8 colours; mapping each colour to its nearest alone merged roles (You and 2xx both #005f5f in
// projector). The plan maps per theme instead: background first, then the roles that must stay apart (You /
// Server / Data; 2xx–5xx; sender / server / recipient / TLS), each taking the nearest colour that keeps its
// contrast on its background and a CIEDE2000 distance of at least 10 from the others in its group.

public enum ColorScience {
    /// CIE L*a*b* (D65) of an sRGB colour.
    public static func lab(_ c: RGB) -> (l: Double, a: Double, b: Double) {
        func lin(_ v: Int) -> Double { let s = Double(v) / 255; return s <= 0.04045 ? s / 12.92 : Double.pow((s + 0.055) / 1.055, 2.4) }
        let r = lin(c.r), g = lin(c.g), b = lin(c.b)
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? Double.pow(t, 1.0 / 3) : (24389.0 / 27 * t + 16) / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    /// CIEDE2000 colour difference (kL = kC = kH = 1). About 2.3 is just noticeable; 10 reads as another colour.
    public static func deltaE(_ c1: RGB, _ c2: RGB) -> Double { deltaE(lab: lab(c1), lab(c2)) }

    public static func deltaE(lab p: (l: Double, a: Double, b: Double), _ q: (l: Double, a: Double, b: Double)) -> Double {
        let (l1, a1, b1) = p, (l2, a2, b2) = q
        let rad = Double.pi / 180
        let cBar = ((a1 * a1 + b1 * b1).squareRoot() + (a2 * a2 + b2 * b2).squareRoot()) / 2
        let c7 = Double.pow(cBar, 7)
        let g = 0.5 * (1 - (c7 / (c7 + 6_103_515_625)).squareRoot())
        let a1p = (1 + g) * a1, a2p = (1 + g) * a2
        let c1p = (a1p * a1p + b1 * b1).squareRoot(), c2p = (a2p * a2p + b2 * b2).squareRoot()
        func hue(_ b: Double, _ a: Double) -> Double {
            if a == 0 && b == 0 { return 0 }
            let h = atan2(b, a) / rad
            return h >= 0 ? h : h + 360
        }
        let h1p = hue(b1, a1p), h2p = hue(b2, a2p)
        let dLp = l2 - l1, dCp = c2p - c1p
        var dhp = 0.0
        if c1p * c2p != 0 {
            dhp = h2p - h1p
            if dhp > 180 { dhp -= 360 } else if dhp < -180 { dhp += 360 }
        }
        let dHp = 2 * (c1p * c2p).squareRoot() * sin(dhp / 2 * rad)
        let lBarp = (l1 + l2) / 2, cBarp = (c1p + c2p) / 2
        var hBarp = h1p + h2p
        if c1p * c2p != 0 {
            if abs(h1p - h2p) > 180 { hBarp = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2 } else { hBarp = (h1p + h2p) / 2 }
        }
        let t = 1 - 0.17 * cos((hBarp - 30) * rad) + 0.24 * cos(2 * hBarp * rad) + 0.32 * cos((3 * hBarp + 6) * rad) - 0.20 * cos((4 * hBarp - 63) * rad)
        let hueFrom275 = (hBarp - 275) / 25  // a square, not Double.pow: that one is 0 for a base <= 0
        let dTheta = 30 * exp(-hueFrom275 * hueFrom275)
        let cBarp7 = Double.pow(cBarp, 7)
        let rC = 2 * (cBarp7 / (cBarp7 + 6_103_515_625)).squareRoot()
        let sL = 1 + 0.015 * (lBarp - 50) * (lBarp - 50) / (20 + (lBarp - 50) * (lBarp - 50)).squareRoot()
        let sC = 1 + 0.045 * cBarp, sH = 1 + 0.015 * cBarp * t
        let rT = -sin(2 * dTheta * rad) * rC
        let l = dLp / sL, c = dCp / sC, h = dHp / sH
        return (l * l + c * c + h * h + rT * c * h).squareRoot()
    }
}

public struct ColorPlan: Sendable {
    /// The roles that carry meaning and must stay apart from each other.
    public static let groups: [[Role]] = [
        [.transcriptYou, .transcriptServer, .transcriptData],
        [.reply2xx, .reply3xx, .reply4xx, .reply5xx],
        [.flowSender, .flowServer, .flowRecipient, .flowTLS],
    ]
    /// Lines and frames, not text: WCAG's 3:1 for graphics applies.
    public static let graphicRoles: Set<Role> = [.border, .popupBorder, .background]
    public static let minimumDeltaE = 10.0

    /// Two roles of a group are told apart by colour (CIEDE2000 >= 10) or, where the depth has too few readable
    /// colours, by their modifiers (bold, underline, reverse): never by nothing.
    public static func distinguishable(_ a: Role, _ b: Role, theme: Theme, plan: ColorPlan) -> Bool {
        let sa = theme.style(a), sb = theme.style(b)
        if [sa.bold, sa.underline, sa.reverse] != [sb.bold, sb.underline, sb.reverse] { return true }
        guard let ca = rgb(plan.fg[a] ?? -1, depth: plan.depth), let cb = rgb(plan.fg[b] ?? -1, depth: plan.depth) else { return false }
        return ColorScience.deltaE(ca, cb) >= minimumDeltaE
    }

    public let depth: ColorDepth
    /// Terminal colour per role: an index (256/16/8), a packed 0xRRGGBB (direct), or -1 for the default.
    public private(set) var fg: [Role: Int] = [:]
    public private(set) var bg: [Role: Int] = [:]

    /// Contrast a text role needs: 7:1 in projector (its promise), 4.5:1 elsewhere; 3:1 for lines and frames.
    public static func requiredContrast(_ role: Role, theme: String) -> Double {
        graphicRoles.contains(role) ? 3 : theme == "projector" ? 7 : 4.5
    }

    /// The colour a terminal shows for a planned value.
    public static func rgb(_ value: Int, depth: ColorDepth) -> RGB? {
        guard value >= 0 else { return nil }
        if depth == .direct { return RGB(value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF) }
        return ColorMapping.rgb(ofIndex: value)
    }

    /// Candidates at a depth: the 256-colour cube and greys (not 0–15, whose real colours vary with the user's
    /// palette), or the 16 / 8 ANSI colours as xterm shows them by default.
    static func candidates(_ depth: ColorDepth) -> [Int] {
        switch depth {
        case .full: return Array(16...255)
        case .sixteen: return Array(0...15)
        case .eight: return Array(0...7)
        case .none, .direct: return []
        }
    }

    /// Positions in `pool` of the `count` colours nearest to `c` by the cheap RGB distance, nearest first (ties:
    /// the lower position, the order a stable sort gives). Keys are plain integers (distance, then position: the
    /// pool has under 512 entries) kept in a short sorted list: sorting the whole pool for each wanted colour was
    /// a fifth of the plan's cost before the first frame.
    static func nearest(_ count: Int, to c: RGB, in pool: [(Int, RGB)]) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for position in pool.indices {
            let key = ColorMapping.distance(c, pool[position].1) << 9 | position
            if best.count == count, let last = best.last, key >= last { continue }
            var at = best.count
            while at > 0 && best[at - 1] > key { at -= 1 }
            best.insert(key, at: at)
            if best.count > count { best.removeLast() }
        }
        return best.map { $0 & 511 }
    }

    public init(theme: Theme, depth: ColorDepth) {
        self.depth = depth
        guard depth != .none else { return }
        let background = theme.style(.background).bg
        if depth == .direct {
            for role in Role.allCases {
                let s = theme.style(role)
                fg[role] = s.fg.map { $0.r << 16 | $0.g << 8 | $0.b } ?? -1
                bg[role] = s.bg.map { $0.r << 16 | $0.g << 8 | $0.b } ?? -1
            }
            return
        }
        // Start-up cost matters (the plan is made before the first frame): Lab values are computed once per
        // candidate, and each wanted colour's candidates are sorted once, nearest first.
        let pool = Self.candidates(depth).map { ($0, ColorMapping.rgb(ofIndex: $0)) }
        // Lab values only for the candidates a search reaches (a shortlist is 24 of the 240): each costs six pow().
        var poolLab = [(l: Double, a: Double, b: Double)?](repeating: nil, count: pool.count)
        func lab(_ position: Int) -> (l: Double, a: Double, b: Double) {
            if let known = poolLab[position] { return known }
            let value = ColorScience.lab(pool[position].1)
            poolLab[position] = value
            return value
        }
        var sorted: [RGB: [Int]] = [:]  // wanted colour → positions in pool, nearest first
        // The 24 nearest by a cheap RGB distance, ordered by CIEDE2000; the whole pool only when none of them fits.
        func byDistance(_ c: RGB, all: Bool) -> [Int] {
            let key = all ? RGB(-1 - c.r, c.g, c.b) : c
            if let known = sorted[key] { return known }
            let target = ColorScience.lab(c)
            let shortlist = all ? Array(pool.indices) : Self.nearest(24, to: c, in: pool)
            let order = shortlist.map { ($0, ColorScience.deltaE(lab: target, lab($0))) }.sorted { $0.1 < $1.1 }.map(\.0)
            sorted[key] = order
            return order
        }
        func nearest(_ c: RGB, where ok: (RGB) -> Bool = { _ in true }) -> Int? {
            // The plain nearest colour (a cheap RGB distance) is kept whenever it already does the job: that is most
            // roles, and the search below costs milliseconds before the first frame.
            let plain = ColorMapping.index(c, depth: depth)
            if plain >= 0, pool.contains(where: { $0.0 == plain }), ok(ColorMapping.rgb(ofIndex: plain)) { return plain }
            return (byDistance(c, all: false).first { ok(pool[$0].1) } ?? byDistance(c, all: true).first { ok(pool[$0].1) }).map { pool[$0].0 }
        }
        // Backgrounds: nearest, except that the selection must stay visible on the background.
        let screen = background.flatMap { nearest($0) } ?? -1
        for role in Role.allCases {
            guard let want = theme.style(role).bg else { bg[role] = -1; continue }
            if role == .selection, let base = Self.rgb(screen, depth: depth) {
                bg[role] = nearest(want) { ColorScience.deltaE($0, base) >= Self.minimumDeltaE && RGB.contrast($0, base) >= 1.5 } ?? nearest(want) ?? -1
            } else if role != .background, let text = theme.style(role).fg, let textIndex = nearest(text) {
                // A filled block (white on red): the fill must keep the text's contrast too.
                let shown = ColorMapping.rgb(ofIndex: textIndex), need = Self.requiredContrast(role, theme: theme.name)
                bg[role] = nearest(want) { RGB.contrast($0, shown) >= need } ?? nearest(want) ?? -1
            } else {
                bg[role] = role == .background ? screen : nearest(want) ?? -1
            }
        }
        // Foregrounds: group members first, each apart from those already placed.
        let order = Self.groups.flatMap { $0 } + Role.allCases.filter { r in !Self.groups.contains { $0.contains(r) } }
        for role in order {
            let style = theme.style(role)
            guard let want = style.fg else { fg[role] = -1; continue }
            let under = Self.rgb(bg[role] ?? -1, depth: depth) ?? Self.rgb(screen, depth: depth) ?? RGB(0, 0, 0)
            let mates = (Self.groups.first { $0.contains(role) } ?? []).compactMap { fg[$0].flatMap { Self.rgb($0, depth: depth) } }
            let need = Self.requiredContrast(role, theme: theme.name)
            let apart: (RGB) -> Bool = { c in mates.allSatisfy { ColorScience.deltaE($0, c) >= Self.minimumDeltaE } }
            let choice = nearest(want) { RGB.contrast($0, under) >= need && apart($0) }
                // Nothing at this depth does both (16 or 8 colours on white at 7:1): contrast wins, the colour
                // furthest from the group's others is taken, and the theme's modifiers carry the difference.
                ?? pool.filter({ RGB.contrast($0.1, under) >= need }).max { a, b in
                    mates.map { ColorScience.deltaE($0, a.1) }.min() ?? 0 < mates.map { ColorScience.deltaE($0, b.1) }.min() ?? 0
                }?.0
                ?? pool.max { RGB.contrast($0.1, under) < RGB.contrast($1.1, under) }?.0
            fg[role] = choice ?? -1
        }
    }
}
