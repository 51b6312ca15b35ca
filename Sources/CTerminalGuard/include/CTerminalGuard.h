// Signal flags and the last-resort terminal restore, in C because they run in signal context.
#ifndef SMTP_TUI_TERMINAL_GUARD_H
#define SMTP_TUI_TERMINAL_GUARD_H

/// Installs SIGINT/SIGTERM/SIGHUP and SIGTSTP handlers (without SA_RESTART, so a blocking read returns) that only
/// set flags, and fatal-signal handlers (SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE) that restore the saved
/// terminal modes, leave the alternate screen, stop mouse reporting, then re-raise. Call before initscr/newterm.
void tg_install(void);
/// Saves the current termios of fd 0 so a crash can restore it.
void tg_save_terminal(void);
/// 0, or the last quit signal received (SIGINT, SIGTERM, SIGHUP).
int tg_quit_signal(void);
/// 1 once after a SIGTSTP arrived (the terminal must be handed back before stopping), else 0.
int tg_take_suspend_request(void);
/// Stops the process as SIGTSTP's default action does; returns when it is continued (SIGCONT).
void tg_stop(void);
/// Writes bytes straight to fd 1 (escape sequences that must not wait in stdio's buffer).
void tg_write(const char *bytes);
/// Writes a message to fd 2.
void tg_write_stderr(const char *bytes);
/// Restores what tg_save_terminal saved and writes the sequences that undo mouse reporting and the alternate screen.
void tg_emergency_restore(void);

#endif
