// A stored message as the octets a mail store keeps: every line ended by CRLF (RFC 5322 §2.1), the client's
// octets untouched (NUL, 8-bit, 0xFF), the server's folded header lines included.

extension StoredMessage {
    /// Headers, an empty line, then the body; every LF inside (folding, line breaks) becomes CRLF.
    /// A BDAT message (`rawContent`) is the server's own headers, then the client's octets exactly as sent.
    public var messageBytes: [UInt8] {
        var out: [UInt8] = []
        // Whole runs between line feeds are copied at once (a byte-by-byte append was most of the CPU a 100 KiB
        // message cost the server); the octets are the same: each LF gets a CR in front, the end a CRLF.
        func appendLines(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                while let lf = ServerSession.lineFeed(in: buffer, from: start) {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<lf]))
                    out.append(0x0D); out.append(0x0A)
                    start = lf + 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
            }
            out.append(0x0D); out.append(0x0A)
        }
        if let raw = rawContent {
            for header in headerBytes.prefix(addedHeaderCount) { appendLines(header) }
            return out + raw
        }
        out.reserveCapacity(bodyText.count + bodyText.count / 32 + 512)
        for header in headerBytes { appendLines(header) }
        out.append(0x0D); out.append(0x0A)
        if !bodyIsEmpty { appendLines(bodyText) }
        return out
    }
}
