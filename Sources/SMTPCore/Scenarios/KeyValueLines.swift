// The `key: value` line format that lesson stories and missions share: one entry per line, `#` lines and blank
// lines skipped, CRLF tolerated, the key case-insensitive, one space after the colon dropped.

enum KeyValueLines {
    struct Entry {
        /// 1-based line number in the file.
        let line: Int
        let key: String
        let value: String
    }

    /// The file's entries; a line without a colon is reported through `problem(line, found)`.
    static func entries(_ text: String, problem: (Int, Substring) -> Error) throws -> (entries: [Entry], lineCount: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var entries: [Entry] = []
        for (index, raw) in lines.enumerated() {
            var line = Substring(raw)
            if line.last == "\r" { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "#" { continue }
            guard let colon = line.firstIndex(of: ":") else { throw problem(index + 1, line.prefix(40)) }
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            entries.append(Entry(line: index + 1, key: line[..<colon].trimmingCharacters(in: " ").lowercased(), value: String(value)))
        }
        return (entries, lines.count)
    }
}
