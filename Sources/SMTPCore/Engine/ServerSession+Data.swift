// The message itself: DATA (RFC 5321 §4.1.1.4), dot-unstuffing (§4.5.2), the end of data, and the stored
// message with the headers this server adds (Received:, and on submission Message-ID:/Date:/From:).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ServerSession {
    mutating func data(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "DATA")
        guard phase != .connected else { return needHello(cause, into: &out) }
        guard argument.allSatisfy({ $0 == " " }) else {
            return reply(Reply(501, EnhancedStatusCode(5, 5, 4), "Syntax: DATA"), to: cause, into: &out)
        }
        guard phase == .mail || phase == .rcpt else {
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need MAIL command"), to: cause, into: &out)
        }
        guard !bdatUsed else {
            // RFC 3030 §2/§4: BDAT and DATA must not be mixed in one transaction; 503, and only RSET (or BDAT …
            // LAST) gets the client out. Postfix's words.
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: DATA after BDAT"), to: cause, into: &out)
        }
        guard phase == .rcpt else {
            // Postfix: 554 when every RCPT was refused, 503 when none was even tried (RFC 5321 §3.3).
            if rejectedRecipients > 0 {
                return reply(Reply(554, EnhancedStatusCode(5, 5, 1), "Error: no valid recipients"), to: cause, into: &out)
            }
            return reply(Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need RCPT command"), to: cause, into: &out)
        }
        phase = .data
        body.removeAll(keepingCapacity: true); bodyLineCount = 0
        if body.capacity < 4096 { body.reserveCapacity(4096) }  // one allocation for most messages, not a dozen
        bodySize = 0; bodyLongestLine = 0; bodyMatchesContentRule = false; bodyOverSize = false
        reply(Reply(354, nil, "End data with <CR><LF>.<CR><LF>"), to: cause, into: &out)
    }

    mutating func handleBodyLine(_ line: FramedLine, into out: inout [SessionOutput]) {
        line.bytes.withUnsafeBufferPointer { handleBody($0, overflowed: line.overflowed, length: line.length, into: &out) }
    }

    /// One line of message text without its line end (at most the data line limit + 1 octets are passed when the
    /// line was longer; `length` is its real length).
    mutating func handleBody(_ line: UnsafeBufferPointer<UInt8>, overflowed: Bool, length: Int, into out: inout [SessionOutput]) {
        if !overflowed, line.count == 1, line[0] == 0x2E { return finishMessage(into: &out) }
        // RFC 5321 §4.5.2: a leading dot was doubled by the client; remove one.
        let bytes = line.first == 0x2E ? UnsafeBufferPointer(rebasing: line.dropFirst()) : line
        let octets = overflowed ? length : bytes.count
        if octets > bodyLongestLine { bodyLongestLine = octets }
        bodySize += octets + 2
        if overflowed || bodySize > world.scenario.maxMessageSize { bodyOverSize = true }
        guard !bodyOverSize else { return }  // keep counting, stop storing: memory stays bounded
        if !bodyMatchesContentRule, Self.contains(bytes, contentMarker) { bodyMatchesContentRule = true }
        if bodyLineCount > 0 { body.append(0x0A) }
        body.append(contentsOf: bytes)
        bodyLineCount += 1
    }

    mutating func finishMessage(into out: inout [SessionOutput]) {
        let cause = ReplyCause.messageEnd
        defer { resetTransaction(); body.removeAll(keepingCapacity: true); bodyLineCount = 0 }
        phase = .greeted
        if bodyOverSize || (declaredSize.map { $0 > world.scenario.maxMessageSize } ?? false) {
            return reply(Reply(552, EnhancedStatusCode(5, 3, 4), "Message size exceeds fixed limit"), to: cause, into: &out)
        }
        if let failure = directedFailure(for: ".") { return reply(failure, to: cause, into: &out) }
        if bodyMatchesContentRule {
            return reply(Reply(554, EnhancedStatusCode(5, 7, 1), "Message rejected: content matches a spam rule (\(world.contentRuleMarker))"),
                         to: cause, into: &out)
        }
        messageCounter += 1
        let id = queueID(messageCounter)
        guard let message = signOrCheck(composeStoredMessage(id: id, content: body, lineCount: bodyLineCount), into: &out) else { return }
        deliver(message)
        reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok: queued as \(id)"), to: cause, into: &out)
        out.append(.delivered(message))
    }

    /// What a mail system does beyond SMTP with an accepted message: a submission server with a signer signs its
    /// domain's mail (DKIM, RFC 6376 §5); an MX with trust checks judges SPF, DKIM and DMARC, writes
    /// Authentication-Results above its Received: (RFC 8601 §4), or refuses with 550 5.7.26 when the From: domain's
    /// DMARC policy says reject (RFC 7489 §6.6.2, RFC 7372 §3.4). Nil when the message was refused.
    mutating func signOrCheck(_ message: StoredMessage, into out: inout [SessionOutput]) -> StoredMessage? {
        let unixNow = SimulatedTime.epochSeconds + (now >= 0 ? now : now - (SimulatedTime.ticksPerSecond - 1)) / SimulatedTime.ticksPerSecond
        if profile == .submission, let signer = world.signer {
            // Signed as it leaves: everything but this server's own Return-Path: and Received:, which the next hop
            // does not get or adds again (OpenDKIM signs as Postfix hands it the message, before it queues it).
            let content = message.contentBehindTrace
            let froms = MessageOctets.split(content).fields.filter { $0.name.lowercased() == "from" }
            guard froms.count == 1, let author = DMARC.authorDomain(froms[0].value),
                  author == signer.domain || author.hasSuffix("." + signer.domain),
                  let field = try? signer.signatureField(for: content, timestamp: unixNow) else { return message }
            return message.inserting(field, at: 1)
        }
        guard profile == .mx, let checks = world.trust else { return message }
        let verdict = MailAuthenticator.check(content: message.contentBehindTrace, clientAddress: world.clientAddress,
                                              helo: clientName ?? "", mailFrom: reversePath ?? "", checks: checks,
                                              authservID: world.serverName, now: unixNow)
        authentications.append(verdict)
        if verdict.rejects {
            reply(verdict.rejection, to: .messageEnd, into: &out)
            return nil
        }
        return message.inserting(verdict.headerField, at: 1)
    }

    /// Puts an accepted message in its recipients' inboxes (or the outbound queue) and forgives earlier errors.
    mutating func deliver(_ message: StoredMessage) {
        if storesMessages {
            for rcpt in recipients {
                if let box = world.mailbox(rcpt), box.behaviour.sendsOn {
                    store.outbound.append(message)
                } else if world.mailbox(rcpt) != nil {
                    store.inboxes[rcpt.lowercased(), default: []].append(message)
                } else {
                    store.outbound.append(message)
                }
            }
        }
        forgiveErrors()
    }

    /// The stored message: `content` is the message's lines joined by LF (`lineCount` of them); `raw` the exact
    /// octets of a BDAT message.
    func composeStoredMessage(id: String, content body: [UInt8], lineCount bodyLineCount: Int, raw: [UInt8]? = nil) -> StoredMessage {
        let from = reversePath ?? ""
        let stamp = SimulatedTime.rfc5322Date(tick: now)
        let with = receivedProtocol
        var received = "Received: from "
        received.reserveCapacity(256)
        // One append at a time into the reserved buffer: a chain of + would build a temporary string per step.
        for piece in [clientName ?? "unknown", " (", world.clientName, " [", world.clientAddress, "])\n\tby ", world.serverName,
                      " (smtp-tui) with ", with, " id ", id] { received += piece }
        if recipients.count == 1 { received += "\n\tfor <"; received += recipients[0]; received += ">" }
        received += ";\n\t"; received += stamp
        var returnPath = "Return-Path: <"
        returnPath += from; returnPath += ">"
        var headers = [returnPath, received]
        // Split the client's header block from the body at the first empty line, if it starts with a header.
        var clientHeaders: [String] = [], headerLines = 0, bodyStart = 0, bodyLines = bodyLineCount
        var rawClientHeaders: [[UInt8]] = []  // the same lines as octets, for storage that must not alter them
        let firstEnd = body.firstIndex(of: 0x0A) ?? body.endIndex
        if bodyLineCount > 0, Self.looksLikeHeader(String(decoding: body[..<firstEnd], as: UTF8.self)) {
            var lineStart = 0
            bodyLines = 0
            bodyStart = body.count
            while true {
                let lineEnd = body[lineStart...].firstIndex(of: 0x0A) ?? body.endIndex
                if lineEnd == lineStart {  // the empty separator line
                    bodyStart = min(body.count, lineEnd + 1)
                    bodyLines = bodyLineCount - headerLines - 1
                    break
                }
                let line = String(decoding: body[lineStart..<lineEnd], as: UTF8.self)
                headerLines += 1
                // A line starting with a space or tab continues the header above it (RFC 5322 §2.2.3 folding).
                if let first = line.utf8.first, first == 0x20 || first == 0x09, !clientHeaders.isEmpty {
                    clientHeaders[clientHeaders.count - 1] += "\n" + line
                    rawClientHeaders[rawClientHeaders.count - 1] += [0x0A] + body[lineStart..<lineEnd]
                } else {
                    clientHeaders.append(line)
                    rawClientHeaders.append(Array(body[lineStart..<lineEnd]))
                }
                if lineEnd == body.endIndex { break }
                lineStart = lineEnd + 1
            }
        }
        func has(_ name: StaticString) -> Bool { clientHeaders.contains { Self.hasASCIIPrefix($0[...], name) } }
        // A submission server completes what the client left out (RFC 6409 §8). A port-25 server leaves mail from
        // remote clients as it came: Postfix ≥ 2.6 adds these headers only for local clients
        // (local_header_rewrite_clients), and RFC 5321 §3.6.1 has relays leave the content alone.
        var completed: [String] = []
        if profile == .submission {
            if !has("MESSAGE-ID:") { completed.append("Message-ID: <\(id).\(now)@\(world.serverName)>") }
            if !has("DATE:") { completed.append("Date: \(stamp)") }
            if !has("FROM:"), !from.isEmpty { completed.append("From: <\(from)>") }
        }
        // A BDAT message keeps the client's octets untouched, so what the server adds goes in front of them.
        let own = headers.map { Array($0.utf8) }, added = completed.map { Array($0.utf8) }
        let headerBytes = raw != nil ? own + added + rawClientHeaders : own + rawClientHeaders + added
        if raw != nil { headers += completed + clientHeaders } else { headers += clientHeaders + completed }
        return StoredMessage(id: id, envelopeFrom: from, recipients: recipients, headers: headers, headerBytes: headerBytes,
                             bodyText: Array(body[bodyStart...]), bodyIsEmpty: bodyLines == 0, receivedAtTick: now,
                             size: bodySize, rawContent: raw, addedHeaderCount: raw != nil ? 2 + completed.count : 2,
                             dsn: dsnEnvelope, longestLine: raw == nil ? bodyLongestLine : 0)
    }

    /// The "with" keyword of the Received: header: SMTP after HELO; after EHLO ESMTP, with S for TLS and A for an
    /// authenticated client (RFC 3848), and the UTF8SMTP family when the transaction used SMTPUTF8 (RFC 6531
    /// §3.7.3, values from its §4.3). Like Postfix, S and A are added to the ESMTP forms only.
    var receivedProtocol: String {
        guard extended else { return "SMTP" }
        return (smtputf8 ? "UTF8SMTP" : "ESMTP") + (tlsActive ? "S" : "") + (authenticatedUser != nil ? "A" : "")
    }

    /// Byte search for the content rule's marker (String.contains is far slower on the hot body path).
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { contains($0, needle) }
    }

    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard hay.count >= needle.count else { return false }
        guard let base = hay.baseAddress else { return false }
        return needle.withUnsafeBufferPointer { pin in
            guard let pinBase = pin.baseAddress else { return true }
            var offset = 0
            let lastStart = hay.count - pin.count
            while offset <= lastStart {
                guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return false }
                let at = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
                if memcmp(base + at, pinBase, pin.count) == 0 { return true }
                offset = at + 1
            }
            return false
        }
    }

    /// "Name: value" where the name is printable ASCII without spaces (RFC 5322 §2.2).
    static func looksLikeHeader(_ line: String) -> Bool {
        var sawName = false
        for b in line.utf8 {
            if b == UInt8(ascii: ":") { return sawName }
            guard b > 32 && b < 127 else { return false }
            sawName = true
        }
        return false
    }
}
