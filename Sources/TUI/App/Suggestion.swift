// The suggested next command: always right for the state the learner can see.
import SMTPCore

public enum Suggestion {
    public static func next(for state: AppState) -> String? {
        guard let session = state.sim.session, !session.isClosed else {
            if state.sim.world.scenario.shuttingDown { return "scenario normal" }
            // In a mission, the server its goal names (the goal already says which; the rest is the learner's).
            if let id = state.learn.active?.id, let first = state.learn.mission(id)?.solution.first, first.hasPrefix("connect") { return first }
            return "connect"
        }
        if !state.visibleGreeting || state.sim.isAwaitingServer { return nil }  // wait for the reply in flight
        switch session.phase {
        case .connected:
            return "EHLO \(state.sim.learnerMachine.name)"
        case .greeted:
            if session.profile == .submission && !session.tlsActive { return "STARTTLS" }
            if lastWasMessageEnd(state) && state.lastServerCode == 250 { return "QUIT" }
            if session.profile == .submission && session.authenticatedUser == nil {
                return "AUTH PLAIN \(SampleCredentials.plainInitialResponse)"
            }
            return "MAIL FROM:<alice@example.com>"
        case .mail:
            return "RCPT TO:<bob@domain.com>"
        case .rcpt:
            return "DATA"
        case .data:
            // Header fields until an empty line has been sent, then one body line, then the dot.
            let sent = dataSent(state)
            // Straight to an MX that checks senders, a From: at example.com from a machine example.com does not list
            // would be refused by its DMARC policy (p=reject): the suggestion leaves From: out there.
            let lines = session.world.trust != nil ? Array(dataLines.dropFirst()) : dataLines
            let headers = lines.firstIndex(of: "") ?? 0
            if sent.contains("") { return sent.last == "" ? lines[headers + 1] : "." }
            return sent.count < headers ? lines[sent.count] : ""
        case .auth:
            switch session.authPrompt {
            case .loginUsername?: return Base64.encode(Array(SampleCredentials.username.utf8))
            case .loginPassword?: return Base64.encode(Array(SampleCredentials.password.utf8))
            default: return SampleCredentials.plainInitialResponse
            }
        case .closed:
            return "connect"
        }
    }

    /// The message the suggestions walk through: header fields (what mail programs show), an empty line, the body.
    static let dataLines = ["From: Alice <alice@example.com>", "To: Bob <bob@domain.com>", "Subject: Hello from SMTP!", "",
                            "Hi Bob, this travelled by SMTP.", "."]

    /// The lines sent since the 354 (notes from the simulator in between are skipped).
    static func dataSent(_ state: AppState) -> [String] {
        state.transcript.reversed().prefix { $0.kind == .data || $0.kind == .local }.filter { $0.kind == .data }.map(\.text).reversed()
    }

    static func lastWasMessageEnd(_ state: AppState) -> Bool {
        if let last = state.transcript.last(where: { if case .server = $0.kind { return true }; return false }) {
            return last.text.contains("queued as")
        }
        return false
    }

    /// A short explanation beside the suggestion, derived from the suggestion itself so the two never disagree.
    public static func why(for state: AppState) -> String {
        guard let next = next(for: state) else {
            // A paused animation holds the reply too: say so where the learner looks.
            return state.paused ? "the animation is paused, so the reply waits: Esc, then p resumes" : "waiting for the server's reply…"
        }
        let session = state.sim.session
        switch next {
        case "connect": return "open a connection to Alice's mail server (like telnet smtp.example.com 587)"
        case "scenario normal": return "the server is shutting down: switch the scenario back, then connect"
        case "STARTTLS": return "port 587: encrypt the connection before sending a password"
        case "QUIT": return "the server queued the message and delivers it itself now: end the session (or send another)"
        case "*": return "cancel the login"
        case ".": return "a line with only a dot ends the message"
        case "": return "an empty line separates the header fields from the body"
        default: break
        }
        if next.hasPrefix("EHLO") { return "introduce yourself; EHLO asks which extensions the server offers" }
        if next.hasPrefix("AUTH") { return "log in: PLAIN sends base64 of \\0user\\0password in one line" }
        if next.hasPrefix("MAIL") { return "the envelope sender: where bounces would go" }
        if next.hasPrefix("RCPT") { return "an envelope recipient (repeat for more)" }
        if next == "DATA" { return "ready to send the message itself" }
        if session?.phase == .auth {
            return session?.authPrompt == .loginPassword ? "the password, base64-encoded (\"wonderland\")" : "the user name, base64-encoded (\"alice@example.com\")"
        }
        if session?.phase == .data {
            return dataSent(state).contains("") ? "the body: any text you like"
                : "header fields first: what mail programs show (the envelope may differ)"
        }
        return ""
    }
}
