// Semantic roles: views say what a cell *is* (a server reply, a border, a keyword); the theme says how it looks.
// Views never name raw colours. The raw values are the role names used in theme files.

public enum Role: String, CaseIterable, Sendable, Hashable {
    case background, text, muted, border, focus, header
    case headerActive = "header.active"
    case keyhint
    case keyhintKey = "keyhint.key"
    case popup
    case popupBorder = "popup.border"
    case selection, input, cursor
    case flowSender = "flow.sender", flowServer = "flow.server", flowRecipient = "flow.recipient"
    case flowPacket = "flow.packet", flowTLS = "flow.tls", flowBounce = "flow.bounce"
    case flowPhaseActive = "flow.phase.active", flowPhaseIdle = "flow.phase.idle"
    case transcriptYou = "transcript.you", transcriptServer = "transcript.server"
    case transcriptData = "transcript.data", transcriptLocal = "transcript.local"
    case reply2xx = "reply.2xx", reply3xx = "reply.3xx", reply4xx = "reply.4xx", reply5xx = "reply.5xx"
    case syntaxKeyword = "syntax.keyword", syntaxString = "syntax.string"
    case syntaxComment = "syntax.comment", syntaxNumber = "syntax.number"
    case banner, caption
    case statusError = "status.error", statusOK = "status.ok"

    /// The reply role for a code's class.
    public static func reply(_ code: Int) -> Role {
        switch code / 100 {
        case 2: return .reply2xx
        case 3: return .reply3xx
        case 4: return .reply4xx
        default: return .reply5xx
        }
    }
}
