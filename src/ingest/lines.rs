//! Byte offset to line number mapping, shared by the front ends.

/// Maps byte offsets of a text to 1-based line numbers of the original file.
pub struct LineIndex {
    starts: Vec<usize>,
    first_line: u32,
}

impl LineIndex {
    /// `first_line` is the line of the original file where `text` starts (front matter
    /// removed before parsing shifts it).
    pub fn new(text: &str, first_line: u32) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, first_line }
    }

    /// The 1-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        self.first_line + idx as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines() {
        let idx = LineIndex::new("ab\ncd\n\nef", 10);
        assert_eq!(idx.line_of(0), 10);
        assert_eq!(idx.line_of(2), 10);
        assert_eq!(idx.line_of(3), 11);
        assert_eq!(idx.line_of(6), 12);
        assert_eq!(idx.line_of(7), 13);
        assert_eq!(idx.line_of(100), 13);
    }
}
