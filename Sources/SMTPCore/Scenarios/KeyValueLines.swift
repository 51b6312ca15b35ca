// The `key: value` line format that lesson stories and missions share: one entry per line, `#` lines and blank
// lines skipped, CRLF tolerated, the key case-insensitive, one space after the colon dropped.
//
// The lines are cut on UTF-8 octets rather than Characters: the app reads every built-in story and mission before
// it is usable, and splitting by grapheme clusters was a quarter of its start-up time. It also makes CRLF work:
// "\r\n" is one Character, so a split on "\n" never cut a CRLF file into lines.

enum KeyValueLines {
    struct Entry {
        /// 1-based line number in the file.
        let line: Int
        let key: String
        let value: String
    }

    /// The file's entries; a line without a colon is reported through `problem(line, found)`.
    static func entries(_ text: String, problem: (Int, Substring) -> Error) throws -> (entries: [Entry], lineCount: Int) {
        var text = text
        return try text.withUTF8 { octets in
            var entries: [Entry] = []
            var lineNumber = 0
            var start = 0
            while start <= octets.count {
                lineNumber += 1
                var end = start
                while end < octets.count && octets[end] != 0x0A { end += 1 }
                let next = end + 1
                if end > start && octets[end - 1] == 0x0D { end -= 1 }
                let line = UnsafeBufferPointer(rebasing: octets[start..<end])
                start = next
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) || line.first == 0x23 { continue }  // blank, or "#"
                guard let colon = line.firstIndex(of: 0x3A) else {
                    throw problem(lineNumber, Substring(String(decoding: line, as: UTF8.self)).prefix(40))
                }
                var keyStart = 0, keyEnd = colon
                while keyStart < keyEnd && line[keyStart] == 0x20 { keyStart += 1 }
                while keyEnd > keyStart && line[keyEnd - 1] == 0x20 { keyEnd -= 1 }
                var valueStart = colon + 1
                if valueStart < line.count && line[valueStart] == 0x20 { valueStart += 1 }
                let key = String(decoding: UnsafeBufferPointer(rebasing: line[keyStart..<keyEnd]), as: UTF8.self)
                entries.append(Entry(line: lineNumber, key: key.lowercased(),
                                     value: String(decoding: UnsafeBufferPointer(rebasing: line[valueStart...]), as: UTF8.self)))
            }
            return (entries, lineNumber)
        }
    }
}
