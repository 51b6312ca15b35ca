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
        lines.append("  " + pad("452 4.5.3", 11) + pad("more than \(world.scenario.maxRecipients) RCPTs (2 in tight-limits)", 46)
                     + "The recipient limit of one transaction.")
        let delay = world.errorDelayTicks / SimulatedTime.ticksPerSecond
        lines.append("  " + pad("(slower)", 11) + pad("\(world.softErrorLimit) errors without a delivered message", 46)
                     + "smtpd_soft_error_limit: every reply now waits \(delay) s (smtpd_error_sleep_time).")
        lines.append("  " + pad("421 4.7.0", 11) + pad("\(world.errorLimit) errors without a delivered message", 46)
                     + "smtpd_hard_error_limit: the server hangs up. A delivered message resets the count.")
        lines.append("")
        lines.append("Scenarios (type `scenario NAME` in the terminal, or serve --scenario NAME)")
        for scenario in world.scenarios {
            lines.append("  " + pad(scenario.name, 14) + scenario.summary)
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
