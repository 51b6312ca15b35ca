// STARTTLS (RFC 3207): the switch to TLS, simulated, and the reset of everything learned before it.

extension ServerSession {
    mutating func startTLS(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "STARTTLS")
        guard argument.allSatisfy({ $0 == " " }) else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: STARTTLS"), to: cause, into: &out)
        }
        guard tlsAvailable else {
            // RFC 3207 §4: 454 when TLS is temporarily unavailable (no certificate here).
            return reply(Reply(454, EnhancedStatusCode(4, 7, 0), "TLS not available"), to: cause, into: &out)
        }
        // STARTTLS as the very first command is fine: RFC 3207 does not require EHLO first, and Postfix and
        // aiosmtpd accept it. After HELO it is refused, because HELO turned no extension on.
        guard extended || phase == .connected else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send EHLO first (HELO offers no extensions)"), to: cause, into: &out)
        }
        guard !tlsActive else {
            return reply(Reply(554, EnhancedStatusCode(5, 5, 1), "Error: TLS already active"), to: cause, into: &out)
        }
        guard !inTransaction else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: MAIL transaction in progress"), to: cause, into: &out)
        }
        reply(Reply(220, EnhancedStatusCode(2, 0, 0), "Ready to start TLS"), to: cause, into: &out)
        // RFC 3207 §4.2: after the handshake both sides forget everything learned before it.
        tlsActive = true
        resetTransaction()
        phase = .connected
        extended = false
        clientName = nil
        authenticatedUser = nil
        tlsJustStarted = true
        out.append(.tlsStarted)
    }
}
