// The only place that talks to ncurses: start and restore the terminal, copy a finished Buffer to the screen
// (ncurses then sends only the cells that changed), and turn terminal input into Actions.
import CNcursesw
import CTerminalGuard
import TUI
#if canImport(Glibc)
import Glibc
#endif

struct TerminalError: Error, CustomStringConvertible {
    let description: String
}

@MainActor
final class NcursesTerminal {
    private(set) var depth: ColorDepth = .none
    private var screen: OpaquePointer?
    private var pairs: [Int: Int32] = [:]
    private var attrCache: [Role: (attr_t, Int32)] = [:]
    private let mouse: Bool
    private var pasting = false
    /// True once the terminal has hung up or reading from it failed: the loop must restore and exit.
    private(set) var isGone = false
    private var pasteBuffer = ""
    private static let pasteStart = Int32(KEY_MAX) + 1
    private static let pasteEnd = Int32(KEY_MAX) + 2

    init(mouse: Bool, noColor: Bool) throws {
        self.mouse = mouse
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        if term.isEmpty || term == "dumb" {
            throw TerminalError(description: "smtp-tui needs a full-screen terminal, but TERM is \(term.isEmpty ? "not set" : "'dumb'"). Run it in a terminal emulator (TERM=xterm-256color, screen-256color, …); for a plain pipe use `smtp-tui serve --stdio`.")
        }
        tg_install()
        tg_save_terminal()
        // newterm instead of initscr: initscr exits the process itself when the terminal type is unknown.
        screen = newterm(Self.terminfoName(term: term, noColor: noColor), fdopen(1, "w"), fdopen(0, "r"))
        guard screen != nil else {
            throw TerminalError(description: "smtp-tui: the terminal type '\(term)' has no terminfo entry here. Try TERM=xterm-256color.")
        }
        raw()
        noecho()
        nonl()
        keypad(shim_stdscr(), true)
        if getenv("ESCDELAY") == nil { set_escdelay(25) }
        curs_set(0)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            let colors = shim_colors()
            depth = shim_direct_color() != 0 ? .direct : colors >= 256 ? .full : colors >= 16 ? .sixteen : colors >= 8 ? .eight : .none
        }
        if mouse {
            mousemask(shim_all_mouse_events(), nil)
            mouseinterval(0)
        }
        // Bracketed paste: the terminal wraps pasted text in ESC[200~ … ESC[201~.
        define_key("\u{1B}[200~", Self.pasteStart)
        define_key("\u{1B}[201~", Self.pasteEnd)
        tg_write("\u{1B}[?2004h")
        // ncurses empties its output buffer with a write() at every cursor movement until the screen has once come
        // back from endwin() (its `_endwin` state stays "initial"; see _nc_mvcur in lib_mvcur.c): the first frame
        // took about 90 write() calls and every animation frame one per changed line, each a wake-up of the
        // terminal. One endwin() before the first frame puts it in its running state, where a frame leaves in
        // buffer-sized writes (17 for the first frame at 120x36). No refresh() before it: drawing a blank screen
        // first only added 0.6 million instructions (5 %) to the start.
        endwin()
    }

    /// The terminfo entry to use. COLORTERM=truecolor (or 24bit) announces 24-bit colour, but an entry such as
    /// xterm-256color cannot express it: ncurses would have to redefine the terminal's palette. Where the same
    /// terminal has a direct-colour entry (xterm-256color → xterm-direct, from ncurses-term), that one is used;
    /// otherwise nil (TERM itself) and the 256-colour plan.
    static func terminfoName(term: String, noColor: Bool) -> String? {
        let announced = getenv("COLORTERM").map { String(cString: $0).lowercased() } ?? ""
        guard !noColor, announced == "truecolor" || announced == "24bit", term.hasSuffix("-256color") else { return nil }
        let direct = String(term.dropLast("-256color".count)) + "-direct"
        return shim_terminfo_exists(direct) != 0 ? direct : nil
    }

    var size: Size { Size(width: Int(shim_cols()), height: Int(shim_lines())) }

    func restore() {
        guard screen != nil else { return }
        tg_write("\u{1B}[?2004l")
        if mouse { mousemask(0, nil) }
        curs_set(1)
        endwin()
        delscreen(screen)
        screen = nil
    }

    /// SIGTSTP: hands the terminal back as on exit (endwin: cooked tty, main screen, cursor, no mouse reporting;
    /// bracketed paste, which ncurses does not know, by hand), stops, and once continued asks for bracketed paste
    /// again. The next draw's refresh takes back the rest and repaints everything; the next read, the keypad mode.
    func suspend() {
        guard screen != nil else { return }
        tg_write("\u{1B}[?2004l")
        endwin()
        tg_stop()
        tg_write("\u{1B}[?2004h")
    }

    /// The last frame drawn: only cells that differ from it are handed to ncurses (which then sends only what
    /// changed on screen). nil forces a full repaint (start, resize, theme change).
    private var previous: Buffer?

    func draw(_ buffer: Buffer) {
        let width = min(buffer.width, Int(shim_cols())), height = min(buffer.height, Int(shim_lines()))
        let old = previous.flatMap { $0.width == buffer.width && $0.height == buffer.height ? $0 : nil }
        if old == nil { erase() }
        var lastRole: Role?
        var lastStyle: (attr_t, Int32) = (0, 0)
        // The changed cells of a row go to ncurses together, a run at a time: a move and an add for each cell was a
        // sixth of the first frame's work. Filled in place (a Swift array here paid for an exclusivity check and a
        // copy per cell).
        let run = UnsafeMutablePointer<cchar_t>.allocate(capacity: max(width, 1))
        run.initialize(repeating: cchar_t(), count: max(width, 1))
        defer { run.deallocate() }
        for y in 0..<height {
            if let old, !buffer.rowDiffers(from: old, y: y, columns: width) { continue }
            var count = 0, runStart = 0
            for x in 0..<width {
                let cell = buffer[x, y]
                // An unchanged cell, or the second half of a wide character (ncurses fills it with the first
                // half), ends the run.
                if let old, old[x, y] == cell { Self.flush(run, &count, y: y, x: runStart); continue }
                if cell.text.isEmpty { Self.flush(run, &count, y: y, x: runStart); continue }
                // The last cell of the screen is written too (a black square on light themes otherwise): a run
                // never scrolls or wraps.
                if cell.role != lastRole { lastStyle = style(cell.role); lastRole = cell.role }
                var (attrs, pair) = lastStyle
                if cell.reverse { attrs ^= shim_a_reverse() }
                if count == 0 { runStart = x }
                let single = Self.fill(run + count, cell.text, attrs: attrs, pair: pair)
                count += 1
                // A character that is not one column wide to the C library ends its run: the next cell is then
                // placed by its own position, as the buffer has it, whatever width ncurses gave this one.
                if !single { Self.flush(run, &count, y: y, x: runStart) }
            }
            Self.flush(run, &count, y: y, x: runStart)
        }
        previous = buffer
        if let cursor = buffer.cursor, cursor.x < width, cursor.y < height {
            move(Int32(cursor.y), Int32(cursor.x))
            curs_set(1)
        } else {
            curs_set(0)
        }
        refresh()
    }

    /// Puts the `count` cells of a run at (y, x); the run is then empty.
    private nonisolated static func flush(_ run: UnsafeMutablePointer<cchar_t>, _ count: inout Int, y: Int, x: Int) {
        guard count > 0 else { return }
        shim_put_run(Int32(y), Int32(x), run, Int32(count))
        count = 0
    }

    /// One cell of a run. Not isolated to the main actor: a closure isolated to it (as withUnsafeMutableBytes's
    /// would be inside `draw`) checks the executor on every call, a tenth of a frame's drawing.
    /// The cell's scalars go to ncurses as they are (wchar_t is UTF-32 on Linux): converting each cell's UTF-8 with
    /// mbstowcs(3) was a tenth of the first frame's work. Returns false when the character is not one column wide.
    private nonisolated static func fill(_ cell: UnsafeMutablePointer<cchar_t>, _ text: String, attrs: attr_t, pair: Int32) -> Bool {
        var wide: (wchar_t, wchar_t, wchar_t, wchar_t, wchar_t, wchar_t, wchar_t, wchar_t) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &wide) { raw -> Bool in
            let slots = raw.bindMemory(to: wchar_t.self)
            var n = 0
            for scalar in text.unicodeScalars {
                if n == 7 { break }  // a base character and its marks; the eighth slot stays the terminator
                slots[n] = wchar_t(bitPattern: scalar.value)
                n += 1
            }
            if n == 0 { slots[0] = wchar_t(UInt8(ascii: "?")) }
            guard let base = slots.baseAddress else { return true }
            shim_cell(cell, base, attrs, pair)
            return slots[0] < 0x80 || shim_wcwidth(slots[0]) == 1
        }
    }

    /// Forgets the last frame so the next draw repaints everything.
    func invalidate() { previous = nil }

    /// The theme in use; changing it re-derives every role's attributes and colour pair.
    var theme = Theme(name: "none", origin: "", styles: [:]) {
        didSet { plan = ColorPlan(theme: theme, depth: depth); attrCache.removeAll(); previous = nil }
    }
    /// The theme's colours at this terminal's depth, mapped so meanings stay apart (ColorPlan).
    private var plan = ColorPlan(theme: Theme(name: "none", origin: "", styles: [:]), depth: .none)

    private func style(_ role: Role) -> (attr_t, Int32) {
        if let cached = attrCache[role] { return cached }
        let s = theme.style(role)
        var attrs = shim_a_normal()
        if s.bold { attrs |= shim_a_bold() }
        if s.reverse { attrs |= shim_a_reverse() }
        if s.underline { attrs |= shim_a_underline() }
        if s.dim { attrs |= shim_a_dim() }
        let fg = plan.fg[role] ?? -1, bg = plan.bg[role] ?? -1
        var pair: Int32 = 0
        if depth != .none && (fg >= 0 || bg >= 0) {
            let key = (fg + 1) * 16_777_217 + (bg + 1)  // direct colours are 24-bit numbers
            if let p = pairs[key] { pair = Int32(p) } else if pairs.count + 1 < Int(shim_color_pairs()) {
                // Pairs are allocated lazily per (fg, bg); the terminal's palette itself is never redefined.
                let p = pairs.count + 1
                init_extended_pair(Int32(p), Int32(fg), Int32(bg))
                pairs[key] = Int32(p)
                pair = Int32(p)
            }
        }
        attrCache[role] = (attrs, pair)
        return (attrs, pair)
    }

    /// Waits up to `timeoutMs` (-1 = until input) and returns what happened as actions.
    func read(timeoutMs: Int32) -> [Action] {
        timeout(timeoutMs)
        var actions: [Action] = []
        var ch: wint_t = 0
        var first = true
        while true {
            let r = shim_get_wch(&ch)
            if r == ERR {
                // A blocking read that returns nothing, or a timed one that returns at once, may mean end of input.
                if first && Self.inputHasHungUp() { isGone = true }
                break
            }
            if !first { timeout(0) }
            first = false
            if let action = translate(r, ch) { actions.append(action) }
            if actions.count > 4096 { break }
            timeout(0)
        }
        if pasting == false && !pasteBuffer.isEmpty {
            actions.append(.paste(pasteBuffer)); pasteBuffer = ""
        }
        return Self.droppingUnknownEscapes(actions)
    }

    /// Live mode: waits for the terminal or for `wake` (the listener's reports), up to `timeoutMs` (-1: no limit),
    /// then takes what the terminal has without blocking. A signal (a resize) ends the wait too.
    func read(timeoutMs: Int32, wake: Int32) -> [Action] {
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 2, timeoutMs)
        return read(timeoutMs: 0)
    }

    /// Whether fd 0 reports a hang-up, an error, end of file, or is no longer open: reading it again would return
    /// at once, forever. A real interruption (a signal, a resize) reports none of these.
    static func inputHasHungUp() -> Bool {
        var fd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        let n = poll(&fd, 1, 0)
        if n < 0 { return errno != EINTR }
        if n == 0 { return false }
        if fd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        // Readable: end of file reads 0 bytes and an I/O error fails; peek without consuming anything.
        var byte: UInt8 = 0
        let got = recv(0, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if got == 0 { return true }
        if got < 0 && errno == ENOTSOCK {
            // A tty: input that ncurses has not taken yet is still waiting; only EIO means the terminal is gone.
            var attrs = termios()
            return tcgetattr(0, &attrs) != 0 && errno == EIO
        }
        return false
    }

    /// An escape sequence ncurses does not know (Esc [ … , Esc O …, Esc ] …) arrives as Esc plus its bytes in one
    /// burst. Drop such sequences so garbage never turns into commands (its final "q" would quit).
    static func droppingUnknownEscapes(_ actions: [Action]) -> [Action] {
        var out: [Action] = []
        var i = 0
        while i < actions.count {
            guard actions[i] == .key(.escape), i + 1 < actions.count, case .key(.char(let next)) = actions[i + 1] else {
                out.append(actions[i]); i += 1; continue
            }
            // Esc + another key is Alt-<key> or a person pressing Esc then a key quickly: keep both.
            guard next == "[" || next == "O" || next == "]" else { out.append(actions[i]); i += 1; continue }
            i += 2
            if next == "]" {
                // OSC: any text (letters too) until BEL, which arrives as Ctrl-G, or ST (Esc then a backslash).
                while i < actions.count {
                    if actions[i] == .key(.ctrl("g")) { i += 1; break }
                    if actions[i] == .key(.escape) {
                        if i + 1 < actions.count, actions[i + 1] == .key(.char("\\")) { i += 2 }
                        break
                    }
                    guard case .key(.char) = actions[i] else { break }
                    i += 1
                }
                continue
            }
            // CSI/SS3: parameters until a final byte (a letter or ~).
            while i < actions.count, case .key(.char(let c)) = actions[i] {
                i += 1
                if c.isLetter || c == "~" { break }
            }
        }
        return out
    }

    private func translate(_ r: Int32, _ ch: wint_t) -> Action? {
        if r == KEY_CODE_YES {
            let code = Int32(ch)
            if code == Self.pasteStart { pasting = true; return nil }
            if code == Self.pasteEnd { pasting = false; let text = pasteBuffer; pasteBuffer = ""; return .paste(text) }
            if code == shim_key_mouse() { return mouseAction() }
            if code == shim_key_resize() { previous = nil; return .resize(size) }
            let key: Key?
            switch code {
            case KEY_UP: key = .up
            case KEY_DOWN: key = .down
            case KEY_LEFT: key = .left
            case KEY_RIGHT: key = .right
            case KEY_HOME: key = .home
            case KEY_END: key = .end
            case KEY_PPAGE: key = .pageUp
            case KEY_NPAGE: key = .pageDown
            case KEY_BACKSPACE: key = .backspace
            case KEY_DC: key = .delete
            case KEY_ENTER: key = .enter
            case shim_key_btab(): key = .backTab
            case KEY_F0 + 1...KEY_F0 + 12: key = .function(Int(code - KEY_F0))
            default: key = nil
            }
            return key.map { pasting ? nil : .key($0) } ?? nil
        }
        guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
        if pasting {
            if scalar == "\r" { pasteBuffer.append("\n") } else { pasteBuffer.unicodeScalars.append(scalar) }
            return nil
        }
        switch scalar.value {
        case 13, 10: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 127, 8: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(scalar.value + 96)!)))
        case 0..<32: return nil
        default: return .key(.char(Character(scalar)))
        }
    }

    private func mouseAction() -> Action? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let x = Int(event.x), y = Int(event.y)
        let state = event.bstate
        if state & shim_button4_pressed() != 0 { return .mouse(MouseEvent(.wheelUp, x: x, y: y)) }
        if state & shim_button5_pressed() != 0 { return .mouse(MouseEvent(.wheelDown, x: x, y: y)) }
        if state & (shim_button1_pressed() | shim_button1_clicked()) != 0 { return .mouse(MouseEvent(.press, x: x, y: y)) }
        if state & shim_button1_released() != 0 { return .mouse(MouseEvent(.release, x: x, y: y)) }
        return nil
    }
}
