// How roles look on a real terminal until theme files are loaded at run time: ANSI colours that read on dark
// and light backgrounds alike, with bold/reverse carrying meaning too so mono (NO_COLOR) stays readable.


public struct TerminalStyle: Equatable, Sendable {
    /// ANSI colour 0-7 (+8 bright where the terminal has 16), or -1 for the terminal's default.
    public var fg: Int = -1
    public var bg: Int = -1
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false
}

public enum ColorDepth: String, Sendable, CaseIterable { case none, eight = "8", sixteen = "16", full = "256" }

public enum RoleStyles {
    public static func style(_ role: Role, depth: ColorDepth) -> TerminalStyle {
        var s = TerminalStyle()
        let bright = depth == .sixteen || depth == .full ? 8 : 0
        switch role {
        case .background, .text, .popup, .input: break
        case .muted, .caption, .flowPhaseIdle: s.dim = depth == .none; s.fg = depth == .none ? -1 : 7
        case .border: s.fg = 4 + bright
        case .focus: s.fg = 6 + bright; s.bold = true
        case .header: s.reverse = true
        case .headerActive: s.bold = true; s.underline = true
        case .banner: s.bold = true; s.reverse = true
        case .keyhint: s.fg = depth == .none ? -1 : 7
        case .keyhintKey: s.bold = true; s.fg = 6
        case .popupBorder: s.fg = 5 + bright; s.bold = true
        case .selection, .cursor: s.reverse = true
        case .flowSender: s.fg = 6 + bright; s.bold = true
        case .flowServer: s.fg = 3 + bright; s.bold = true
        case .flowRecipient: s.fg = 2 + bright; s.bold = true
        case .flowPacket: s.fg = 5 + bright; s.bold = true
        case .flowTLS: s.fg = 2; s.bold = true
        case .flowBounce: s.fg = 1 + bright; s.bold = true; s.reverse = depth == .none
        case .flowPhaseActive: s.fg = 3 + bright; s.bold = true; s.reverse = depth == .none
        case .transcriptYou: s.fg = 6 + bright; s.bold = true
        case .transcriptServer: break
        case .transcriptData: s.fg = 5 + bright
        case .transcriptLocal: s.fg = 7; s.dim = depth == .none
        case .reply2xx: s.fg = 2 + bright
        case .reply3xx: s.fg = 4 + bright; s.underline = depth == .none
        case .reply4xx: s.fg = 3 + bright; s.bold = true
        case .reply5xx: s.fg = 1 + bright; s.bold = true; s.reverse = depth == .none
        case .syntaxKeyword: s.fg = 5 + bright; s.bold = true
        case .syntaxString: s.fg = 2 + bright
        case .syntaxComment: s.fg = 7; s.dim = true
        case .syntaxNumber: s.fg = 3 + bright
        case .statusError: s.fg = 1 + bright; s.bold = true
        case .statusOK: s.fg = 2 + bright; s.bold = true
        }
        if depth == .none { s.fg = -1; s.bg = -1 }
        return s
    }
}
