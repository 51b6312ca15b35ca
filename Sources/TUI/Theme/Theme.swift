#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A resolved theme: for every role, the colours (24-bit) and modifiers the views' roles are drawn with.
// Views never see colours; the backend asks the theme, then maps colours to what the terminal can show.

public struct RGB: Hashable, Sendable, CustomStringConvertible {
    public let r: Int, g: Int, b: Int
    public init(_ r: Int, _ g: Int, _ b: Int) { self.r = r; self.g = g; self.b = b }

    /// Parses "#rrggbb".
    public init?(hex: String) {
        let u = Array(hex.utf8)
        guard u.count == 7, u[0] == UInt8(ascii: "#"), let v = Int(String(hex.dropFirst()), radix: 16) else { return nil }
        self.init(v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF)
    }

    public var description: String {
        func h(_ x: Int) -> String { let s = String(x, radix: 16); return s.count == 1 ? "0" + s : s }
        return "#" + h(r) + h(g) + h(b)
    }

    /// WCAG 2.x relative luminance.
    public var luminance: Double {
        let lin = Self.linear
        func at(_ c: Int) -> Double { lin[max(0, min(255, c))] }
        return 0.2126 * at(r) + 0.7152 * at(g) + 0.0722 * at(b)
    }

    /// Each 8-bit channel value made linear, computed once: the colour plan asks for thousands of contrasts before
    /// the first frame, and two powers per channel each time were most of its cost.
    static let linear: [Double] = (0...255).map { c in
        let s = Double(c) / 255
        return s <= 0.03928 ? s / 12.92 : Double.pow((s + 0.055) / 1.055, 2.4)
    }

    public static func contrast(_ a: RGB, _ b: RGB) -> Double {
        let (la, lb) = (a.luminance, b.luminance)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }
}

extension Double {
    static func pow(_ x: Double, _ y: Double) -> Double {
        // exp(y·ln x) without Foundation, for x > 0.
        guard x > 0 else { return 0 }
        return exp(y * log(x))
    }
}

public struct ThemeStyle: Equatable, Sendable {
    /// nil: the terminal's own colour (only in themes without a palette, such as mono).
    public var fg: RGB?
    public var bg: RGB?
    public var bold = false, underline = false, reverse = false, dim = false
    public init(fg: RGB? = nil, bg: RGB? = nil, bold: Bool = false, underline: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.underline = underline; self.reverse = reverse; self.dim = dim
    }
}

public struct Theme: Equatable, Sendable {
    public let name: String
    /// "built-in", or the path of the user's file.
    public let origin: String
    public let styles: [Role: ThemeStyle]

    public init(name: String, origin: String, styles: [Role: ThemeStyle]) {
        self.name = name; self.origin = origin; self.styles = styles
    }

    public func style(_ role: Role) -> ThemeStyle { styles[role] ?? ThemeStyle() }
}
