// What the colour tests compare against, written from the published definitions and independent of the app: WCAG 2
// contrast, CIE L*a*b* and CIEDE2000 (Sharma, Wu and Dalal 2005; ColorPlanTests checks it on their test data), the
// colours xterm shows for its 256 indexes, and the theme files read as the README describes them. Shared by the
// colour-plan tests and the end-to-end tests that read colours back from the screen. Nothing here imports the app.
import Foundation

public struct Colour: Hashable, Sendable, CustomStringConvertible {
    public let r: Int, g: Int, b: Int
    public init(_ r: Int, _ g: Int, _ b: Int) { (self.r, self.g, self.b) = (r, g, b) }

    /// "#rrggbb", or nil.
    public init?(hex: String) {
        guard hex.count == 7, hex.hasPrefix("#"), let n = Int(hex.dropFirst(), radix: 16) else { return nil }
        self.init(n >> 16 & 0xFF, n >> 8 & 0xFF, n & 0xFF)
    }

    public var description: String {
        "#" + [r, g, b].map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}

/// WCAG 2: relative luminance of sRGB and the contrast ratio (L1 + 0.05) / (L2 + 0.05).
public enum WCAG {
    public static func luminance(_ c: Colour) -> Double {
        func channel(_ v: Int) -> Double {
            let s = Double(v) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }

    public static func contrast(_ a: Colour, _ b: Colour) -> Double {
        let (la, lb) = (luminance(a), luminance(b))
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }
}

public struct Lab: Sendable { public let l: Double, a: Double, b: Double
    public init(_ l: Double, _ a: Double, _ b: Double) { (self.l, self.a, self.b) = (l, a, b) }
}

public enum CIEDE2000 {
    /// sRGB (D65) → linear → XYZ → CIE L*a*b* with the D65 white point.
    public static func lab(_ c: Colour) -> Lab {
        func linear(_ v: Int) -> Double {
            let s = Double(v) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        let (r, g, b) = (linear(c.r), linear(c.g), linear(c.b))
        // The sRGB matrix to seven places (its rows sum to the D65 white, 0.95047, 1, 1.08883).
        let x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b
        func f(_ t: Double) -> Double {
            let epsilon = 216.0 / 24389, kappa = 24389.0 / 27
            return t > epsilon ? cbrt(t) : (kappa * t + 16) / 116
        }
        let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883))
        return Lab(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    public static func difference(_ x: Colour, _ y: Colour) -> Double { difference(lab(x), lab(y)) }

    /// ΔE00 with kL = kC = kH = 1, step by step as in Sharma, Wu and Dalal (2005), equations 1–22.
    public static func difference(_ p: Lab, _ q: Lab) -> Double {
        let degree = Double.pi / 180
        let c1 = hypot(p.a, p.b), c2 = hypot(q.a, q.b)
        let meanC7 = pow((c1 + c2) / 2, 7)
        let g = 0.5 * (1 - sqrt(meanC7 / (meanC7 + pow(25, 7))))
        let a1 = (1 + g) * p.a, a2 = (1 + g) * q.a
        let c1p = hypot(a1, p.b), c2p = hypot(a2, q.b)
        func hue(_ b: Double, _ a: Double) -> Double {
            if a == 0 && b == 0 { return 0 }
            let h = atan2(b, a) / degree
            return h < 0 ? h + 360 : h
        }
        let h1 = hue(p.b, a1), h2 = hue(q.b, a2)
        let deltaL = q.l - p.l, deltaC = c2p - c1p
        var deltaH = 0.0
        if c1p * c2p != 0 {
            deltaH = h2 - h1
            if deltaH > 180 { deltaH -= 360 }
            if deltaH < -180 { deltaH += 360 }
        }
        let bigDeltaH = 2 * sqrt(c1p * c2p) * sin(deltaH / 2 * degree)
        let meanL = (p.l + q.l) / 2, meanCp = (c1p + c2p) / 2
        var meanH = h1 + h2
        if c1p * c2p != 0 {
            if abs(h1 - h2) <= 180 { meanH = (h1 + h2) / 2 }
            else if h1 + h2 < 360 { meanH = (h1 + h2 + 360) / 2 }
            else { meanH = (h1 + h2 - 360) / 2 }
        }
        let t = 1 - 0.17 * cos((meanH - 30) * degree) + 0.24 * cos(2 * meanH * degree)
            + 0.32 * cos((3 * meanH + 6) * degree) - 0.20 * cos((4 * meanH - 63) * degree)
        let deltaTheta = 30 * exp(-pow((meanH - 275) / 25, 2))
        let rc = 2 * sqrt(pow(meanCp, 7) / (pow(meanCp, 7) + pow(25, 7)))
        let sl = 1 + 0.015 * pow(meanL - 50, 2) / sqrt(20 + pow(meanL - 50, 2))
        let sc = 1 + 0.045 * meanCp
        let sh = 1 + 0.015 * meanCp * t
        let rt = -sin(2 * deltaTheta * degree) * rc
        let (l, c, h) = (deltaL / sl, deltaC / sc, bigDeltaH / sh)
        return sqrt(l * l + c * c + h * h + rt * c * h)
    }
}

/// The colour xterm shows for a 256-colour index with its default palette: the 16 ANSI colours, the 6×6×6 cube
/// (levels 0, 95, 135, 175, 215, 255) and the 24 greys from 8 to 238.
public enum XtermPalette {
    static let ansi: [Colour] = [
        Colour(0, 0, 0), Colour(205, 0, 0), Colour(0, 205, 0), Colour(205, 205, 0),
        Colour(0, 0, 238), Colour(205, 0, 205), Colour(0, 205, 205), Colour(229, 229, 229),
        Colour(127, 127, 127), Colour(255, 0, 0), Colour(0, 255, 0), Colour(255, 255, 0),
        Colour(92, 92, 255), Colour(255, 0, 255), Colour(0, 255, 255), Colour(255, 255, 255),
    ]

    public static func colour(_ index: Int) -> Colour? {
        switch index {
        case 0..<16: return ansi[index]
        case 16..<232:
            let level = { (n: Int) in n == 0 ? 0 : 55 + 40 * n }
            let n = index - 16
            return Colour(level(n / 36), level(n / 6 % 6), level(n % 6))
        case 232..<256: let v = 8 + 10 * (index - 232); return Colour(v, v, v)
        default: return nil
        }
    }
}

public struct ShippedThemeError: Error, CustomStringConvertible { public let description: String }

/// A built-in theme as its files say (README, "Themes"): palettes merge along `inherits` (the child's names win), a
/// role given in the child replaces the parent's, a missing role falls back along its dots to `text`, and a role
/// without fg or bg takes the `background` role's.
public struct ShippedTheme: Sendable {
    public struct Style: Sendable { public let fg: Colour?, bg: Colour?, modifiers: Set<String> }
    public let name: String
    let palette: [String: Colour]
    let roles: [String: (fg: String?, bg: String?, modifiers: Set<String>)]

    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Themes")

    public init(_ name: String) throws {
        var chain: [(palette: [String: Colour], roles: [String: (fg: String?, bg: String?, modifiers: Set<String>)])] = []
        var next: String? = name
        while let current = next {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(current + ".toml"), encoding: .utf8)
            let parsed = try Self.parse(text, file: current)
            chain.insert((parsed.palette, parsed.roles), at: 0)
            next = parsed.inherits
        }
        self.name = name
        palette = chain.reduce(into: [:]) { $0.merge($1.palette) { $1 } }
        roles = chain.reduce(into: [:]) { $0.merge($1.roles) { $1 } }
    }

    /// The role's colours and modifiers after the fallbacks.
    public func style(_ role: String) throws -> Style {
        var key = role
        while roles[key] == nil {
            guard let dot = key.lastIndex(of: ".") else { key = "text"; break }
            key = String(key[..<dot])
        }
        let base = roles["background"]
        func colour(_ ref: String?) throws -> Colour? {
            guard let ref else { return nil }
            if let c = palette[ref] ?? Colour(hex: ref) { return c }
            throw ShippedThemeError(description: "\(name): \(role): no colour \(ref)")
        }
        let raw = roles[key]
        return Style(fg: try colour(raw?.fg ?? base?.fg), bg: try colour(raw?.bg ?? base?.bg), modifiers: raw?.modifiers ?? [])
    }

    /// The subset of TOML the theme files use: `key = "value"` at the top and in [palette], and one inline table
    /// per line in [roles]. Anything else is an error, so a file this reader does not understand fails loudly.
    static func parse(_ text: String, file: String) throws
        -> (inherits: String?, palette: [String: Colour], roles: [String: (fg: String?, bg: String?, modifiers: Set<String>)]) {
        var inherits: String?
        var palette: [String: Colour] = [:]
        var roles: [String: (fg: String?, bg: String?, modifiers: Set<String>)] = [:]
        var section = ""
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = withoutComment(raw).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ why: String) -> ShippedThemeError { ShippedThemeError(description: "\(file).toml:\(number + 1): \(why)") }
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
            guard let eq = line.firstIndex(of: "=") else { throw fail("no '='") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let strings = value.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            switch section {
            case "":
                if key == "inherits" { inherits = strings.first }
            case "palette":
                guard let hex = strings.first, let colour = Colour(hex: hex) else { throw fail("bad palette colour") }
                palette[key] = colour
            case "roles":
                guard value.hasPrefix("{"), value.hasSuffix("}") else { throw fail("a role is one inline table") }
                var fg: String?, bg: String?, modifiers: Set<String> = []
                for field in value.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false) {
                    let parts = field.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 && parts[0] == "fg" { fg = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                    else if parts.count == 2 && parts[0] == "bg" { bg = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
                if let open = value.firstIndex(of: "["), let close = value.firstIndex(of: "]") {
                    modifiers = Set(value[open...close].split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
                }
                roles[key] = (fg, bg, modifiers)
            default:
                throw fail("unknown section [\(section)]")
            }
        }
        return (inherits, palette, roles)
    }

    /// The line up to a `#` that is not inside quotes.
    static func withoutComment(_ line: Substring) -> String {
        var inQuotes = false
        var out = ""
        for ch in line {
            if ch == "\"" { inQuotes.toggle() }
            if ch == "#" && !inQuotes { break }
            out.append(ch)
        }
        return out
    }
}
