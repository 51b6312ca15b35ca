// `smtp-tui serve`'s command line, declared once for both programs: smtp-tui-net parses and runs it, and smtp-tui,
// which hands `serve` over to smtp-tui-net before parsing anything, lists it whole in its help, man page and shell
// completions. Declarations only: nothing here touches the network.
import ArgumentParser
import SMTPCore

public enum ServeCommandLine {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        // Run through `smtp-tui serve`, whose usage line this keeps.
        _superCommandName: "smtp-tui",
        abstract: "Run the SMTP server for real clients, on a TCP port or on standard input and output.",
        discussion: """
        --listen HOST:PORT serves TCP (loopback only unless --allow-remote); --stdio serves one session on \
        stdin/stdout, like a server started by inetd, e.g.
          swaks --pipe 'smtp-tui serve --stdio --profile mx' --from alice@example.com --to bob@domain.com

        STARTTLS is real on both: a self-signed certificate for the server name is made on first use and kept \
        under $XDG_DATA_HOME/smtp-tui/ (default ~/.local/share/smtp-tui/), or give --cert and --key. Clients \
        must be told to trust it or not to verify it. With --maildir DIR every accepted message is stored in \
        DIR/<recipient>/new/ before the 250 is sent (DIR is made if missing; if it cannot be, serve exits with 2).

        A client is read no faster than it reads its replies, is disconnected when it leaves them unread for \
        --idle-timeout, when its TLS handshake takes longer than --tls-handshake-timeout, and is refused (421 4.7.0) \
        beyond --max-connections-per-client connections from its address.
        """
    )
}

public struct ServeOptions: ParsableArguments {
    public init() {}

    @Flag(help: "Serve one session on standard input and output.")
    public var stdio = false

    @Option(help: ArgumentHelp("Listen on HOST:PORT (e.g. 127.0.0.1:2525, [::1]:2525; port 0 picks a free one).", valueName: "host:port"))
    public var listen: String?

    @Flag(help: "Allow --listen on an address other than loopback (anyone who can reach it can talk to the server).")
    public var allowRemote = false

    @Option(help: "submission: smtp.example.com, port 587, STARTTLS then AUTH required; mail from example.com is DKIM-signed with the world's public TEST key. mx: mx.domain.com, port 25, mail for domain.com only.")
    public var profile: ServerProfile = .submission

    @Option(help: ArgumentHelp("Store every accepted message in this Maildir: DIR/<recipient>/{tmp,new,cur}.", valueName: "dir"))
    public var maildir: String?

    @Option(help: ArgumentHelp("The same as --maildir (kept for older scripts).", valueName: "dir"))
    public var deliverTo: String?

    @Option(help: ArgumentHelp("PEM certificate (chain) for STARTTLS; needs --key.", valueName: "file"))
    public var cert: String?

    @Option(help: ArgumentHelp("PEM private key for --cert.", valueName: "file"))
    public var key: String?

    @Flag(help: "Offer no TLS: STARTTLS is not advertised and is answered 454 4.7.0.")
    public var noTLS = false

    @Option(help: ArgumentHelp("Close a connection silent for this many seconds with 421 4.4.2, or without a word when it left its replies unread that long (Postfix: 300).", valueName: "seconds"))
    public var idleTimeout: Double = 300

    @Option(help: ArgumentHelp("Close a connection whose TLS handshake after STARTTLS is not done within this many seconds.", valueName: "seconds"))
    public var tlsHandshakeTimeout: Double = LiveListener.defaultTLSHandshakeTimeout

    @Option(help: ArgumentHelp("Connections served at once; the next one is answered 421 4.7.0.", valueName: "n"))
    public var maxConnections: Int = 1000

    @Option(help: ArgumentHelp("Connections served at once from one client address; the next one from it is answered 421 4.7.0 (Postfix: 50).", valueName: "n"))
    public var maxConnectionsPerClient: Int = LiveListener.defaultMaxConnectionsPerClient

    @Option(help: ArgumentHelp("How long dave@domain.com's greylisting makes a sender wait.", valueName: "seconds"))
    public var greylistDelay: Double = 5

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (to standard error).", valueName: "level"))
    public var logLevel: String = "info"

    @Option(help: "Scenario to start in (see `smtp-tui world`).")
    public var scenario: String = "normal"

    @Option(help: ArgumentHelp("""
        A directed failure, for testing a client's error handling deterministically: VERB[#N] CODE [X.Y.Z] [TEXT] \
        replaces the reply to the Nth VERB (MAIL and RCPT counted per transaction, anything else per session; no #N: \
        every one) and the command is not run; "." stands for the end of a message. Repeat for more, e.g. \
        --fail 'RCPT#2 452 4.5.3 Error: too many recipients' --fail 'DATA#1 451 4.3.0 Error: try again later'.
        """, valueName: "rule"))
    public var fail: [String] = []
}

extension ServerProfile: ExpressibleByArgument {}
