//! How the commands' output looks: colour only for a person at a terminal (never in a
//! file or a pipe, and not when `NO_COLOR` is set), and the width a table has to fit.
//!
//! Invariant: without a terminal (and without `COLUMNS`) output is plain and lines are
//! whole, so scripts read the same text whatever the terminal.

use std::io::IsTerminal;
use unicode_width::UnicodeWidthChar;

/// Colours one stream, or does nothing when it should stay plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint(bool);

impl Paint {
    /// For standard output.
    pub fn stdout() -> Paint {
        Paint(wants_colour(std::io::stdout().is_terminal()))
    }

    /// For standard error.
    pub fn stderr() -> Paint {
        Paint(wants_colour(std::io::stderr().is_terminal()))
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }

    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// Colour for a terminal unless `NO_COLOR` (any non-empty value) or a dumb terminal
/// says otherwise (<https://no-color.org>).
fn wants_colour(terminal: bool) -> bool {
    terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// The columns a table on standard output has: the terminal's width, else `COLUMNS`;
/// `None` (whole lines) for a pipe or a file without `COLUMNS`.
pub fn width() -> Option<usize> {
    if std::io::stdout().is_terminal()
        && let Some(w) = terminal_columns()
    {
        return Some(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
}

#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given; the struct
    // lives on this stack for the duration of the call.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let done = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    (done == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn terminal_columns() -> Option<usize> {
    None
}

/// How many columns `text` takes on a terminal (wide characters count two).
pub fn columns(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` cut to at most `max` columns, with `…` when cut.
pub fn fit(text: &str, max: usize) -> String {
    if columns(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    let mut out = out.trim_end().to_string();
    if max > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_and_padded_by_columns_not_bytes() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("日本語です", 5), "日本…");
        assert!(columns(&fit("日本語です", 5)) <= 5);
    }

    #[test]
    fn plain_paint_adds_nothing() {
        assert_eq!(Paint(false).red("x"), "x");
        assert_eq!(Paint(true).red("x"), "\x1b[31mx\x1b[0m");
    }
}
