// The date every stored message carries (Received:, Date:) against the C library's own calendar.
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import SMTPCore

@Suite("RFC 5322 date stamps")
struct DateStampTests {
    /// strftime's rendering of the same instant, in the C locale and UTC.
    static func reference(tick: Int) -> String {
        var seconds = time_t(SimulatedTime.epochSeconds + tick / SimulatedTime.ticksPerSecond)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = [CChar](repeating: 0, count: 64)
        let n = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S +0000", &parts)
        return String(decoding: text.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func everyStampMatchesTheCLibrary() {
        // Every hour of a leap year and its neighbours, then steps of about a week for three centuries.
        var ticks = Array(stride(from: 0, to: 3 * 366 * 86_400 * 60, by: 3_600 * 60 + 61))
        ticks += Array(stride(from: 0, to: 300 * 366 * 86_400 * 60, by: 7 * 86_400 * 60 + 3_599 * 60))
        for tick in ticks {
            let stamp = SimulatedTime.rfc5322Date(tick: tick)
            guard stamp == Self.reference(tick: tick) else {
                Issue.record("tick \(tick): \(stamp) instead of \(Self.reference(tick: tick))")
                return
            }
        }
    }
}
