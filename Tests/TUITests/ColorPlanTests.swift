// Colours with meaning: for every built-in theme at every depth, after the plan maps it, the roles that carry
// meaning stay apart (CIEDE2000 >= 10), text keeps its contrast (projector 7:1, others 4.5:1, lines 3:1) and the
// selection shows on the background. Mono has no colours: its groups must differ in their modifiers instead.
// Every number is computed by the test's own oracle (Tests/ColourOracle: WCAG, CIEDE2000, xterm's palette, the theme
// files as written), checked first against published reference values; thresholds and groups are the README's,
// written here, not read from the code under test.
import ColourOracle
import Foundation
import Testing
@testable import TUI

@Suite("Colour plans", .timeLimit(.minutes(2)))
struct ColorPlanTests {
    static let depths: [ColorDepth] = [.direct, .full, .sixteen, .eight]
    /// The roles that must stay apart (README, "Themes"): You / Server / Data, 2xx–5xx, sender / server / recipient / TLS.
    static let groups = [["transcript.you", "transcript.server", "transcript.data"],
                         ["reply.2xx", "reply.3xx", "reply.4xx", "reply.5xx"],
                         ["flow.sender", "flow.server", "flow.recipient", "flow.tls"]]
    static let minimumDistance = 10.0
    /// WCAG: 4.5:1 for text (7:1 is projector's promise), 3:1 for lines and frames.
    static func requiredContrast(_ role: String, theme: String) -> Double {
        ["border", "popup.border"].contains(role) ? 3 : theme == "projector" ? 7 : 4.5
    }

    /// Sharma, Wu and Dalal (2005), Table 1: the 34 CIEDE2000 test pairs (L*a*b* 1, L*a*b* 2, ΔE00).
    static let sharmaPairs: [(Lab, Lab, Double)] = [
        (Lab(50, 2.6772, -79.7751), Lab(50, 0, -82.7485), 2.0425), (Lab(50, 3.1571, -77.2803), Lab(50, 0, -82.7485), 2.8615),
        (Lab(50, 2.8361, -74.0200), Lab(50, 0, -82.7485), 3.4412), (Lab(50, -1.3802, -84.2814), Lab(50, 0, -82.7485), 1.0000),
        (Lab(50, -1.1848, -84.8006), Lab(50, 0, -82.7485), 1.0000), (Lab(50, -0.9009, -85.5211), Lab(50, 0, -82.7485), 1.0000),
        (Lab(50, 0, 0), Lab(50, -1, 2), 2.3669), (Lab(50, -1, 2), Lab(50, 0, 0), 2.3669),
        (Lab(50, 2.49, -0.001), Lab(50, -2.49, 0.0009), 7.1792), (Lab(50, 2.49, -0.001), Lab(50, -2.49, 0.0010), 7.1792),
        (Lab(50, 2.49, -0.001), Lab(50, -2.49, 0.0011), 7.2195), (Lab(50, 2.49, -0.001), Lab(50, -2.49, 0.0012), 7.2195),
        (Lab(50, -0.001, 2.49), Lab(50, 0.0009, -2.49), 4.8045), (Lab(50, -0.001, 2.49), Lab(50, 0.0010, -2.49), 4.8045),
        (Lab(50, -0.001, 2.49), Lab(50, 0.0011, -2.49), 4.7461), (Lab(50, 2.5, 0), Lab(50, 0, -2.5), 4.3065),
        (Lab(50, 2.5, 0), Lab(73, 25, -18), 27.1492), (Lab(50, 2.5, 0), Lab(61, -5, 29), 22.8977),
        (Lab(50, 2.5, 0), Lab(56, -27, -3), 31.9030), (Lab(50, 2.5, 0), Lab(58, 24, 15), 19.4535),
        (Lab(50, 2.5, 0), Lab(50, 3.1736, 0.5854), 1.0000), (Lab(50, 2.5, 0), Lab(50, 3.2972, 0), 1.0000),
        (Lab(50, 2.5, 0), Lab(50, 1.8634, 0.5757), 1.0000), (Lab(50, 2.5, 0), Lab(50, 3.2592, 0.3350), 1.0000),
        (Lab(60.2574, -34.0099, 36.2677), Lab(60.4626, -34.1751, 39.4387), 1.2644),
        (Lab(63.0109, -31.0961, -5.8663), Lab(62.8187, -29.7946, -4.0864), 1.2630),
        (Lab(61.2901, 3.7196, -5.3901), Lab(61.4292, 2.2480, -4.9620), 1.8731),
        (Lab(35.0831, -44.1164, 3.7933), Lab(35.0232, -40.0716, 1.5901), 1.8645),
        (Lab(22.7233, 20.0904, -46.6940), Lab(23.0331, 14.9730, -42.5619), 2.0373),
        (Lab(36.4612, 47.8580, 18.3852), Lab(36.2715, 50.5065, 21.2231), 1.4146),
        (Lab(90.8027, -2.0831, 1.4410), Lab(91.1528, -1.6435, 0.0447), 1.4441),
        (Lab(90.9257, -0.5406, -0.9208), Lab(88.6381, -0.8985, -0.7239), 1.5381),
        (Lab(6.7747, -0.2908, -2.4247), Lab(5.8714, -0.0985, -2.2286), 0.6377),
        (Lab(2.0776, 0.0795, -1.1350), Lab(0.9033, -0.0636, -0.5514), 0.9082),
    ]

    @Test func theOracleMatchesPublishedReferenceValues() {
        #expect(Self.sharmaPairs.count == 34)
        for (i, (p, q, published)) in Self.sharmaPairs.enumerated() {
            let d = CIEDE2000.difference(p, q)
            #expect(abs(d - published) < 0.0001, "pair \(i + 1): ΔE00 \(d), published \(published)")
        }
        // sRGB red in L*a*b* (D65), as Lindbloom's calculator gives it; white is L* 100.
        let red = CIEDE2000.lab(Colour(255, 0, 0)), white = CIEDE2000.lab(Colour(255, 255, 255))
        #expect(abs(red.l - 53.24) < 0.02 && abs(red.a - 80.09) < 0.02 && abs(red.b - 67.20) < 0.02, "red \(red)")
        #expect(abs(white.l - 100) < 0.01 && abs(white.a) < 0.01 && abs(white.b) < 0.01, "white \(white)")
        // WCAG contrast ratios on white, as WebAIM's checker reports them (two decimals).
        for (hex, ratio) in [("#000000", 21.0), ("#767676", 4.54), ("#777777", 4.48), ("#595959", 7.0), ("#0000ff", 8.59), ("#ff0000", 4.0)] {
            let got = WCAG.contrast(Colour(hex: hex) ?? Colour(0, 0, 0), Colour(255, 255, 255))
            #expect((got * 100).rounded() / 100 == ratio, "\(hex) on white: \(got)")
        }
    }

    /// The app's own colour science and palette, held to the oracle: the plan is built with them.
    @Test func theAppsColourScienceAgreesWithTheOracle() {
        for (i, (p, q, published)) in Self.sharmaPairs.enumerated() {
            let d = ColorScience.deltaE(lab: (p.l, p.a, p.b), (q.l, q.a, q.b))
            #expect(abs(d - published) < 0.0001, "pair \(i + 1): the app says ΔE00 \(d), published \(published)")
        }
        for index in 0..<256 {
            let theirs = ColorMapping.rgb(ofIndex: index)
            #expect(XtermPalette.colour(index) == Colour(theirs.r, theirs.g, theirs.b), "index \(index): the app shows \(theirs)")
        }
        for (a, b) in [(Colour(28, 32, 40), Colour(214, 219, 228)), (Colour(255, 255, 255), Colour(0, 48, 140))] {
            #expect(abs(RGB.contrast(RGB(a.r, a.g, a.b), RGB(b.r, b.g, b.b)) - WCAG.contrast(a, b)) < 0.001)
        }
    }

    /// What the terminal shows for a planned value (the plan's encoding: a packed 0xRRGGBB at 24 bits, else an
    /// xterm index; -1 for the terminal's default).
    static func shown(_ value: Int?, _ depth: ColorDepth) -> Colour? {
        guard let value, value >= 0 else { return nil }
        return depth == .direct ? Colour(value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF) : XtermPalette.colour(value)
    }

    static func plans() throws -> [(ShippedTheme, ColorDepth, ColorPlan)] {
        let catalog = ThemeCatalog()
        return try catalog.names.filter { $0 != "mono" }.flatMap { name in
            let theme = try catalog.load(name), file = try ShippedTheme(name)
            return depths.map { (file, $0, ColorPlan(theme: theme, depth: $0)) }
        }
    }

    static func role(_ name: String) throws -> Role { try #require(Role(rawValue: name), "no role \(name)") }

    /// The plan's shortlist (the nearest candidates by RGB distance, kept in a short sorted list) is exactly the
    /// first entries of the whole pool sorted by distance, ties to the lower position, for colours all over the cube.
    @Test func theShortlistIsThePrefixOfTheWholeSortedPool() {
        for depth in [ColorDepth.full, .sixteen, .eight] {
            let pool = ColorPlan.candidates(depth).map { ($0, ColorMapping.rgb(ofIndex: $0)) }
            for r in stride(from: 0, through: 255, by: 17) {
                for g in stride(from: 0, through: 255, by: 51) {
                    for b in stride(from: 3, through: 255, by: 42) {
                        let c = RGB(r, g, b)
                        let whole = pool.indices.sorted { a, z in
                            let da = ColorMapping.distance(c, pool[a].1), dz = ColorMapping.distance(c, pool[z].1)
                            return da != dz ? da < dz : a < z
                        }
                        for count in [1, 5, 24] {
                            #expect(ColorPlan.nearest(count, to: c, in: pool) == Array(whole.prefix(count)), "\(c) at \(depth), \(count)")
                        }
                    }
                }
            }
        }
    }

    @Test func atTwentyFourBitsTheThemesOwnColoursAreDrawn() throws {
        for (file, depth, plan) in try Self.plans() where depth == .direct {
            for role in Role.allCases {
                let style = try file.style(role.rawValue)
                #expect(Self.shown(plan.fg[role], depth) == style.fg, "\(file.name): \(role.rawValue) fg")
                #expect(Self.shown(plan.bg[role], depth) == style.bg, "\(file.name): \(role.rawValue) bg")
            }
        }
    }

    @Test func meaningfulRolesStayApartAtEveryDepth() throws {
        for (file, depth, plan) in try Self.plans() {
            for group in Self.groups {
                for (i, a) in group.enumerated() {
                    for b in group.dropFirst(i + 1) {
                        let ca = try #require(Self.shown(plan.fg[try Self.role(a)], depth), "\(file.name) \(a) has no colour")
                        let cb = try #require(Self.shown(plan.fg[try Self.role(b)], depth), "\(file.name) \(b) has no colour")
                        let d = CIEDE2000.difference(ca, cb)
                        // 24-bit and 256 colours: by colour alone. 16 and 8: by colour or, failing that, by modifiers.
                        let looksA = try file.style(a).modifiers.intersection(["bold", "underline", "reverse"])
                        let looksB = try file.style(b).modifiers.intersection(["bold", "underline", "reverse"])
                        let apart = d >= Self.minimumDistance || ([.sixteen, .eight].contains(depth) && looksA != looksB)
                        #expect(apart, "\(file.name) at \(depth.rawValue): \(a) \(ca) and \(b) \(cb) differ by only ΔE \(Int(d)) and look alike otherwise")
                    }
                }
            }
        }
    }

    @Test func textKeepsItsContrastAtEveryDepth() throws {
        for (file, depth, plan) in try Self.plans() {
            let screen = Self.shown(plan.bg[.background], depth)
            for role in Role.allCases where try file.style(role.rawValue).fg != nil {
                let fg = try #require(Self.shown(plan.fg[role], depth))
                let bg = try #require(Self.shown(plan.bg[role], depth) ?? screen)
                let need = Self.requiredContrast(role.rawValue, theme: file.name)
                let got = WCAG.contrast(fg, bg)
                #expect(got >= need, "\(file.name) at \(depth.rawValue): \(role.rawValue) \(fg) on \(bg) is \(format1(got)):1, needs \(need):1")
            }
        }
    }

    @Test func theSelectionShowsOnTheBackground() throws {
        for (file, depth, plan) in try Self.plans() {
            let sel = try #require(Self.shown(plan.bg[.selection], depth))
            let screen = try #require(Self.shown(plan.bg[.background], depth))
            let (d, ratio) = (CIEDE2000.difference(sel, screen), WCAG.contrast(sel, screen))
            #expect(d >= Self.minimumDistance && ratio >= 1.5,
                    "\(file.name) at \(depth.rawValue): selection \(sel) on \(screen) (ΔE \(Int(d)), \(format1(ratio)):1)")
        }
    }

    @Test func monoKeepsGroupsApartWithModifiers() throws {
        let mono = try ShippedTheme("mono")
        for group in Self.groups {
            let looks = try group.map { try mono.style($0).modifiers.intersection(["bold", "underline", "reverse", "dim"]) }
            #expect(Set(looks).count == group.count, "mono: \(group) look alike: \(looks)")
        }
    }

    /// A popup paints its whole area: every cell inside its frame has the popup's background, whatever role the
    /// text in it is drawn with (no darker boxes behind captions or code).
    @Test func popupsPaintTheirWholeArea() throws {
        let catalog = ThemeCatalog()
        var s = AppState(size: Size(width: 120, height: 36))
        for popup in [Popup.help, .statusCode(550), .command(0), .inbox] {
            s.popup = popup
            let frame = Frame.render(s)
            let area = try #require(frame.hits.first { $0.target == .popupBody }?.rect)
            for name in catalog.names where name != "mono" {
                let file = try ShippedTheme(name)
                let surface = try file.style("popup").bg
                var ragged: Set<String> = []
                for y in area.y..<area.maxY {
                    // Buttons ([ t  Try it ]) are filled on purpose.
                    for x in area.x..<area.maxX where frame.buffer[x, y].role != .keyhintKey {
                        if try file.style(frame.buffer[x, y].role.rawValue).bg != surface { ragged.insert(frame.buffer[x, y].role.rawValue) }
                    }
                }
                #expect(ragged.isEmpty, "\(name): \(popup) shows other backgrounds behind \(ragged.sorted())")
            }
        }
    }

    func format1(_ x: Double) -> String { let t = Int((x * 10).rounded()); return "\(t / 10).\(t % 10)" }
}
