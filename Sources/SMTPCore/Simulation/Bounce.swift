// The bounce: when a server has accepted a message and later cannot deliver it, it must tell the sender
// (RFC 5321 §4.5.5 / §6.1) with a delivery status notification (RFC 3464). It travels as an ordinary message in a
// multipart/report (RFC 6522): a part for people, a machine-readable message/delivery-status part, and the
// original message's header. It is sent from the null path <> so that a bounce can never bounce again.

public struct FailedRecipient: Sendable, Equatable {
    public let address: String
    /// RFC 3463 status, e.g. "5.1.1".
    public let status: String
    /// The host that refused it, when one did (nil when DNS already failed).
    public let remoteMTA: String?
    /// "smtp; 550 5.1.1 …" for a refusal, or a description when no server was reached.
    public let diagnostic: String
}

public enum DeliveryReport {
    /// Builds the DSN `reportingMTA` sends to the original envelope sender about `failed` recipients of `original`.
    public static func bounce(of original: StoredMessage, failed: [FailedRecipient], reportingMTA: String,
                              id: String, tick: Int) -> StoredMessage {
        let date = SimulatedTime.rfc5322Date(tick: tick)
        let boundary = "\(id).\(tick)/\(reportingMTA)"
        let to = original.envelopeFrom
        let headers = [
            "Return-Path: <>",
            "Received: by \(reportingMTA) (smtp-tui) id \(id);\n\t\(date)",
            "Date: \(date)",
            "From: MAILER-DAEMON@\(reportingMTA) (Mail Delivery System)",
            "To: \(to)",
            "Subject: Undelivered Mail Returned to Sender",
            "Message-ID: <\(id).\(tick)@\(reportingMTA)>",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"\(boundary)\"",
        ]
        var body = ["This is a MIME-encapsulated message.", "", "--\(boundary)",
                    "Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii", "",
                    "This is the mail system at host \(reportingMTA).", "",
                    "Your message could not be delivered to the recipient(s) below. The message",
                    "was accepted from you, but when this server tried to pass it on, delivery",
                    "failed for good, so it gives up and returns this report to you.", ""]
        for f in failed { body.append("<\(f.address)>: " + (f.remoteMTA.map { "host \($0) said: " } ?? "") + f.diagnostic.dropPrefix("smtp; ")) }
        body += ["", "--\(boundary)", "Content-Description: Delivery report", "Content-Type: message/delivery-status", "",
                 "Reporting-MTA: dns; \(reportingMTA)",
                 "X-Original-Queue-ID: \(original.id)",
                 "Arrival-Date: \(SimulatedTime.rfc5322Date(tick: original.receivedAtTick))"]
        for f in failed {
            body += ["", "Final-Recipient: rfc822; \(f.address)", "Original-Recipient: rfc822;\(f.address)",
                     "Action: failed", "Status: \(f.status)"]
            if let mta = f.remoteMTA { body.append("Remote-MTA: dns; \(mta)") }
            body.append("Diagnostic-Code: \(f.diagnostic)")
        }
        body += ["", "--\(boundary)", "Content-Description: Undelivered Message Headers", "Content-Type: text/rfc822-headers", ""]
        for header in original.headers { body += header.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        body += ["", "--\(boundary)--"]
        let bytes = Array(body.joined(separator: "\n").utf8)
        let size = headers.reduce(0) { $0 + $1.utf8.count + 2 } + 2 + body.reduce(0) { $0 + $1.utf8.count + 2 }
        return StoredMessage(id: id, envelopeFrom: "", recipients: [to], headers: headers, bodyText: bytes,
                             bodyIsEmpty: false, receivedAtTick: tick, size: size)
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
