//! Tables: grid, simple, `list-table` and `csv-table`, each into the shared table.

use super::*;

impl Parser {
    pub(super) fn grid_table(
        &mut self,
        lines: &[Line<'_>],
        start: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let mut end = start;
        while end < lines.len()
            && lines[end].indent() == 0
            && (lines[end].text.starts_with('+') || lines[end].text.starts_with('|'))
        {
            end += 1;
        }
        let mut last = end;
        while last > start + 1 && !is_grid_border(lines[last - 1].text) {
            last -= 1;
        }
        let block = &lines[start..last];
        let grid: Vec<Vec<char>> = block.iter().map(|l| table_columns(l.text)).collect();
        match grid_cells(&grid) {
            Some(cells) => {
                let table = self.grid_rows(block, &grid, &cells, ctx);
                out.push(Block::Table(table));
                last
            }
            None => {
                self.warn(
                    lines[start].num,
                    "grid table could not be parsed; kept as literal text",
                );
                out.push(code_block(&lines[start..end], None));
                end
            }
        }
    }

    /// Groups scanned cells into rows. A cell spanning rows appears in its first row;
    /// the rows it covers get an empty placeholder so later columns keep their place.
    pub(super) fn grid_rows(
        &mut self,
        block: &[Line<'_>],
        grid: &[Vec<char>],
        cells: &[GridCell],
        ctx: Ctx,
    ) -> Table {
        let head_sep = grid
            .iter()
            .position(|row| row.first() == Some(&'+') && row.contains(&'='));
        let mut tops: Vec<usize> = cells.iter().map(|c| c.top).collect();
        tops.sort_unstable();
        tops.dedup();
        let mut rows: Vec<Vec<(usize, String)>> = vec![Vec::new(); tops.len()];
        let mut first_text = vec![usize::MAX; tops.len()];
        for cell in cells {
            let Ok(r) = tops.binary_search(&cell.top) else {
                continue;
            };
            let raw: Vec<(String, u32)> = (cell.top + 1..cell.bottom)
                .map(|y| {
                    let part: String = grid[y][cell.left + 1..cell.right]
                        .iter()
                        .filter(|&&c| c != PAD)
                        .collect();
                    (part, block[y].num)
                })
                .collect();
            if let Some(y) =
                (cell.top + 1..cell.bottom).find(|&y| !raw[y - cell.top - 1].0.trim().is_empty())
            {
                first_text[r] = first_text[r].min(y);
            }
            let text = self.cell_content(&raw, ctx);
            rows[r].push((cell.left, text));
            for (r2, &top) in tops.iter().enumerate().skip(r + 1) {
                if top >= cell.bottom {
                    break;
                }
                rows[r2].push((cell.left, String::new()));
            }
        }
        let mut header_rows = Vec::new();
        let mut body = Vec::new();
        for ((mut row, top), first) in rows.into_iter().zip(tops).zip(first_text) {
            row.sort_by_key(|(left, _)| *left);
            let cells: Vec<String> = row.into_iter().map(|(_, text)| text).collect();
            if head_sep.is_some_and(|h| top < h) {
                header_rows.push(cells);
            } else {
                let y = if first == usize::MAX { top + 1 } else { first };
                let line = block[y.min(block.len() - 1)].num;
                body.push(TableRow { cells, line });
            }
        }
        Table {
            header: merge_header(header_rows),
            rows: body,
            line: block.first().map_or(0, |l| l.num),
        }
    }

    pub(super) fn simple_table(
        &mut self,
        lines: &[Line<'_>],
        start: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let top = lines[start].text;
        let width = top.chars().count();
        let columns = simple_columns(top);
        let mut borders = Vec::new();
        let mut end = None;
        for (j, line) in lines.iter().enumerate().skip(start + 1) {
            if line.indent() == 0 && is_simple_border(line.text) {
                if line.text.chars().count() != width {
                    break;
                }
                borders.push(j);
                if borders.len() == 2 || lines.get(j + 1).is_none_or(Line::is_blank) {
                    end = Some(j);
                    break;
                }
            }
        }
        let Some(end) = end else {
            self.warn(
                lines[start].num,
                "simple table has no bottom border; kept as literal text",
            );
            let stop = (start..lines.len())
                .find(|&k| lines[k].is_blank())
                .unwrap_or(lines.len());
            out.push(code_block(&lines[start..stop], None));
            return stop;
        };
        let (head, body) = if borders.len() == 2 {
            (start + 1..borders[0], borders[0] + 1..end)
        } else {
            (start + 1..start + 1, start + 1..end)
        };
        let header_rows = self
            .simple_rows(&lines[head], &columns, ctx)
            .into_iter()
            .map(|r| r.cells)
            .collect();
        let rows = self.simple_rows(&lines[body], &columns, ctx);
        out.push(Block::Table(Table {
            header: merge_header(header_rows),
            rows,
            line: lines[start].num,
        }));
        end + 1
    }

    /// Rows of a simple table: a line with text in the first column starts a row, lines
    /// with a blank first column continue it, `---` span underlines end it.
    pub(super) fn simple_rows(
        &mut self,
        region: &[Line<'_>],
        columns: &[(usize, usize)],
        ctx: Ctx,
    ) -> Vec<TableRow> {
        let Some(&(first_start, first_end)) = columns.first() else {
            return Vec::new();
        };
        let mut groups: Vec<Vec<(u32, Vec<char>)>> = Vec::new();
        let mut open = false;
        for line in region {
            if is_span_line(line.text) {
                open = false;
                continue;
            }
            let chars = table_columns(line.text);
            let first_blank =
                (first_start..first_end).all(|k| chars.get(k).is_none_or(|c| c.is_whitespace()));
            if !first_blank {
                groups.push(vec![(line.num, chars)]);
                open = true;
            } else if open && let Some(group) = groups.last_mut() {
                group.push((line.num, chars));
            }
        }
        let mut rows = Vec::new();
        for group in groups {
            let line = group.first().map_or(0, |(num, _)| *num);
            let mut cells = Vec::with_capacity(columns.len());
            for (k, &(col_start, _)) in columns.iter().enumerate() {
                let col_end = columns.get(k + 1).map(|c| c.0);
                let raw: Vec<(String, u32)> = group
                    .iter()
                    .map(|(num, chars)| {
                        let from = col_start.min(chars.len());
                        let to = col_end.unwrap_or(chars.len()).min(chars.len()).max(from);
                        let part = chars[from..to].iter().filter(|&&c| c != PAD).collect();
                        (part, *num)
                    })
                    .collect();
                cells.push(self.cell_content(&raw, ctx));
            }
            rows.push(TableRow { cells, line });
        }
        rows
    }

    /// A table cell holds body elements (docutils parses it like a small document);
    /// the model keeps its text, lines joined by spaces.
    pub(super) fn cell_content(&mut self, raw: &[(String, u32)], ctx: Ctx) -> String {
        let lines: Vec<Line<'_>> = raw
            .iter()
            .map(|(text, num)| Line::new(text.trim_end(), *num))
            .collect();
        let indent = min_indent(&lines);
        let lines: Vec<Line<'_>> = lines.iter().map(|l| l.dedent(indent)).collect();
        let blocks = self.blocks(&lines, ctx.nested());
        let mut text = String::new();
        flatten_text(&blocks, &mut text);
        text.replace('\n', " ")
    }

    // ----- explicit markup -----------------------------------------------------------

    pub(super) fn table_title(&mut self, title: &str, line: u32, out: &mut Vec<Block>) {
        if !title.is_empty() {
            let text = self.inline(title, line);
            out.push(Block::Paragraph(Paragraph { text, line }));
        }
    }

    /// `.. list-table::`: a bullet list of rows, each a bullet list of cells.
    pub(super) fn list_table(
        &mut self,
        block: &[Line<'_>],
        line: u32,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) {
        let d = split_directive(block, true);
        let header_rows = option_count(&d.options, "header-rows");
        let body = self.blocks(&d.content, ctx.nested());
        let mut rows = Vec::new();
        for outer in body.iter().filter_map(as_list) {
            for item in &outer.items {
                let cells = match item.children.iter().find_map(as_list) {
                    Some(inner) => inner.items.iter().map(item_text).collect(),
                    None => vec![item_text(item)],
                };
                rows.push(TableRow {
                    cells,
                    line: item.line,
                });
            }
        }
        if rows.is_empty() {
            self.warn(line, "list-table without a list of rows skipped");
            return;
        }
        self.table_title(&d.args, line, out);
        out.push(Block::Table(split_header(rows, header_rows, line)));
    }

    /// `.. csv-table::` with inline data (external `:file:`/`:url:` data is not read).
    pub(super) fn csv_table(&mut self, block: &[Line<'_>], line: u32, out: &mut Vec<Block>) {
        let d = split_directive(block, true);
        if option(&d.options, "file").is_some() || option(&d.options, "url").is_some() {
            self.warn(line, "csv-table with external data skipped");
            return;
        }
        let delim = match option(&d.options, "delim") {
            Some("tab") => '\t',
            Some("space") => ' ',
            Some(other) => other.chars().next().unwrap_or(','),
            None => ',',
        };
        let mut rows: Vec<TableRow> = Vec::new();
        for (cells, row_line) in parse_csv(&d.content, delim) {
            let cells = cells.iter().map(|c| self.inline(c, row_line)).collect();
            rows.push(TableRow {
                cells,
                line: row_line,
            });
        }
        let mut header_rows = option_count(&d.options, "header-rows");
        if let Some(header) = option(&d.options, "header") {
            let header_line = [Line::new(header, line)];
            let parsed = parse_csv(&header_line, delim);
            if let Some((cells, _)) = parsed.into_iter().next() {
                let cells = cells.iter().map(|c| self.inline(c, line)).collect();
                rows.insert(0, TableRow { cells, line });
                header_rows = header_rows.max(1);
            }
        }
        if rows.is_empty() {
            return;
        }
        self.table_title(&d.args, line, out);
        out.push(Block::Table(split_header(rows, header_rows, line)));
    }
}

/// Fills the second column of a wide character in table layouts (removed from text).
pub(super) const PAD: char = '\u{0}';

/// The characters of a table line with one [`PAD`] after each wide character, so that
/// indexes are display columns, as the table's borders are drawn.
pub(super) fn table_columns(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        out.push(c);
        if char_width(c) == 2 {
            out.push(PAD);
        }
    }
    out
}

/// The first `header_rows` rows become the header (merged column-wise if several).
pub(super) fn split_header(mut rows: Vec<TableRow>, header_rows: usize, line: u32) -> Table {
    let body = rows.split_off(header_rows.min(rows.len()));
    Table {
        header: merge_header(rows.into_iter().map(|r| r.cells).collect()),
        rows: body,
        line,
    }
}

/// The model has one header row; several header rows are joined cell by cell.
pub(super) fn merge_header(rows: Vec<Vec<String>>) -> Vec<String> {
    let mut rows = rows.into_iter();
    let Some(mut header) = rows.next() else {
        return Vec::new();
    };
    for row in rows {
        for (k, cell) in row.into_iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match header.get_mut(k) {
                Some(h) if !h.is_empty() => {
                    h.push(' ');
                    h.push_str(&cell);
                }
                Some(h) => *h = cell,
                None => header.push(cell),
            }
        }
    }
    header
}

/// Records of CSV data with `"` quoting (`""` inside quotes) and initial spaces skipped,
/// each with the line it starts on. Newlines inside quotes become spaces.
pub(super) fn parse_csv(lines: &[Line<'_>], delim: char) -> Vec<(Vec<String>, u32)> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut record_line = 0;
    for line in lines {
        if !in_quotes && record.is_empty() && field.is_empty() {
            if line.is_blank() {
                continue;
            }
            record_line = line.num;
        }
        let mut chars = line.text.chars().peekable();
        while let Some(c) = chars.next() {
            if in_quotes {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        field.push('"');
                        chars.next();
                    } else {
                        in_quotes = false;
                    }
                } else {
                    field.push(c);
                }
            } else if c == delim {
                record.push(field.trim().to_string());
                field.clear();
            } else if c == '"' && field.trim().is_empty() {
                field.clear();
                in_quotes = true;
            } else {
                field.push(c);
            }
        }
        if in_quotes {
            field.push(' ');
            continue;
        }
        record.push(field.trim().to_string());
        field.clear();
        records.push((std::mem::take(&mut record), record_line));
    }
    if in_quotes || !record.is_empty() {
        record.push(field.trim().to_string());
        records.push((record, record_line));
    }
    records
}

pub(super) fn is_grid_top(text: &str) -> bool {
    text.len() >= 5
        && text.starts_with("+-")
        && text.ends_with("-+")
        && text.bytes().all(|b| b == b'+' || b == b'-')
}

pub(super) fn is_grid_border(text: &str) -> bool {
    text.len() >= 2
        && text.starts_with('+')
        && text.ends_with('+')
        && text.bytes().all(|b| matches!(b, b'+' | b'-' | b'='))
}

pub(super) fn is_simple_border(text: &str) -> bool {
    text.starts_with('=') && text.bytes().all(|b| b == b'=' || b == b' ')
}

/// `=====  =====`: at least two columns (lines are right-trimmed, so a space means two).
pub(super) fn is_simple_top(text: &str) -> bool {
    is_simple_border(text) && text.contains(' ')
}

pub(super) fn is_span_line(text: &str) -> bool {
    text.starts_with(['-', '=']) && text.bytes().all(|b| matches!(b, b'-' | b'=' | b' '))
}

/// Start and end (char positions) of each `=` run of a simple table border.
pub(super) fn simple_columns(top: &str) -> Vec<(usize, usize)> {
    let mut columns = Vec::new();
    let mut start = None;
    for (k, c) in top.chars().enumerate() {
        match (c == '=', start) {
            (true, None) => start = Some(k),
            (false, Some(s)) => {
                columns.push((s, k));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        columns.push((s, top.chars().count()));
    }
    columns
}

/// A grid table cell: the rows and columns of its border lines.
pub(super) struct GridCell {
    pub(super) top: usize,
    pub(super) left: usize,
    pub(super) bottom: usize,
    pub(super) right: usize,
}

/// Finds the cells of a grid table by walking from each known top-left corner right
/// along the top border, down the right border, and back along the bottom and left
/// borders, trying further corners when a span makes the first one a dead end.
pub(super) fn grid_cells(grid: &[Vec<char>]) -> Option<Vec<GridCell>> {
    let height = grid.len();
    let width = grid.first().map_or(0, Vec::len);
    if height < 3 || width < 3 || width.saturating_mul(height) > GRID_MAX_AREA {
        return None;
    }
    // Like docutils, only a rectangle framed on both sides is a table.
    let framed = |row: &Vec<char>| {
        row.len() == width
            && matches!(row.first(), Some('+' | '|'))
            && matches!(row.last(), Some('+' | '|'))
    };
    if grid[0][0] != '+' || !grid.iter().all(framed) {
        return None;
    }
    let mut scan = GridScan {
        grid,
        budget: GRID_SCAN_BUDGET,
    };
    let mut corners = BTreeSet::from([(0, 0)]);
    let mut done = HashSet::new();
    let mut cells = Vec::new();
    while let Some((top, left)) = corners.pop_first() {
        if !done.insert((top, left)) || top + 1 >= height || left + 1 >= width {
            continue;
        }
        if let Some((bottom, right)) = scan.cell(top, left) {
            cells.push(GridCell {
                top,
                left,
                bottom,
                right,
            });
            corners.insert((top, right));
            corners.insert((bottom, left));
        }
        if scan.budget == 0 {
            return None;
        }
    }
    (!cells.is_empty()).then_some(cells)
}

pub(super) struct GridScan<'g> {
    pub(super) grid: &'g [Vec<char>],
    pub(super) budget: usize,
}

impl GridScan<'_> {
    pub(super) fn tick(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    pub(super) fn cell(&mut self, top: usize, left: usize) -> Option<(usize, usize)> {
        let width = self.grid[top].len();
        for right in left + 1..width {
            if !self.tick() {
                return None;
            }
            match self.grid[top][right] {
                '+' => {
                    if let Some(bottom) = self.down(top, left, right) {
                        return Some((bottom, right));
                    }
                }
                '-' | '=' => {}
                _ => return None,
            }
        }
        None
    }

    pub(super) fn down(&mut self, top: usize, left: usize, right: usize) -> Option<usize> {
        for bottom in top + 1..self.grid.len() {
            if !self.tick() {
                return None;
            }
            match self.grid[bottom][right] {
                '+' => {
                    if self.left_and_up(top, left, bottom, right) {
                        return Some(bottom);
                    }
                }
                '|' => {}
                _ => return None,
            }
        }
        None
    }

    pub(super) fn left_and_up(
        &mut self,
        top: usize,
        left: usize,
        bottom: usize,
        right: usize,
    ) -> bool {
        for x in (left + 1..right).rev() {
            if !self.tick() || !matches!(self.grid[bottom][x], '+' | '-' | '=') {
                return false;
            }
        }
        if self.grid[bottom][left] != '+' {
            return false;
        }
        for y in (top + 1..bottom).rev() {
            if !self.tick() || !matches!(self.grid[y][left], '+' | '|') {
                return false;
            }
        }
        true
    }
}
