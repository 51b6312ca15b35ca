// A stored message as the octets a mail store keeps: every line ended by CRLF (RFC 5322 §2.1), the client's
// octets untouched (NUL, 8-bit, 0xFF), the server's folded header lines included.

extension StoredMessage {
    /// Headers, an empty line, then the body; every LF inside (folding, line breaks) becomes CRLF.
    /// A BDAT message (`rawContent`) is the server's own headers, then the client's octets exactly as sent.
    public var messageBytes: [UInt8] {
        var out: [UInt8] = []
        if let raw = rawContent {
            for header in headerBytes.prefix(addedHeaderCount) {
                for byte in header { if byte == 0x0A { out.append(0x0D) }; out.append(byte) }
                out.append(0x0D); out.append(0x0A)
            }
            return out + raw
        }
        out.reserveCapacity(bodyText.count + bodyText.count / 32 + 512)
        func appendLines(_ bytes: some Collection<UInt8>) {
            for byte in bytes {
                if byte == 0x0A { out.append(0x0D) }
                out.append(byte)
            }
            out.append(0x0D); out.append(0x0A)
        }
        for header in headerBytes { appendLines(header) }
        out.append(0x0D); out.append(0x0A)
        if !bodyIsEmpty { appendLines(bodyText) }
        return out
    }
}
