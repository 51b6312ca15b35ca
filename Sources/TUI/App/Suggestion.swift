// The suggested next command: always right for the state the learner can see.
import SMTPCore

public enum Suggestion {
    public static func next(for state: AppState) -> String? {
        guard let session = state.sim.session, !session.isClosed else { return "connect" }
        if !state.visibleGreeting || state.sim.isBusy { return nil }  // wait for the reply in flight
        switch session.phase {
        case .connected:
            return "EHLO client.example.com"
        case .greeted:
            if session.profile == .submission && !session.tlsActive { return "STARTTLS" }
            if session.profile == .submission && session.authenticatedUser == nil {
                return "AUTH PLAIN \(SampleCredentials.plainInitialResponse)"
            }
            if state.inboxCount > 0 && state.lastServerCode == 250 && lastWasMessageEnd(state) { return "QUIT" }
            return "MAIL FROM:<alice@example.com>"
        case .mail:
            return "RCPT TO:<bob@domain.com>"
        case .rcpt:
            return "DATA"
        case .data:
            let body = state.transcript.reversed().prefix { $0.kind == .data }.count
            switch body {
            case 0: return "Subject: Hello from SMTP!"
            case 1: return ""
            case 2: return "Hi Bob, this travelled by SMTP."
            default: return "."
            }
        case .auth:
            return "*"
        case .closed:
            return "connect"
        }
    }

    static func lastWasMessageEnd(_ state: AppState) -> Bool {
        if let last = state.transcript.last(where: { if case .server = $0.kind { return true }; return false }) {
            return last.text.contains("queued as")
        }
        return false
    }

    /// A short explanation beside the suggestion.
    public static func why(for state: AppState) -> String {
        guard let session = state.sim.session, !session.isClosed else { return "open a connection to the server" }
        switch session.phase {
        case .connected: return "introduce yourself; EHLO asks for the extension list"
        case .greeted:
            if !session.tlsActive { return "port 587: encrypt before sending a password" }
            if session.authenticatedUser == nil { return "log in (PLAIN: base64 of \\0user\\0password)" }
            return "start a message: who is sending"
        case .mail: return "name a recipient (repeat for more)"
        case .rcpt: return "ready to send the message itself"
        case .data: return "headers, an empty line, the body, then a lone ."
        case .auth: return "answer the challenge in base64, or * to cancel"
        case .closed: return "start again"
        }
    }
}
