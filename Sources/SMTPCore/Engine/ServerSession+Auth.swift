// AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms.

extension ServerSession {
    mutating func auth(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "AUTH")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard profile == .submission else {
            // Postfix's reply on a port-25 server without SASL.
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: authentication not enabled"), to: cause, into: &out)
        }
        guard extended else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send EHLO first (HELO offers no extensions)"), to: cause, into: &out)
        }
        guard tlsActive else {
            // RFC 4954 §6: 538 5.7.11 "Encryption required for requested authentication mechanism".
            return reply(Reply(538, EnhancedStatusCode(5, 7, 11), "Encryption required for requested authentication mechanism"),
                         to: cause, into: &out)
        }
        guard authenticatedUser == nil else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: already authenticated"), to: cause, into: &out)
        }
        guard !inTransaction else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: MAIL transaction in progress"), to: cause, into: &out)
        }
        let words = argument.split(separator: " ")
        guard let mechanism = words.first?.uppercased(), words.count <= 2 else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: AUTH mechanism [initial-response]"), to: cause, into: &out)
        }
        let initial = words.count == 2 ? String(words[1]) : nil
        switch mechanism {
        case "PLAIN":
            authMechanism = "PLAIN"
            if let initial { return finishPlain(initial, cause: cause, into: &out) }
            phase = .auth
            reply(Reply(334, nil, ""), to: cause, into: &out)  // empty challenge: "334 " (RFC 4954 §4)
        case "LOGIN":
            authMechanism = "LOGIN"
            authUsername = nil
            if let initial {
                guard let name = decodeAuthText(initial) else { return cannotDecode(cause, into: &out) }
                authUsername = name
                phase = .auth
                return reply(Reply(334, nil, Base64.encode(Array("Password:".utf8))), to: cause, into: &out)
            }
            phase = .auth
            reply(Reply(334, nil, Base64.encode(Array("Username:".utf8))), to: cause, into: &out)
        default:
            // RFC 4954 §4: 504 for a mechanism the server does not support.
            reply(Reply(504, EnhancedStatusCode(5, 5, 4), "Unrecognized authentication type"), to: cause, into: &out)
        }
    }

    mutating func handleAuthResponse(_ line: FramedLine, into out: inout [SessionOutput]) {
        let cause = ReplyCause.authResponse
        let text = String(decoding: line.bytes, as: UTF8.self).trimmingCharacters(in: " ")
        phase = .greeted
        if line.overflowed { return cannotDecode(cause, into: &out) }
        if text == "*" {
            // RFC 4954 §4: the client cancels with "*"; the server answers 501.
            return reply(Reply(501, EnhancedStatusCode(5, 7, 0), "Authentication aborted"), to: cause, into: &out)
        }
        if authMechanism == "PLAIN" { return finishPlain(text, cause: cause, into: &out) }
        // LOGIN: username first, then password.
        guard let decoded = decodeAuthText(text) else { return cannotDecode(cause, into: &out) }
        if authUsername == nil {
            authUsername = decoded
            phase = .auth
            return reply(Reply(334, nil, Base64.encode(Array("Password:".utf8))), to: cause, into: &out)
        }
        checkCredentials(user: authUsername ?? "", password: decoded, cause: cause, into: &out)
    }

    mutating func finishPlain(_ response: String, cause: ReplyCause, into out: inout [SessionOutput]) {
        phase = .greeted
        // "=" is an empty initial response (RFC 4954 §4).
        guard let bytes = response == "=" ? [] : Base64.decode(response) else { return cannotDecode(cause, into: &out) }
        // RFC 4616: [authzid] NUL authcid NUL passwd
        let fields = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return authFailed(cause, into: &out) }
        let authzid = String(decoding: fields[0], as: UTF8.self)
        let user = String(decoding: fields[1], as: UTF8.self)
        guard authzid.isEmpty || authzid == user else { return authFailed(cause, into: &out) }
        checkCredentials(user: user, password: String(decoding: fields[2], as: UTF8.self), cause: cause, into: &out)
    }

    mutating func checkCredentials(user: String, password: String, cause: ReplyCause, into out: inout [SessionOutput]) {
        phase = .greeted
        guard let account = world.users.first(where: { $0.username.lowercased() == user.lowercased() }),
              account.password == password else { return authFailed(cause, into: &out) }
        authenticatedUser = account.username
        reply(Reply(235, EnhancedStatusCode(2, 7, 0), "Authentication successful"), to: cause, into: &out)
        out.append(.authenticated(user: account.username))
    }

    mutating func authFailed(_ cause: ReplyCause, into out: inout [SessionOutput]) {
        // RFC 4954 §6 and Postfix's wording; never say whether the user or the password was wrong.
        reply(Reply(535, EnhancedStatusCode(5, 7, 8), "Error: authentication failed: authentication failure"), to: cause, into: &out)
    }

    mutating func cannotDecode(_ cause: ReplyCause, into out: inout [SessionOutput]) {
        phase = .greeted
        reply(Reply(501, EnhancedStatusCode(5, 5, 2), "Cannot decode response"), to: cause, into: &out)
    }

    func decodeAuthText(_ text: String) -> String? {
        Base64.decode(text).map { String(decoding: $0, as: UTF8.self) }
    }
}
