// What the app and the network side (smtp-tui-net, another process) agree on about a listener before either
// starts one: how its address is written and its default limits. Text and numbers only: no sockets here.

public enum LiveListener {
    /// Seconds from STARTTLS's 220 until the TLS handshake must be done.
    public static let defaultTLSHandshakeTimeout: Double = 10
    /// Connections served at once from one client address (Postfix's smtpd_client_connection_count_limit).
    public static let defaultMaxConnectionsPerClient = 50

    public struct AddressError: Error, CustomStringConvertible {
        public let description: String
    }

    /// HOST:PORT (an IPv6 host may be bracketed) as (host, port).
    public static func parse(_ text: String) throws -> (host: String, port: Int) {
        let usage = AddressError(description: "--listen wants HOST:PORT, e.g. 127.0.0.1:2525")
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw usage
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw usage }
        return (host, port)
    }

    /// Is this listen address on the loopback interface?
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}
