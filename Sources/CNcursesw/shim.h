// What Swift cannot import from ncursesw by itself: the wide-character API (hidden unless NCURSES_WIDECHAR),
// C globals that Swift 6 refuses to read, and expression macros.
#ifndef SMTP_TUI_NCURSES_SHIM_H
#define SMTP_TUI_NCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline int shim_lines(void) { return LINES; }
static inline int shim_cols(void) { return COLS; }
static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t shim_a_bold(void) { return A_BOLD; }
static inline attr_t shim_a_reverse(void) { return A_REVERSE; }
static inline attr_t shim_a_underline(void) { return A_UNDERLINE; }
static inline attr_t shim_a_dim(void) { return A_DIM; }
static inline attr_t shim_a_normal(void) { return A_NORMAL; }
static inline mmask_t shim_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t shim_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t shim_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t shim_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t shim_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t shim_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline int shim_key_mouse(void) { return KEY_MOUSE; }
static inline int shim_key_resize(void) { return KEY_RESIZE; }
static inline int shim_key_btab(void) { return KEY_BTAB; }

/// Fills one cell (at most 7 scalars, zero-terminated) for shim_put_run: the same setcchar as shim_put.
static inline void shim_cell(cchar_t *cell, const wchar_t *wide, attr_t attrs, int pair) {
    setcchar(cell, wide, attrs, (short)(pair > 32767 ? 0 : pair), &pair);
}

/// Copies `n` cells into row y from column x (wadd_wchnstr: no wrapping, no scrolling, the cursor stays; a
/// double-width character fills the column after it itself).
static inline void shim_put_run(int y, int x, const cchar_t *cells, int n) {
    mvwadd_wchnstr(stdscr, y, x, cells, n);
}

/// Columns the C library gives a character (what ncurses goes by).
static inline int shim_wcwidth(wchar_t c) { return wcwidth(c); }

static inline int shim_get_wch(wint_t *out) { return get_wch(out); }

/// Direct colour: the terminfo entry has the RGB capability (or 2^24 colours), so colour numbers are 0xRRGGBB.
static inline int shim_direct_color(void) { return tigetflag("RGB") > 0 || COLORS >= 0x1000000; }

/// Whether a terminfo entry exists for a name (without touching the screen).
static inline int shim_terminfo_exists(const char *name) {
    int err = 0;
    TERMINAL *saved = cur_term;
    if (setupterm(name, -1, &err) != OK) { set_curterm(saved); return 0; }
    TERMINAL *probe = cur_term;
    set_curterm(saved);
    del_curterm(probe);
    return 1;
}

/// The locale's codeset, e.g. "UTF-8" or "ANSI_X3.4-1968".
static inline const char *shim_codeset(void) { return nl_langinfo(CODESET); }
#endif
