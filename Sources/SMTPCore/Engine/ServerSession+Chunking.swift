// CHUNKING (RFC 3030): BDAT <size> [LAST] sends the message in chunks of exactly <size> octets each, with no
// dot-stuffing and no end marker, so the content arrives byte for byte as sent. The replies are Postfix's.

/// A BDAT chunk being read.
struct PendingChunk: Sendable {
    /// Octets still to read.
    var remaining: Int
    let size: Int
    let last: Bool
    /// The reply for a chunk that is read only to be thrown away (the command was refused); nil when it is kept.
    let refusal: Reply?
}

extension ServerSession {
    mutating func bdat(_ argument: Substring, into out: inout [SessionOutput]) {
        let cause = ReplyCause.command(verb: "BDAT")
        let words = argument.split(separator: " ")
        guard (1...2).contains(words.count), (1...15).contains(words[0].utf8.count),
              words[0].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let size = Int(words[0]),
              words.count == 1 || words[1].uppercased() == "LAST" else {
            // Without a size the server cannot tell where the chunk ends, so it cannot read on: Postfix hangs up
            // with 521 rather than take the chunk's octets for commands.
            out.append(.reply(delayed(Reply(521, EnhancedStatusCode(5, 5, 4), "Syntax: BDAT count [LAST]")), cause: cause))
            chunk = nil
            phase = .closed
            out.append(.closed)
            return
        }
        let last = words.count == 2
        var refusal: Reply?
        switch phase {
        case .connected:
            refusal = Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send HELO/EHLO first")
        case _ where !extended:
            refusal = Reply(503, EnhancedStatusCode(5, 5, 1), "Error: send EHLO first (HELO offers no extensions)")
        case .mail:
            refusal = rejectedRecipients > 0 ? Reply(554, EnhancedStatusCode(5, 5, 1), "Error: no valid recipients")
                : Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need RCPT command")
        case .rcpt:
            if !bdatUsed {
                // The first chunk of the transaction: from now on DATA, MAIL and RCPT are out of order.
                bdatUsed = true
                body.removeAll(keepingCapacity: true); bodySize = 0; bodyOverSize = false
            }
            if let failure = bdatFailure {
                // RFC 3030 §4: after a failed chunk the transaction has failed; the client should stop, and any
                // chunk it still sends gets the same answer until LAST ends the transaction.
                refusal = failure
            } else if size == 0 && !last {
                refusal = Reply(551, EnhancedStatusCode(5, 7, 1), "Null BDAT request")
            } else if size > world.scenario.maxMessageSize - bodySize {
                let tooBig = Reply(552, EnhancedStatusCode(5, 3, 4), "Chunk exceeds message size limit")
                bdatFailure = tooBig
                refusal = tooBig
            }
        default:
            refusal = Reply(503, EnhancedStatusCode(5, 5, 1), "Error: need MAIL command")
        }
        // Refused or not, the chunk's octets follow the command and must be read (RFC 3030 §2), or they would be
        // taken for commands.
        chunk = PendingChunk(remaining: size, size: size, last: last, refusal: refusal)
        if size == 0 { finishChunk(into: &out) }
    }

    /// Reads as much of the current chunk as `bytes` holds from `index` on.
    mutating func consumeChunk(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int, into out: inout [SessionOutput]) {
        guard var current = chunk else { return }
        let take = Swift.min(current.remaining, bytes.count - index)
        if current.refusal == nil {
            body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + take)]))
            bodySize += take
        }
        current.remaining -= take
        index += take
        chunk = current
        if current.remaining == 0 { finishChunk(into: &out) }
    }

    mutating func finishChunk(into out: inout [SessionOutput]) {
        guard let done = chunk else { return }
        chunk = nil
        if let refusal = done.refusal {
            let inBDATTransaction = phase == .rcpt && bdatUsed
            reply(refusal, to: done.last && inBDATTransaction ? .messageEnd : .command(verb: "BDAT"), into: &out)
            if done.last && inBDATTransaction { endChunkedTransaction() }
            return
        }
        guard done.last else {
            return reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok: \(done.size) bytes"), to: .command(verb: "BDAT"), into: &out)
        }
        finishChunkedMessage(into: &out)
    }

    mutating func finishChunkedMessage(into out: inout [SessionOutput]) {
        let cause = ReplyCause.messageEnd
        defer { endChunkedTransaction() }
        phase = .greeted
        if let failure = directedFailure(for: ".") { return reply(failure, to: cause, into: &out) }
        if Self.contains(body[...], contentMarker) {
            return reply(Reply(554, EnhancedStatusCode(5, 7, 1), "Message rejected: content matches a spam rule (\(world.contentRuleMarker))"),
                         to: cause, into: &out)
        }
        messageCounter += 1
        let id = queueID(messageCounter)
        let (lines, count) = Self.lfLines(body)
        guard let message = signOrCheck(composeStoredMessage(id: id, content: lines, lineCount: count, raw: body), into: &out) else { return }
        deliver(message)
        // Postfix's words: the total of all chunks, then the queue id.
        reply(Reply(250, EnhancedStatusCode(2, 0, 0), "Ok: \(bodySize) bytes queued as \(id)"), to: cause, into: &out)
        out.append(.delivered(message))
    }

    mutating func endChunkedTransaction() {
        phase = .greeted
        resetTransaction()
        body.removeAll(keepingCapacity: true)
        bodySize = 0
    }

    /// A line-by-line reading of raw content for display: lines end at LF, one CR before it is dropped, and a final
    /// line end does not start another line. Returns the lines joined by LF and their count.
    static func lfLines(_ raw: [UInt8]) -> ([UInt8], Int) {
        guard !raw.isEmpty else { return ([], 0) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var count = 0, start = 0
        while start < raw.count {
            let end = raw[start...].firstIndex(of: 0x0A) ?? raw.count
            var lineEnd = end
            if end < raw.count, lineEnd > start, raw[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if count > 0 { out.append(0x0A) }
            out.append(contentsOf: raw[start..<lineEnd])
            count += 1
            start = end + 1
        }
        return (out, count)
    }
}
