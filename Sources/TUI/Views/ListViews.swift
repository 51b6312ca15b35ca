// The command list, the status-code table and the code examples.
import SMTPCore

extension Frame {
    mutating func commandList(_ state: AppState, _ rect: Rect) {
        let inner = pane(rect, title: "SMTP commands · trust", focused: state.focus == .commands)
        hit(rect, .pane(.commands))
        guard inner.height > 0 else { return }
        // The commands, then the reference on trust (SPF, DKIM, DMARC, Authentication-Results), numbered on.
        let entries = CommandCatalogue.all.map { (title: $0.title, summary: $0.summary) }
            + TrustCatalogue.all.map { (title: $0.title, summary: $0.summary) }
        let rowsPerEntry = inner.height >= entries.count * 2 + 1 ? 2 : 1
        let visible = max(1, (inner.height - 1) / rowsPerEntry)
        let first = max(0, min(state.commandIndex - visible / 2, entries.count - visible))
        for (row, index) in (first..<min(entries.count, first + visible)).enumerated() {
            let entry = entries[index]
            let y = inner.y + row * rowsPerEntry
            let selected = index == state.commandIndex
            let line = Rect(x: inner.x, y: y, width: inner.width, height: rowsPerEntry)
            let marker = selected ? (ascii ? ">" : "▸") : " "
            buffer.putTruncated("\(marker)\(String(index + 1).leftPadded(2)) \(entry.title)", x: inner.x, y: y, width: inner.width, role: selected ? .selection : .text)
            if selected { buffer.restyle(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            if rowsPerEntry == 2 { buffer.putTruncated("    \(entry.summary)", x: inner.x, y: y + 1, width: inner.width, role: .muted) }
            hit(line, .commandRow(index))
        }
        let footer = "Enter/click: details"
        buffer.put(footer, x: inner.x, y: inner.maxY - 1, role: .muted, clip: inner)
    }

    mutating func statusCodes(_ state: AppState, _ rect: Rect) {
        let inner = pane(rect, title: "SMTP status codes", focused: state.focus == .codes)
        hit(rect, .pane(.codes))
        guard inner.height > 2 else { return }
        // Filter chips.
        var x = inner.x
        for (label, filter) in [("all", nil), ("2xx", ReplyClass.positiveCompletion), ("3xx", .positiveIntermediate),
                                ("4xx", .transientNegative), ("5xx", .permanentNegative)] as [(String, ReplyClass?)] {
            let on = state.codeFilter == filter
            let start = x
            x = buffer.put(on ? "[\(label)]" : " \(label) ", x: x, y: inner.y, role: on ? .selection : .muted, clip: inner) + 1
            hit(Rect(x: start, y: inner.y, width: x - start, height: 1), .codeFilter(filter))
        }
        buffer.put("f filter · Enter details", x: x + 1, y: inner.y, role: .muted, clip: inner)
        let codes = state.visibleCodes
        let detailHeight = min(8, inner.height / 3)
        let table = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: inner.height - 3 - detailHeight)
        // The meaning column takes what the longest meaning needs, up to two fifths of the row; a longer one is
        // cut with an ellipsis.
        let longest = StatusCatalogue.all.map { TextWidth.width(of: $0.meaning) }.max() ?? 20
        let meaningWidth = min(longest + 2, max(10, table.width * 2 / 5))
        buffer.put("Code  " + "Meaning".rightPadded(meaningWidth) + "Description", x: table.x, y: inner.y + 1, role: .caption, clip: inner)
        let first = max(0, min(state.codeIndex - table.height / 2, codes.count - table.height))
        for (row, index) in (first..<min(codes.count, first + max(0, table.height))).enumerated() {
            let entry = codes[index]
            let y = table.y + row
            let selected = index == state.codeIndex
            var cx = buffer.put("\(entry.code)  ", x: table.x, y: y, role: selected ? .selection : Role.reply(entry.code), clip: table)
            cx = buffer.put(" " + TextWidth.truncated(entry.meaning, fitting: meaningWidth - 1).rightPadded(meaningWidth - 1), x: cx, y: y, role: selected ? .selection : .text, clip: table)
            buffer.putTruncated(" " + entry.description, x: cx, y: y, width: table.maxX - cx, role: selected ? .selection : .muted)
            if selected { buffer.restyle(Rect(x: table.x, y: y, width: table.width, height: 1), role: .selection) }
            hit(Rect(x: table.x, y: y, width: table.width, height: 1), .codeRow(index))
        }
        // Details of the selected code.
        let detail = Rect(x: inner.x, y: inner.maxY - detailHeight, width: inner.width, height: detailHeight)
        if detail.height > 0, codes.indices.contains(state.codeIndex) {
            let entry = codes[state.codeIndex]
            let trigger = (entry.trigger.scenario.map { "scenario \($0), then " } ?? "") + entry.trigger.lines.joined(separator: " ⏎ ")
            let text = "\(entry.code) \(entry.meaning): \(entry.whenSimulated)\nTry: \(trigger)\nEnhanced codes read class.subject.detail, e.g. 5.1.1 = \(StatusCatalogue.describeEnhanced(EnhancedStatusCode(5, 1, 1)))."
            buffer.wrapped(text, in: detail, role: .caption)
        }
    }

    mutating func examples(_ state: AppState, _ rect: Rect) {
        let inner = pane(rect, title: "Code examples", focused: state.focus == .examples)
        hit(rect, .pane(.examples))
        guard inner.height > 3 else { return }
        var x = inner.x
        // Full titles when they all fit, else the short names, so every language stays clickable.
        let full = CodeExamples.all.reduce(0) { $0 + TextWidth.width(of: $1.title) + 3 } <= inner.width
        for (i, example) in CodeExamples.all.enumerated() {
            let on = i == state.exampleIndex
            let start = x
            let name = full || on ? example.title : example.id
            x = buffer.put(on ? "[\(name)]" : " \(name) ", x: x, y: inner.y, role: on ? .selection : .muted, clip: inner) + 1
            hit(Rect(x: start, y: inner.y, width: x - start, height: 1), .exampleTab(i))
        }
        let example = CodeExamples.all[state.exampleIndex]
        let copy = "[y copy]"
        let cx = inner.maxX - TextWidth.width(of: copy)
        buffer.put(copy, x: cx, y: inner.y + 1, role: .keyhintKey)
        hit(Rect(x: cx, y: inner.y + 1, width: TextWidth.width(of: copy), height: 1), .copyExample)
        let run = state.live?.running != nil ? "[running…]" : "[x run it]"
        let rx = cx - 1 - TextWidth.width(of: run)
        if rx > inner.x + inner.width / 2 {
            buffer.put(run, x: rx, y: inner.y + 1, role: .keyhintKey)
            hit(Rect(x: rx, y: inner.y + 1, width: TextWidth.width(of: run), height: 1), .runExample)
        }
        let lines = example.code.split(separator: "\n", omittingEmptySubsequences: false)
        let notes = Wrap.lines(example.notes, width: inner.width)
        let notesHeight = min(notes.count, max(1, (inner.height - 3) / 3))
        let body = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: inner.height - 2 - notesHeight)
        let scroll = min(state.exampleScroll, max(0, lines.count - body.height))
        let longest = lines.map { TextWidth.width(of: $0) }.max() ?? 0
        let column = min(state.exampleColumn, max(0, longest - (body.width - 4)))
        for (row, line) in lines.dropFirst(scroll).prefix(body.height).enumerated() {
            let number = String(scroll + row + 1).leftPadded(3) + " "
            buffer.put(number, x: body.x, y: body.y + row, role: .muted, clip: body)
            // Code is drawn shifted left by `column` and clipped to the area right of the line numbers.
            let code = Rect(x: body.x + 4, y: body.y + row, width: body.width - 4, height: 1)
            var lx = code.x - column
            for token in Highlighter.tokens(TextWidth.expandingTabs(line), language: example.language) {
                lx = buffer.put(token.text, x: lx, y: code.y, role: token.role, clip: code)
            }
            if lx > code.maxX { buffer.put(ascii ? ">" : "›", x: code.maxX - 1, y: code.y, role: .muted) }
            if column > 0 && lx > code.x { buffer.put(ascii ? "<" : "‹", x: code.x, y: code.y, role: .muted) }
        }
        for (i, line) in notes.prefix(notesHeight).enumerated() {
            buffer.put(line, x: inner.x, y: inner.maxY - notesHeight + i, role: .caption, clip: inner)
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
    func rightPadded(_ n: Int) -> String {
        let w = TextWidth.width(of: self)
        return w >= n ? self : self + String(repeating: " ", count: n - w)
    }
}
