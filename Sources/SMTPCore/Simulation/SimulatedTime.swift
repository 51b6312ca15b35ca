// The simulation's calendar: tick 0 is a fixed instant and 60 ticks make one second, so every timestamp a
// message carries is reproducible. No wall clock is ever read inside SMTPCore.

public enum SimulatedTime {
    /// Ticks per simulated second. Animations, typing and server latency are all counted in these.
    public static let ticksPerSecond = 60
    /// Tick 0 is Monday 30 November 2026, 09:00:00 UTC (Unix seconds).
    public static let epochSeconds = 1_796_029_200

    /// An RFC 5322 date-time such as "Mon, 30 Nov 2026 09:00:05 +0000".
    public static func rfc5322Date(tick: Int) -> String {
        let seconds = epochSeconds + max(0, tick) / ticksPerSecond
        let days = seconds / 86_400, secondOfDay = seconds % 86_400
        let (y, m, d) = civilDate(daysSince1970: days)
        // Written octet by octet into one string: a real server stamps every message, and the interpolation
        // (two arrays and nine strings) cost more than the rest of its Received: line.
        let weekdays: StaticString = "ThuFriSatSunMonTueWed"
        let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        return String(unsafeUninitializedCapacity: 40) { out in
            var at = 0
            func put(_ byte: UInt8) { out[at] = byte; at += 1 }
            func name(_ table: StaticString, _ index: Int) { for i in 0..<3 { put(table.utf8Start[index * 3 + i]) } }
            func two(_ n: Int) { put(UInt8(ascii: "0") + UInt8(n / 10 % 10)); put(UInt8(ascii: "0") + UInt8(n % 10)) }
            name(weekdays, days % 7); put(UInt8(ascii: ",")); put(UInt8(ascii: " "))
            two(d); put(UInt8(ascii: " ")); name(months, m - 1); put(UInt8(ascii: " "))
            for digit in String(y).utf8 { put(digit) }
            put(UInt8(ascii: " ")); two(secondOfDay / 3600); put(UInt8(ascii: ":")); two(secondOfDay / 60 % 60)
            put(UInt8(ascii: ":")); two(secondOfDay % 60)
            for octet in " +0000".utf8 { put(octet) }
            return at
        }
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) — Howard Hinnant's civil_from_days.
    static func civilDate(daysSince1970 z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
