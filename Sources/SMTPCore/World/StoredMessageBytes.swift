// A stored message as the octets a mail store keeps: every line ended by CRLF (RFC 5322 §2.1), the client's
// octets untouched (NUL, 8-bit, 0xFF), the server's folded header lines included.

extension StoredMessage {
    /// Headers, an empty line, then the body; every LF inside (folding, line breaks) becomes CRLF.
    /// A BDAT message (`rawContent`) is the server's own headers, then the client's octets exactly as sent.
    public var messageBytes: [UInt8] {
        // Measured first, then filled with one copy per line: each run between line feeds is copied at once and
        // gets CRLF after it (an append per line, let alone per octet, was most of what a 100 KiB message cost
        // the server). The octets are the definition's: each LF gets a CR in front, each piece a CRLF at its end.
        func lineFeeds(_ bytes: [UInt8]) -> Int {
            bytes.withUnsafeBufferPointer { buffer in
                var count = 0, at = 0
                while let lf = ServerSession.lineFeed(in: buffer, from: at) { count += 1; at = lf + 1 }
                return count
            }
        }
        let lines = rawContent != nil ? headerBytes.prefix(addedHeaderCount)[...] : headerBytes[...]
        var total = (rawContent?.count ?? 2) + (rawContent == nil && !bodyIsEmpty ? bodyText.count + lineFeeds(bodyText) + 2 : 0)
        for header in lines { total += header.count + lineFeeds(header) + 2 }
        // Exactly `total` octets are written; the checks stop the program rather than write past the end, should
        // the measuring and the filling ever disagree.
        return [UInt8](unsafeUninitializedCapacity: total) { out, filled in
            guard let base = out.baseAddress else { filled = 0; return }
            var at = 0
            func copy(_ from: UnsafeBufferPointer<UInt8>) {
                guard let source = from.baseAddress, from.count > 0 else { return }
                precondition(at + from.count <= total, "messageBytes: measured too short")
                (base + at).update(from: source, count: from.count)
                at += from.count
            }
            func crlf() {
                precondition(at + 2 <= total, "messageBytes: measured too short")
                base[at] = 0x0D; base[at + 1] = 0x0A; at += 2
            }
            func copyLines(_ bytes: [UInt8]) {
                bytes.withUnsafeBufferPointer { buffer in
                    var start = 0
                    while let lf = ServerSession.lineFeed(in: buffer, from: start) {
                        copy(UnsafeBufferPointer(rebasing: buffer[start..<lf]))
                        crlf()
                        start = lf + 1
                    }
                    copy(UnsafeBufferPointer(rebasing: buffer[start...]))
                }
                crlf()
            }
            for header in lines { copyLines(header) }
            if let raw = rawContent {
                raw.withUnsafeBufferPointer { copy($0) }
            } else {
                crlf()
                if !bodyIsEmpty { copyLines(bodyText) }
            }
            filled = at
        }
    }
}

extension StoredMessage {
    /// The message as it travels on: every header field but the first two (this server's Return-Path: and
    /// Received:), then the body — what a signer signs and the next hop receives.
    public var contentBehindTrace: [UInt8] {
        let (fields, body) = MessageOctets.split(messageBytes)
        return MessageOctets.join(Array(fields.dropFirst(2)), body: body)
    }

    /// The same message with one more header field of this server's own at `index` (folded lines joined by LF).
    public func inserting(_ field: String, at index: Int) -> StoredMessage {
        var headers = self.headers, bytes = headerBytes
        let at = min(index, headers.count)
        headers.insert(field, at: at)
        bytes.insert(Array(field.utf8), at: min(at, bytes.count))
        return StoredMessage(id: id, envelopeFrom: envelopeFrom, recipients: recipients, headers: headers, headerBytes: bytes,
                             bodyText: bodyText, bodyIsEmpty: bodyIsEmpty, receivedAtTick: receivedAtTick, size: size,
                             rawContent: rawContent, addedHeaderCount: addedHeaderCount + 1, dsn: dsn, longestLine: longestLine)
    }
}
