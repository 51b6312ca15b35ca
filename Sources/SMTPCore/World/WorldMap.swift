// A plain-text map of the world for `smtp-tui world` and the TUI's world view.

public enum WorldMap {
    public static func render(_ world: World) -> String {
        var lines: [String] = []
        lines.append("Server   \(world.serverName)  (submission on port 587; mx on port 25 for \(world.localDomain))")
        lines.append("Client   \(world.clientName)")
        lines.append("")
        lines.append("Users (AUTH on port 587, after STARTTLS)")
        for user in world.users {
            lines.append("  \(user.username)  password: \(user.password)  may send as: \(user.ownedAddresses.joined(separator: ", "))")
        }
        lines.append("")
        lines.append("Mailboxes at \(world.localDomain)")
        for box in world.mailboxes {
            lines.append("  " + pad(box.address, 24) + pad(box.demonstrates, 11) + box.note)
        }
        lines.append("")
        lines.append("Other inputs and the replies they teach")
        for rule in world.rules {
            lines.append("  " + pad(rule.reply, 11) + pad(rule.input, 46) + rule.explanation)
        }
        lines += limits(world, inputWidth: 46)
        lines.append("")
        lines.append("Scenarios (type `scenario NAME` in the terminal, or serve --scenario NAME)")
        for scenario in world.scenarios {
            lines.append("  " + pad(scenario.name, 14) + scenario.summary)
        }
        return lines.joined(separator: "\n")
    }

    /// The whole network: the journey in one paragraph, the servers with their mailboxes and lessons, the DNS zone.
    public static func render(_ network: MailNetwork) -> String {
        var lines: [String] = []
        let sub = network.submissionHost
        lines.append("How mail travels here")
        lines.append("  Alice's mail program (\(network.clientName), \(network.clientAddress)) submits to \(sub.name) on port \(sub.port).")
        lines.append("  \(sub.name) queues the message, asks DNS for the recipient domain's MX, and relays it over port 25")
        lines.append("  to that MX, which stores it in the mailbox. If the MX refuses for good, \(sub.name) sends Alice a")
        lines.append("  bounce (RFC 3464) into her own mailbox; if it says \"try later\" (4xx), the message waits in the queue")
        lines.append("  and is retried once, 6 simulated seconds later. Simplified: no real DNS, one retry only (Postfix keeps")
        lines.append("  trying for days), and forwarded or list mail is followed only to domains of this world.")
        lines.append("")
        for host in network.hosts {
            let w = host.world
            lines.append("Server   \(host.name)  [\(host.address)]  port \(host.port) — \(host.role)")
            if !w.users.isEmpty {
                lines.append("  Logins (AUTH, after STARTTLS)")
                for user in w.users {
                    lines.append("    \(user.username)  password: \(user.password)  may send as: \(user.ownedAddresses.joined(separator: ", "))")
                }
            }
            lines.append("  Mailboxes at \(w.localDomain)")
            for box in w.mailboxes { lines.append("    " + pad(box.address, 24) + pad(box.demonstrates, 11) + box.note) }
            if !w.rules.isEmpty {
                lines.append("  Inputs and the replies they teach (typed to this server)")
                for rule in w.rules { lines.append("    " + pad(rule.reply, 11) + pad(rule.input, 44) + rule.explanation) }
            }
            lines.append("")
        }
        lines.append("DNS (what `MX domain?`, `A host?` and `TXT name?` answer; `smtp-tui world --zone` prints it as a zone file)")
        for record in network.dns.records {
            let text = record.description
            lines.append("  " + (text.count > 110 ? String(text.prefix(107)) + "…" : text))
        }
        lines.append("  any other domain: no MX and no A record — mail to it bounces with 5.4.4 Host or domain name not found")
        lines.append("")
        lines.append("Why mail is trusted (what a receiving MX checks before it answers the final dot)")
        lines.append("  mx.domain.com and mx.elsewhere.org check every message: SPF (may this address send for the MAIL FROM")
        lines.append("  domain? RFC 7208), DKIM (does a domain's signature verify? RFC 6376), DMARC (did either pass for the")
        lines.append("  From: domain, and what does that domain want otherwise? RFC 7489), and write Authentication-Results:")
        lines.append("  (RFC 8601). example.com: only 192.0.2.25 sends its mail (-all), DMARC p=reject — a failing message is")
        lines.append("  refused with 550 5.7.26. elsewhere.org: its MX sends (~all), p=none. mallory.test: its own server, no DMARC.")
        lines.append("  smtp.example.com signs example.com's mail: d=example.com, s=\(World.exampleComSigner.selector), rsa-sha256,")
        lines.append("  relaxed/relaxed, with a fixed TEST key whose private half ships with smtp-tui — public, for teaching only.")
        lines.append("")
        lines.append("Machines to connect from (`connect HOST from NAME`; the server sees that name and address)")
        for machine in network.machines { lines.append("  " + pad(machine.name, 22) + pad(machine.address, 15) + machine.role) }
        lines.append("  " + pad("(any server above)", 22) + pad("", 15) + "a mail server talking to another, as forwarding does")
        lines.append("")
        let w = sub.world
        lines.append("Limits on every server")
        lines += limits(w, inputWidth: 44)
        lines.append("")
        lines.append("Scenarios (type `scenario NAME` in the terminal, or serve --scenario NAME); they change the server you talk to")
        for scenario in w.scenarios { lines.append("  " + pad(scenario.name, 14) + scenario.summary) }
        lines.append("")
        lines.append("In the app: `connect` talks to \(sub.name) (port \(sub.port)); `connect mx.domain.com` talks to domain.com's MX")
        lines.append("directly on port 25, where 550 / 552 / 450 / 251 are answered at RCPT time.")
        return lines.joined(separator: "\n")
    }

    /// The recipient limit and Postfix's error limits, one line each, for both maps.
    static func limits(_ world: World, inputWidth: Int) -> [String] {
        let delay = world.errorDelayTicks / SimulatedTime.ticksPerSecond
        return [
            "  " + pad("452 4.5.3", 11) + pad("more than \(world.scenario.maxRecipients) RCPTs (2 in tight-limits)", inputWidth)
                + "The recipient limit of one transaction.",
            "  " + pad("(slower)", 11) + pad("\(world.softErrorLimit) errors without a delivered message", inputWidth)
                + "smtpd_soft_error_limit: every reply now waits \(delay) s (smtpd_error_sleep_time).",
            "  " + pad("421 4.7.0", 11) + pad("\(world.errorLimit) errors without a delivered message", inputWidth)
                + "smtpd_hard_error_limit: the server hangs up. A delivered message resets the count.",
        ]
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
