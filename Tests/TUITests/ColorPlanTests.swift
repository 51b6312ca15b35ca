// Colours with meaning: for every built-in theme at every depth, after the plan maps it, the roles that carry
// meaning stay apart (CIEDE2000 >= 10), text keeps its contrast (projector 7:1, others 4.5:1, lines 3:1) and the
// selection shows on the background. Mono has no colours: its groups must differ in their modifiers instead.
import Testing
@testable import TUI

@Suite("Colour plans", .timeLimit(.minutes(2)))
struct ColorPlanTests {
    static let depths: [ColorDepth] = [.direct, .full, .sixteen, .eight]

    @Test func ciede2000MatchesPublishedPairs() {
        // Sharma, Wu & Dalal (2005), test data pairs 1 and 17 (from Lab); here from sRGB through the same path.
        #expect(abs(ColorScience.deltaE(RGB(0, 0, 0), RGB(255, 255, 255)) - 100) < 0.01)
        #expect(ColorScience.deltaE(RGB(10, 20, 30), RGB(10, 20, 30)) == 0)
        let d = ColorScience.deltaE(RGB(255, 0, 0), RGB(0, 0, 255))
        #expect(d > 50 && d < 54, "red/blue \(d)")  // 52.88 by the reference implementation
    }

    static func plans() throws -> [(Theme, ColorDepth, ColorPlan)] {
        let catalog = ThemeCatalog()
        return try catalog.names.filter { $0 != "mono" }.flatMap { name in
            let theme = try catalog.load(name)
            return depths.map { (theme, $0, ColorPlan(theme: theme, depth: $0)) }
        }
    }

    @Test func meaningfulRolesStayApartAtEveryDepth() throws {
        for (theme, depth, plan) in try Self.plans() {
            for group in ColorPlan.groups {
                for (i, a) in group.enumerated() {
                    for b in group.dropFirst(i + 1) {
                        let ca = try #require(ColorPlan.rgb(plan.fg[a] ?? -1, depth: depth), "\(theme.name) \(a.rawValue) has no colour")
                        let cb = try #require(ColorPlan.rgb(plan.fg[b] ?? -1, depth: depth), "\(theme.name) \(b.rawValue) has no colour")
                        let d = ColorScience.deltaE(ca, cb)
                        // 24-bit and 256 colours: by colour alone. 16 and 8: by colour or, failing that, by modifiers.
                        let apart = depth == .direct || depth == .full ? d >= ColorPlan.minimumDeltaE
                            : ColorPlan.distinguishable(a, b, theme: theme, plan: plan)
                        #expect(apart, "\(theme.name) at \(depth.rawValue): \(a.rawValue) \(ca) and \(b.rawValue) \(cb) differ by only ΔE \(Int(d)) and look alike otherwise")
                    }
                }
            }
        }
    }

    @Test func textKeepsItsContrastAtEveryDepth() throws {
        for (theme, depth, plan) in try Self.plans() {
            let screen = ColorPlan.rgb(plan.bg[.background] ?? -1, depth: depth)
            for role in Role.allCases where theme.style(role).fg != nil {
                let fg = try #require(ColorPlan.rgb(plan.fg[role] ?? -1, depth: depth))
                let bg = try #require(ColorPlan.rgb(plan.bg[role] ?? -1, depth: depth) ?? screen)
                let need = ColorPlan.requiredContrast(role, theme: theme.name)
                let got = RGB.contrast(fg, bg)
                #expect(got >= need, "\(theme.name) at \(depth.rawValue): \(role.rawValue) \(fg) on \(bg) is \(String(format1(got))):1, needs \(need):1")
            }
        }
    }

    @Test func theSelectionShowsOnTheBackground() throws {
        for (theme, depth, plan) in try Self.plans() {
            let sel = try #require(ColorPlan.rgb(plan.bg[.selection] ?? -1, depth: depth))
            let screen = try #require(ColorPlan.rgb(plan.bg[.background] ?? -1, depth: depth))
            #expect(ColorScience.deltaE(sel, screen) >= ColorPlan.minimumDeltaE && RGB.contrast(sel, screen) >= 1.5,
                    "\(theme.name) at \(depth.rawValue): selection \(sel) on \(screen) (ΔE \(Int(ColorScience.deltaE(sel, screen))), \(format1(RGB.contrast(sel, screen))):1)")
        }
    }

    @Test func monoKeepsGroupsApartWithModifiers() throws {
        let mono = try ThemeCatalog().load("mono")
        for group in ColorPlan.groups {
            let looks = group.map { r -> [Bool] in let s = mono.style(r); return [s.bold, s.underline, s.reverse, s.dim] }
            #expect(Set(looks).count == group.count, "mono: \(group.map(\.rawValue)) look alike: \(looks)")
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
                let theme = try catalog.load(name)
                let surface = theme.style(.popup).bg
                var ragged: Set<String> = []
                for y in area.y..<area.maxY {
                    // Buttons ([ t  Try it ]) are filled on purpose.
                    for x in area.x..<area.maxX where frame.buffer[x, y].role != .keyhintKey && theme.style(frame.buffer[x, y].role).bg != surface {
                        ragged.insert(frame.buffer[x, y].role.rawValue)
                    }
                }
                #expect(ragged.isEmpty, "\(name): \(popup) shows other backgrounds behind \(ragged.sorted())")
            }
        }
    }

    func format1(_ x: Double) -> String { let t = Int((x * 10).rounded()); return "\(t / 10).\(t % 10)" }
}
