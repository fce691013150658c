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

/// One way a table makes room on a narrow terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Give {
    /// Column `.0` shrinks, down to `.1` columns at the least.
    Shrink(usize, usize),
    /// Column `.0` is left out.
    Hide(usize),
}

/// Fits a table whose columns are `widths` wide (two spaces between columns) into
/// `total` columns, taking the steps of `plan` in order until it fits; returns which
/// columns are shown. A table that does not fit after the whole plan stays as narrow
/// as the plan made it (the terminal wraps its lines).
pub fn fit_columns(widths: &mut [usize], total: usize, plan: &[Give]) -> Vec<bool> {
    let mut shown = vec![true; widths.len()];
    let natural = widths.to_vec();
    let used = |widths: &[usize], shown: &[bool]| {
        let visible: Vec<usize> = widths
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(w, _)| *w)
            .collect();
        visible.iter().sum::<usize>() + 2 * visible.len().saturating_sub(1)
    };
    for step in plan {
        let over = used(widths, &shown).saturating_sub(total);
        if over == 0 {
            break;
        }
        match *step {
            Give::Shrink(column, floor) if widths[column] > floor => {
                widths[column] = widths[column].saturating_sub(over).max(floor);
            }
            Give::Shrink(..) => {}
            Give::Hide(column) => shown[column] = false,
        }
    }
    // Room a hidden column left goes back to the last column (the widest text), up to
    // what it was.
    if let Some(last) = widths.len().checked_sub(1) {
        let room = total.saturating_sub(used(widths, &shown));
        widths[last] = (widths[last] + room).min(natural[last]);
    }
    shown
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
    fn a_table_gives_room_step_by_step_and_no_more_than_needed() {
        let plan = [
            Give::Shrink(2, 10),
            Give::Shrink(1, 4),
            Give::Hide(1),
            Give::Shrink(2, 3),
        ];
        // 10 + 8 + 30 and two gaps of two: 52.
        let fitted = |total| {
            let mut widths = [10, 8, 30];
            let shown = fit_columns(&mut widths, total, &plan);
            (widths, shown)
        };
        assert_eq!(fitted(80), ([10, 8, 30], vec![true, true, true]));
        assert_eq!(fitted(50), ([10, 8, 28], vec![true, true, true]));
        assert_eq!(fitted(30), ([10, 6, 10], vec![true, true, true]));
        assert_eq!(fitted(20), ([10, 4, 8], vec![true, false, true]));
        // Hiding a column can leave room, which the last column takes back.
        let mut widths = [10, 8, 30];
        let plan = [Give::Shrink(2, 20), Give::Hide(1)];
        assert_eq!(fit_columns(&mut widths, 36, &plan), [true, false, true]);
        assert_eq!(widths, [10, 8, 24]);
        // Narrower than the plan allows: as narrow as it goes.
        assert_eq!(fitted(5), ([10, 4, 3], vec![true, false, true]));
    }

    #[test]
    fn plain_paint_adds_nothing() {
        assert_eq!(Paint(false).red("x"), "x");
        assert_eq!(Paint(true).red("x"), "\x1b[31mx\x1b[0m");
    }
}
