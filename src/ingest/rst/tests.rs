//! Unit tests of the reStructuredText reader.

use super::*;
use std::fmt::Write as _;

/// A compact, line-numbered outline of the blocks, for exact structure assertions.
fn outline(blocks: &[Block]) -> String {
    fn walk(blocks: &[Block], depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        for block in blocks {
            let _ = match block {
                Block::Heading(h) => writeln!(out, "{pad}H{} {}@{}", h.level, h.text, h.line),
                Block::Paragraph(p) => {
                    writeln!(out, "{pad}P {}@{}", p.text.replace('\n', "⏎"), p.line)
                }
                Block::Code(c) => writeln!(
                    out,
                    "{pad}CODE({}) {}@{}",
                    c.lang.as_deref().unwrap_or("-"),
                    c.text.replace('\n', "⏎"),
                    c.line
                ),
                Block::Quote(q) => {
                    let r = writeln!(out, "{pad}QUOTE@{}", q.line);
                    walk(&q.blocks, depth + 1, out);
                    r
                }
                Block::List(l) => {
                    let r = writeln!(out, "{pad}LIST{}", if l.ordered { " ordered" } else { "" });
                    for item in &l.items {
                        let task = match item.task {
                            Some(true) => "[x] ",
                            Some(false) => "[ ] ",
                            None => "",
                        };
                        let text = item.text.replace('\n', "⏎");
                        let _ = writeln!(out, "{pad}- {task}{text}@{}", item.line);
                        walk(&item.children, depth + 1, out);
                    }
                    r
                }
                Block::Table(t) => {
                    let r = writeln!(out, "{pad}TABLE {:?}@{}", t.header, t.line);
                    for row in &t.rows {
                        let _ = writeln!(out, "{pad}| {:?}@{}", row.cells, row.line);
                    }
                    r
                }
            };
        }
    }
    let mut out = String::new();
    walk(blocks, 0, &mut out);
    out
}

fn outline_of(text: &str) -> String {
    outline(&parse(text).blocks)
}

/// Inline text of a one-paragraph document.
fn inline(text: &str) -> String {
    match parse(text).blocks.as_slice() {
        [Block::Paragraph(p)] => p.text.clone(),
        other => panic!("expected one paragraph, got {other:?}"),
    }
}

fn messages(doc: &Document) -> Vec<&str> {
    doc.warnings.iter().map(|w| w.message.as_str()).collect()
}

const TACC: &str = "2017-12-08: TACC Power Outage
==============================

Summary
--------------------

On Thursday 12/8/2017 at 8:30pm CST, TACC experienced a power outage that impacted most compute hosts.

Outcomes
--------------------

* Improved monitoring of production services
* Addition of Celery-specific monitoring

Timeline
--------------------

All times central.

2017-12-08 2:45pm
^^^^^^^^^^^^^^^^^


We recognized that problems caught by monitoring on NDS (non-Whole Tale) services hosted at Jestream may also be impacting Whole Tale services.

2017-12-08 4pm
^^^^^^^^^^^^^^^^^

Received confirmation from XSEDE related to networking problem:

`Unfortunately last night around 8:30 there was a power outage. Stand by.`


2017-12-11 9:00am
^^^^^^^^^^^^^^^^^
Received official notice from XSEDE support:

`
Categories: Jetstream (IU/TACC)
Start time: 11 Dec, 2017 09:00 CST
Due to a power outager on 12/8, some of Jetstream at TACC's network infrastructure is in a degraded state. 
`

Received update to XSEDE ticket:

`I'm doing some maintenance on the network stack this morning.`

2017-12-12 3:47pm
^^^^^^^^^^^^^^^^^
Update from XSEDE support:
`I have a possible workaround in the works.`
";

#[test]
fn tacc_power_outage_structure() {
    let doc = parse(TACC);
    assert_eq!(doc.format, Some(Format::Rst));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(
            outline(&doc.blocks),
            "H1 2017-12-08: TACC Power Outage@1
H2 Summary@4
P On Thursday 12/8/2017 at 8:30pm CST, TACC experienced a power outage that impacted most compute hosts.@7
H2 Outcomes@9
LIST
- Improved monitoring of production services@12
- Addition of Celery-specific monitoring@13
H2 Timeline@15
P All times central.@18
H3 2017-12-08 2:45pm@20
P We recognized that problems caught by monitoring on NDS (non-Whole Tale) services hosted at Jestream may also be impacting Whole Tale services.@24
H3 2017-12-08 4pm@26
P Received confirmation from XSEDE related to networking problem:@29
P Unfortunately last night around 8:30 there was a power outage. Stand by.@31
H3 2017-12-11 9:00am@34
P Received official notice from XSEDE support:@36
P `⏎Categories: Jetstream (IU/TACC)⏎Start time: 11 Dec, 2017 09:00 CST⏎Due to a power outager on 12/8, some of Jetstream at TACC's network infrastructure is in a degraded state.⏎`@38
P Received update to XSEDE ticket:@44
P I'm doing some maintenance on the network stack this morning.@46
H3 2017-12-12 3:47pm@48
P Update from XSEDE support:⏎I have a possible workaround in the works.@50
"
        );
}

const AUXTEL: &str = ":tocdepth: 1

.. sectnum::

Abstract
========

This documents describes the sequence of events.

Mitigation Strategies
=====================

In summary, the key factors behind this incident are:

*   CISCO ACI network.

*   Brittle manual configuration required by DDS + docker.

    The current docker compose configuration exposes a bridge network to the container.
    Unfortunately this configuration is not capable of reaching out.

    As we mentioned above, it was this manual setup that triggered the incident.

In terms of mitigation strategies, it is worth noting.

Last Words
==========

Given the current timeline for adoption of Kafka.

.. Make in-text citations with: :cite:`bibkey`.
.. Uncomment to use citations
.. .. rubric:: References
.. 
.. .. bibliography:: local.bib lsstbib/books.bib
..    :style: lsst_aa
";

#[test]
fn auxtel_network_failure_structure() {
    let doc = parse(AUXTEL);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.meta.line, 1);
    assert_eq!(
            outline(&doc.blocks),
            "H1 Abstract@5
P This documents describes the sequence of events.@8
H1 Mitigation Strategies@10
P In summary, the key factors behind this incident are:@13
LIST
- CISCO ACI network.@15
- Brittle manual configuration required by DDS + docker.@17
  P The current docker compose configuration exposes a bridge network to the container.⏎Unfortunately this configuration is not capable of reaching out.@19
  P As we mentioned above, it was this manual setup that triggered the incident.@22
P In terms of mitigation strategies, it is worth noting.@24
H1 Last Words@26
P Given the current timeline for adoption of Kafka.@29
"
        );
    let text = doc.plain_text();
    for leak in [
        "tocdepth",
        "sectnum",
        "bibliography",
        "lsst_aa",
        "cite",
        "..",
    ] {
        assert!(!text.contains(leak), "{leak} leaked into {text}");
    }
}

#[test]
fn lsst_technote_comment_docinfo_and_auto_enumerated_list() {
    let text = "..
  Technote content.

  Sections
  ========

  .. figure:: /_static/filename.ext
     :name: fig-label

   Run: ``make html`` to preview.

:tocdepth: 1

.. Please do not modify tocdepth.

.. sectnum::

.. note::

   This technote details the charge.
   It will also analyze things.

Scope
=====

#. Document the causes. 
   A brief analysis.

#. Document the timeline. 
   
   - This includes alert systems.

#. Last item.
";
    let doc = parse(text);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.meta.line, 12);
    assert_eq!(
        outline(&doc.blocks),
        "QUOTE@18
  P This technote details the charge.⏎It will also analyze things.@20
H1 Scope@23
LIST ordered
- Document the causes.⏎A brief analysis.@26
- Document the timeline.@29
  LIST
  - This includes alert systems.@31
- Last item.@33
"
    );
}

#[test]
fn heading_levels_follow_first_appearance_of_each_style() {
    let text = "=======
 Title
=======

Part
====

Chapter
-------

Other Part
==========

-------
Inset
-------

Deep
~~~~
";
    assert_eq!(
        outline_of(text),
        "H1 Title@2\nH2 Part@5\nH3 Chapter@8\nH2 Other Part@11\nH4 Inset@15\nH5 Deep@18\n"
    );
}

#[test]
fn short_underlines_and_transitions() {
    let doc = parse("Long title\n--------\n\nAB\n--\n\nabc\n--\n\nText\n\n----------\n\nMore\n");
    assert_eq!(
        outline(&doc.blocks),
        "H1 Long title@1\nH1 AB@4\nP abc⏎--@7\nP Text@10\nP More@14\n"
    );
    assert_eq!(messages(&doc), ["title underline too short"]);
    assert_eq!(doc.warnings[0].line, 2);
}

#[test]
fn malformed_overline_is_reported_and_text_kept() {
    let doc = parse("=====\nTitle\n-----\n\nBody\n");
    assert_eq!(outline(&doc.blocks), "H1 Title@2\nP Body@5\n");
    assert_eq!(
        messages(&doc),
        ["section title overline has no matching underline"]
    );
}

#[test]
fn paragraphs_keep_line_breaks_and_strip_indentation_of_quotes() {
    assert_eq!(
        outline_of("First line\nsecond line\n\n   Quoted line\n   and more\n"),
        "P First line⏎second line@1\nQUOTE@4\n  P Quoted line⏎and more@4\n"
    );
}

#[test]
fn literal_blocks_after_double_colon() {
    let text = "Example::

    code line 1
      code line 2

Expanded ::

  more

::

  only code

Quoted::

> quoted literal
> more

Not literal: a\\::
";
    let doc = parse(text);
    assert_eq!(
        outline(&doc.blocks),
        "P Example:@1
CODE(-) code line 1⏎  code line 2@3
P Expanded@6
CODE(-) more@8
CODE(-) only code@12
P Quoted:@14
CODE(-) > quoted literal⏎> more@16
P Not literal: a::@19
"
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let missing = parse("Example::\n\nNot indented.\n");
    assert_eq!(
        outline(&missing.blocks),
        "P Example:@1\nP Not indented.@3\n"
    );
    assert_eq!(
        messages(&missing),
        ["literal block expected after '::'; none found"]
    );
}

#[test]
fn code_directives_keep_language_and_drop_options() {
    let text = ".. code-block:: python
   :linenos:
   :caption: demo

   def f():
       return 1

.. code:: sh

   > kubectl delete pod <name>

.. sourcecode::

   plain
";
    assert_eq!(
        outline_of(text),
        "CODE(python) def f():⏎    return 1@5\nCODE(sh) > kubectl delete pod <name>@10\nCODE(-) plain@14\n"
    );
}

#[test]
fn bullet_lists_pandoc_style_nesting_and_blank_separated_items() {
    let text = "-  Look deeper into the actual cause and determine whether we could
   change anything to:

   -  Automatically resolve similar issues.
   -  Make similar issues more apparent

      with a second paragraph::

         and code

-  We should investigate

-  Third after blank

* other bullet starts a new list
";
    assert_eq!(
        outline_of(text),
        "LIST
- Look deeper into the actual cause and determine whether we could⏎change anything to:@1
  LIST
  - Automatically resolve similar issues.@4
  - Make similar issues more apparent@5
    P with a second paragraph:@7
    CODE(-) and code@9
- We should investigate@11
- Third after blank@13
LIST
- other bullet starts a new list@15
"
    );
}

#[test]
fn list_item_lines_are_cut_at_the_item_text_column() {
    // docutils: deeper continuation lines keep their extra indentation (here a
    // nested quote), and a line indented less than the text ends the item.
    let text = "-  item\n\n      deeper\n\n-  next\n  less\n\n-\n     empty first line\n";
    let doc = parse(text);
    assert_eq!(
        outline(&doc.blocks),
        "LIST\n- item@1\n  QUOTE@3\n    P deeper@3\n- next@5\nQUOTE@6\n  P less@6\nLIST\n- empty first line@8\n"
    );
}

#[test]
fn enumerated_list_formats() {
    let text = "1. one
2. two

3) paren

(1) both
(2) parens

#. auto
#. auto

a. alpha
b. beta

A) upper

i. roman
ii. roman

IV. four

1. one
3. not next: a paragraph follows
";
    assert_eq!(
        outline_of(text),
        "LIST ordered
- one@1
- two@2
LIST ordered
- paren@4
LIST ordered
- both@6
- parens@7
LIST ordered
- auto@9
- auto@10
LIST ordered
- alpha@12
- beta@13
LIST ordered
- upper@15
LIST ordered
- roman@17
- roman@18
LIST ordered
- four@20
P 1. one⏎3. not next: a paragraph follows@22
"
    );
}

#[test]
fn enumerator_edge_cases() {
    assert!(enumerator("A. Einstein", None).is_some());
    assert!(enumerator("2017. The year", None).is_some());
    assert!(enumerator("iiii. bad roman", None).is_none());
    assert!(enumerator("ab. two letters", None).is_none());
    assert!(enumerator("1.5 version", None).is_none());
    assert!(enumerator("99999999999. overflow", None).is_none());
    let h = enumerator("h. alpha", None).map(|e| e.sequence);
    assert_eq!(h, Some(Sequence::LowerAlpha));
    let i_in_alpha = enumerator("i. next", Some(Sequence::LowerAlpha)).map(|e| e.ordinal);
    assert_eq!(i_in_alpha, Some(9));
    assert_eq!(roman_value("MCMXCIV"), Some(1994));
    // "2017-12-08 2:45pm" is a title, not an enumerated list.
    assert_eq!(
        outline_of("2017-12-08 2:45pm\n-----------------\n"),
        "H1 2017-12-08 2:45pm@1\n"
    );
}

#[test]
fn docinfo_fields_fill_meta_and_drop_others() {
    let text = ":Title: Network failure
:Date: 2017-12-08
:Timezone: America/Chicago
:Severity: SEV-2
:Tags: network, power
:Systems: jetstream; openstack
:Author: Jane Doe
:Author: John Roe
:tocdepth: 2

Body.
";
    let doc = parse(text);
    assert_eq!(outline(&doc.blocks), "P Body.@11\n");
    let m = &doc.meta;
    assert_eq!(m.title.as_deref(), Some("Network failure"));
    assert_eq!(m.date.as_deref(), Some("2017-12-08"));
    assert_eq!(m.timezone.as_deref(), Some("America/Chicago"));
    assert_eq!(m.severity.as_deref(), Some("SEV-2"));
    assert_eq!(m.tags, ["network", "power"]);
    assert_eq!(m.systems, ["jetstream", "openstack"]);
    assert_eq!(m.authors, ["Jane Doe", "John Roe"]);
    assert_eq!(m.line, 1);
}

#[test]
fn docinfo_after_the_document_title() {
    let text = "Title\n=====\n\n:authors: A, B\n:tz: UTC\n\nSection\n-------\n\nBody.\n";
    let doc = parse(text);
    assert_eq!(
        outline(&doc.blocks),
        "H1 Title@1\nH2 Section@7\nP Body.@10\n"
    );
    assert_eq!(doc.meta.authors, ["A", "B"]);
    assert_eq!(doc.meta.timezone.as_deref(), Some("UTC"));
    assert_eq!(doc.meta.line, 4);
    // With a second top-level title the first one is not the document title, so
    // docutils keeps the fields as an ordinary field list.
    let two = parse("One\n===\n\n:tz: UTC\n\nTwo\n===\n");
    assert_eq!(
        outline(&two.blocks),
        "H1 One@1\nLIST\n- tz: UTC@4\nH1 Two@6\n"
    );
    assert_eq!(two.meta.timezone, None);
}

#[test]
fn field_lists_in_the_body_become_lists() {
    let text = "Intro.\n\n:Impact: all users\n:Duration: 2h\n   (approx.)\n:Empty:\n";
    assert_eq!(
        outline_of(text),
        "P Intro.@1\nLIST\n- Impact: all users@3\n- Duration: 2h⏎(approx.)@4\n- Empty:@6\n"
    );
    // A role at the start of a line is text, not a field.
    assert_eq!(inline(":ref:`label` is a role"), "label is a role");
}

#[test]
fn block_quotes_nest_and_keep_attribution() {
    let text = "Para.\n\n    Level one.\n\n        Level two.\n\n    -- Attribution\n";
    assert_eq!(
        outline_of(text),
        "P Para.@1\nQUOTE@3\n  P Level one.@3\n  QUOTE@5\n    P Level two.@5\n  P -- Attribution@7\n"
    );
}

#[test]
fn empty_comment_ends_a_list_before_a_quote() {
    // pandoc's output for a list followed by a Markdown block quote
    let text = "-  item\n\n..\n\n   AWS issue summary: https://aws.amazon.com/message/101925/\n";
    let doc = parse(text);
    assert_eq!(
        outline(&doc.blocks),
        "LIST\n- item@1\nQUOTE@5\n  P AWS issue summary: https://aws.amazon.com/message/101925/@5\n"
    );
    assert_eq!(doc.links.len(), 1);
    assert_eq!(
        doc.links[0].target,
        "https://aws.amazon.com/message/101925/"
    );
    assert_eq!(doc.links[0].line, 5);
}

#[test]
fn comments_targets_and_substitution_definitions_leave_nothing() {
    let text = ".. This is a comment
   spanning lines.

   Even after a blank line.

..
   Comment body right under an empty marker.

.. _internal:

.. _Example Site: https://example.com/
   path

.. _alias: internal_

.. |name| replace:: replaced **text**

__ https://anon.example.com

Kept.
";
    let doc = parse(text);
    assert_eq!(outline(&doc.blocks), "P Kept.@20\n");
    assert_eq!(doc.links.len(), 1);
    assert_eq!(doc.links[0].text, "Example Site");
    assert_eq!(doc.links[0].target, "https://example.com/path");
    assert_eq!(doc.links[0].line, 11);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn hyperlink_targets_end_at_a_blank_line() {
    let text = ".. _t: http://x.com\n\n    indented para\n";
    let doc = parse(text);
    assert_eq!(outline(&doc.blocks), "QUOTE@3\n  P indented para@3\n");
    assert_eq!(doc.links.len(), 1);
}

#[test]
fn directives_without_content_do_not_leak() {
    let text = ".. contents:: Table of Contents
   :depth: 2

.. toctree::
   :maxdepth: 2

   intro

.. image:: foo.png
   :alt: alt text

.. meta::
   :keywords: a, b

.. bibliography:: refs.bib
   :style: lsst_aa

.. highlight:: python

Only this.
";
    let doc = parse(text);
    assert_eq!(outline(&doc.blocks), "P Only this.@20\n");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn raw_is_always_dropped_with_a_warning() {
    let text = ".. raw:: html\n\n   <script>alert('x')</script>\n\n.. |x| raw:: html\n\n   <b>\n\nText |x|.\n";
    let doc = parse(text);
    assert!(!doc.plain_text().contains("script"));
    assert!(!doc.plain_text().contains("<b>"));
    assert_eq!(
        messages(&doc),
        ["raw directive dropped", "raw directive dropped"]
    );
    assert_eq!(doc.warnings[0].line, 1);
}

#[test]
fn include_and_unknown_directives_warn() {
    let doc = parse(".. include:: other.rst\n\n.. mermaid::\n\n   graph TD\n\nText.\n");
    assert_eq!(outline(&doc.blocks), "P Text.@7\n");
    assert_eq!(
        messages(&doc),
        [
            "include directive not followed: 'other.rst'",
            "unknown directive 'mermaid' skipped"
        ]
    );
}

#[test]
fn admonitions_figures_rubrics_and_only_keep_their_text() {
    let text = ".. note:: This is a note
   on two lines.

   And more.

.. admonition:: Custom Title

   Admonition body.

.. warning::

   Careful.

.. figure:: fig.png
   :width: 100

   Figure caption.

   Legend para.

.. rubric:: A Rubric

.. only:: html

   Only for HTML.
";
    assert_eq!(
        outline_of(text),
        "QUOTE@1
  P This is a note⏎on two lines.@1
  P And more.@4
QUOTE@6
  P Custom Title@6
  P Admonition body.@8
QUOTE@10
  P Careful.@12
P Figure caption.@17
P Legend para.@19
P A Rubric@21
P Only for HTML.@25
"
    );
}

#[test]
fn grid_table_with_header_and_multiline_cells() {
    let text = "+-------+----------------------------------+
| time  | Description                      |
+=======+==================================+
| 14:51 | News reports that a new sonnet   |
|       | has been discovered              |
+-------+----------------------------------+
| 14:57 | See `analytics <http://k.io/>`__ |
+-------+----------------------------------+
";
    let doc = parse(text);
    assert_eq!(
        outline(&doc.blocks),
        "TABLE [\"time\", \"Description\"]@1
| [\"14:51\", \"News reports that a new sonnet has been discovered\"]@4
| [\"14:57\", \"See analytics\"]@7
"
    );
    assert_eq!(doc.links.len(), 1);
    assert_eq!(
        (doc.links[0].text.as_str(), doc.links[0].line),
        ("analytics", 7)
    );
}

#[test]
fn wide_characters_take_two_columns_in_grid_tables() {
    // Pandoc and docutils draw borders by display width: an emoji or a CJK character
    // is two columns wide, so its line has one character fewer than its neighbours.
    let text = "+-------+--------------+
| when  | what         |
+=======+==============+
| 14:51 | 🛑 stop sign |
+-------+--------------+
| 14:57 | 東京 region  |
+-------+--------------+
";
    assert_eq!(
        outline_of(text),
        "TABLE [\"when\", \"what\"]@1
| [\"14:51\", \"🛑 stop sign\"]@4
| [\"14:57\", \"東京 region\"]@6
"
    );
}

#[test]
fn grid_table_spans_and_multi_line_header() {
    let text = "+------------+------------+-----------+
| Customers  | Support    | Data      |
| Impacted   | Cases      | Loss      |
+============+============+===========+
| body row 1 | column 2   | column 3  |
+------------+------------+-----------+
| body row 2 | Cells may span columns.|
+------------+------------+-----------+
| body row 3 | Cells may  | - Cells   |
+------------+ span rows. | - contain |
| body row 4 |            | - blocks. |
+------------+------------+-----------+
";
    assert_eq!(
        outline_of(text),
        "TABLE [\"Customers Impacted\", \"Support Cases\", \"Data Loss\"]@1
| [\"body row 1\", \"column 2\", \"column 3\"]@5
| [\"body row 2\", \"Cells may span columns.\"]@7
| [\"body row 3\", \"Cells may span rows.\", \"Cells contain blocks.\"]@9
| [\"body row 4\", \"\", \"\"]@11
"
    );
}

#[test]
fn tables_count_wide_characters_as_two_columns() {
    let text =
        "+------+-----+\n| 名前 | val |\n+------+-----+\n\n=====  =====\n漢字   x\n=====  =====\n";
    assert_eq!(
        outline_of(text),
        "TABLE []@1\n| [\"名前\", \"val\"]@2\nTABLE []@5\n| [\"漢字\", \"x\"]@6\n"
    );
}

#[test]
fn malformed_grid_table_is_kept_as_text() {
    let doc = parse("+-----+-----+\n| a   | b\n+-----+\n\nAfter.\n");
    assert!(doc.plain_text().contains("| a   | b"));
    assert!(doc.plain_text().contains("After."));
    assert_eq!(
        messages(&doc),
        ["grid table could not be parsed; kept as literal text"]
    );
}

#[test]
fn simple_tables_with_header_continuations_and_spans() {
    let text = "=====  =====  =======
  A      B    A and B
=====  =====  =======
False  False  False
True   *x*    False
       cont.
-------------  -----
span   x      y
=====  =====  =======

=====  =====
1      no header
2      second
=====  =====
";
    assert_eq!(
        outline_of(text),
        "TABLE [\"A\", \"B\", \"A and B\"]@1
| [\"False\", \"False\", \"False\"]@4
| [\"True\", \"x cont.\", \"False\"]@5
| [\"span\", \"x\", \"y\"]@8
TABLE []@11
| [\"1\", \"no header\"]@12
| [\"2\", \"second\"]@13
"
    );
    let doc = parse("=====  =====\na      b\n\nno bottom border\n");
    assert_eq!(
        messages(&doc),
        ["simple table has no bottom border; kept as literal text"]
    );
}

#[test]
fn list_table_and_csv_table_directives() {
    let text = ".. list-table:: Frozen Delights!
   :widths: 15 10
   :header-rows: 1

   * - Treat
     - Quantity
   * - Crunchy Frog
     - If we took the bones out,
       crunchy

.. csv-table::
   :header: \"Treat\", \"Quantity\"

   \"Albatross\", 2.99
   \"Crunchy, Frog\", \"1.49
   more\"
   \"Say \"\"hi\"\"\", 3
";
    assert_eq!(
        outline_of(text),
        "P Frozen Delights!@1
TABLE [\"Treat\", \"Quantity\"]@1
| [\"Crunchy Frog\", \"If we took the bones out, crunchy\"]@7
TABLE [\"Treat\", \"Quantity\"]@11
| [\"Albatross\", \"2.99\"]@14
| [\"Crunchy, Frog\", \"1.49 more\"]@15
| [\"Say \\\"hi\\\"\", \"3\"]@17
"
    );
    let external = parse(".. csv-table:: x\n   :file: data.csv\n");
    assert_eq!(
        messages(&external),
        ["csv-table with external data skipped"]
    );
}

#[test]
fn line_blocks_and_definition_lists() {
    let text = "| line one
| line two
|     indented
  continuation

Term
   Definition of term.

   Second para.

Term 2 : classifier
   Def 2.
";
    assert_eq!(
        outline_of(text),
        "P line one⏎line two⏎indented⏎continuation@1
P Term@6
P Definition of term.@7
P Second para.@9
P Term 2@11
P Def 2.@12
"
    );
}

#[test]
fn doctest_and_footnotes() {
    let text = "See the docs [#]_ and [1]_ and [CIT2002]_.\n\n>>> print(1)\n1\n\n.. [1] Footnote text.\n.. [#note] Auto\n   footnote.\n";
    assert_eq!(
        outline_of(text),
        "P See the docs and and.@1\nCODE(pycon) >>> print(1)⏎1@3\nP Footnote text.@6\nP Auto⏎footnote.@7\n"
    );
}

#[test]
fn inline_markup_is_removed() {
    assert_eq!(
        inline("*emph*, **strong**, ``lit *x*``, `interp`, _`target`, \\*not\\* emph"),
        "emph, strong, lit *x*, interp, target, *not* emph"
    );
    assert_eq!(
        inline(
            ":ref:`label`, :cite:`bibkey`, :doc:`Doc text <path/doc>`, `x`:sup:, :py:func:`~a.b.c`"
        ),
        "label, bibkey, Doc text, x, c"
    );
    assert_eq!(
        inline("`named`_, word_ and snake_case_name_, `anon`__, |nosub| and [#]_."),
        "named, word and snake_case_name, anon, nosub and."
    );
    assert_eq!(
        inline("Escaped\\ space and \\\\ backslash"),
        "Escapedspace and \\ backslash"
    );
    assert_eq!(inline("``C:\\path\\file``"), "C:\\path\\file");
    // Literal roles keep backslashes; other roles unescape.
    assert_eq!(inline(":code:`a\\b` and :emphasis:`a\\b`"), "a\\b and ab");
    // Explicit markup wins over a standalone URI, as in docutils.
    assert_eq!(
        inline("see http://x.org/a(*em*) and http://y.org/:sup:`2`"),
        "see http://x.org/a(em) and http://y.org/2"
    );
}

#[test]
fn inline_recognition_rules_leave_plain_asterisks() {
    for text in [
        "2 * 3 = 6 and a*b and x*y*z",
        "files *.rst and *.txt are globs",
        "quoted '*' and \"*\" and (*) and [*]",
        "unclosed *emphasis and **strong and ``literal and `interpreted",
        "snake_case and __init__ and under_score_x and a_b_c",
        "time 9:30 and host:8080 and a|b",
    ] {
        assert_eq!(inline(text), text);
    }
}

#[test]
fn multi_line_backtick_literal_keeps_its_line_breaks() {
    assert_eq!(
        inline("Update: `I'm doing some\nmaintenance today` and ``two\nlines``."),
        "Update: I'm doing some\nmaintenance today and two\nlines."
    );
    assert_eq!(inline("**strong\nacross** lines"), "strong\nacross lines");
}

#[test]
fn links_from_references_targets_and_standalone_urls() {
    let text =
        "A `link <http://example.com/x>`_ and `anon <http://example.org>`__ and `alias <other_>`_.
See https://github.com/o/r/pull/197#issuecomment-1, and (https://x.org/a_b).
Then `Issue`__ and anonymous__.

__ https://first.example.com
__ https://second.example.com

.. _named: http://named.example.com
";
    let doc = parse(text);
    let links: Vec<(&str, &str, u32)> = doc
        .links
        .iter()
        .map(|l| (l.text.as_str(), l.target.as_str(), l.line))
        .collect();
    assert_eq!(
        links,
        [
            ("link", "http://example.com/x", 1),
            ("anon", "http://example.org", 1),
            (
                "https://github.com/o/r/pull/197#issuecomment-1",
                "https://github.com/o/r/pull/197#issuecomment-1",
                2
            ),
            ("https://x.org/a_b", "https://x.org/a_b", 2),
            ("Issue", "https://first.example.com", 3),
            ("anonymous", "https://second.example.com", 3),
            ("named", "http://named.example.com", 8),
        ]
    );
    match doc.blocks.first() {
        Some(Block::Paragraph(p)) => {
            assert!(p.text.starts_with("A link and anon and alias.\n"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn substitutions_use_replacement_text() {
    let text = "Uses |RST| and |unknown|.\n\n.. |RST| replace:: reStructured\n   *Text*\n";
    assert_eq!(
        outline_of(text),
        "P Uses reStructured Text and unknown.@1\n"
    );
}

#[test]
fn pandoc_task_markers_become_task_items() {
    let text = "-  ☒ Push this document\n\n-  ☐ Schedule follow up\n-  [] not a task\n";
    assert_eq!(
        outline_of(text),
        "LIST\n- [x] Push this document@1\n- [ ] Schedule follow up@3\n- [] not a task@4\n"
    );
}

#[test]
fn tabs_crlf_and_bom_are_tolerated() {
    let text =
        "\u{feff}Title\r\n=====\r\n\r\n*\tone\r\n*\ttwo\r\n\r\nCode::\r\n\r\n\tindented\tcode\r\n";
    assert_eq!(
        outline_of(text),
        "H1 Title@1\nLIST\n- one@4\n- two@5\nP Code:@7\nCODE(-) indented        code@9\n"
    );
}

#[test]
fn section_titles_inside_body_elements_become_paragraphs() {
    let doc = parse("- item\n\n  Inner\n  =====\n");
    assert_eq!(outline(&doc.blocks), "LIST\n- item@1\n  P Inner@3\n");
    assert_eq!(
        messages(&doc),
        ["section title not allowed here; kept as a paragraph"]
    );
}

#[test]
fn deep_nesting_is_bounded() {
    let text: String = (0..200)
        .map(|i| format!("{}- level {i}\n\n", "  ".repeat(i)))
        .collect();
    let doc = parse(&text);
    assert!(doc.plain_text().contains("level 199"));
    assert_eq!(
        messages(&doc),
        ["nesting too deep; content kept as plain text"]
    );
}

/// A small deterministic PRNG (xorshift64*), so the fuzz run is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

const FRAGMENTS: &[&str] = &[
    "Title\n=====\n",
    "=====\nTitle\n=====\n",
    "Sub\n---\n",
    "----\n",
    "::\n",
    "Para::\n",
    "    indented code\n",
    "* item\n",
    "- item\n  continued\n",
    "1. one\n",
    "#. auto\n",
    "(a) alpha\n",
    "i) roman\n",
    ":field: value\n",
    ":tocdepth: 1\n",
    ".. note::\n",
    "   body\n",
    ".. raw:: html\n",
    ".. code-block:: python\n",
    ".. list-table::\n   :header-rows: 1\n",
    "   * - a\n     - b\n",
    ".. csv-table::\n   :header: \"a\", \"b\n",
    ".. _t: http://x\n",
    ".. |s| replace:: *r*\n",
    "..\n",
    ".. [1] foot\n",
    "__ http://a\n",
    "| line\n",
    ">>> x\n",
    "+---+---+\n",
    "| a | b |\n",
    "+===+===+\n",
    "+---+   +\n",
    "=== ===\n",
    "a   b\n",
    "--- ---\n",
    "*emph* **strong** ``lit`` `ref`_ :role:`x` [#]_ |s| http://u.rl\n",
    "`unclosed ``also *and **\n",
    "term\n   definition\n",
    "\t\ttabbed\n",
    "\r\n",
    "\u{feff}",
    "\\",
    "`\n",
    "|",
    "..",
    "::",
    "é 漢字 ☒ ☐\n",
    "\n",
    "\n\n",
    "   ",
    "+",
    "=",
    ".. sectnum::\n",
    ".. figure:: x\n\n   caption\n",
    ".. admonition::\n",
    ".. only::\n",
    ".. table::\n",
];

fn check_lines(blocks: &[Block], max: u32) {
    for block in blocks {
        assert!(
            (1..=max).contains(&block.line()),
            "line {} of {block:?}",
            block.line()
        );
        match block {
            Block::Quote(q) => check_lines(&q.blocks, max),
            Block::List(l) => {
                for item in &l.items {
                    assert!((1..=max).contains(&item.line));
                    check_lines(&item.children, max);
                }
            }
            Block::Table(t) => {
                for row in &t.rows {
                    assert!((1..=max).contains(&row.line));
                }
            }
            _ => {}
        }
    }
}

#[test]
fn fuzz_never_panics_and_lines_stay_in_range() {
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let started = std::time::Instant::now();
    for round in 0..4000 {
        if started.elapsed().as_millis() > 700 {
            break;
        }
        let mut text = String::new();
        for _ in 0..rng.below(40) {
            if rng.below(4) == 0 {
                text.push_str(&" ".repeat(rng.below(9)));
            }
            text.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
        }
        if round % 3 == 0 {
            // random bytes, decoded lossily, and random char boundaries
            let bytes: Vec<u8> = (0..rng.below(200))
                .map(|_| (rng.next() & 0xff) as u8)
                .collect();
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
        if round % 5 == 0 {
            let cut = rng.below(text.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|&c| text.is_char_boundary(c))
                .unwrap_or(0);
            text.truncate(cut);
        }
        let doc = parse(&text);
        let max = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
        check_lines(&doc.blocks, max);
        for link in &doc.links {
            assert!((1..=max).contains(&link.line));
        }
        for warning in &doc.warnings {
            assert!((1..=max).contains(&warning.line), "{warning:?} in {text:?}");
        }
    }
}

#[test]
fn large_input_parses_in_linear_time() {
    let unit = format!("{TACC}\n\n{AUXTEL}\n\n");
    let mut text = String::new();
    while text.len() < 1_000_000 {
        text.push_str(&unit);
    }
    // pathological inline input: many unmatched start-strings in one paragraph
    text.push_str(&"*a `b ``c |d [e :f:g ".repeat(20_000));
    let started = std::time::Instant::now();
    let doc = parse(&text);
    let elapsed = started.elapsed();
    assert!(doc.blocks.len() > 1000);
    let limit = if cfg!(debug_assertions) {
        10_000
    } else {
        1_000
    };
    assert!(elapsed.as_millis() < limit, "took {elapsed:?}");
}

/// Walks the shared corpus when it is next to the checkout: every RST file parses
/// without directive syntax leaking into the text. Run with `--ignored`.
#[test]
#[ignore = "reads the shared corpus outside the crate"]
fn shared_corpus_parses_without_leaks() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let roots = [
        format!("{manifest}/../shared"),
        format!("{manifest}/../../shared"),
    ];
    let Some(root) = roots
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_dir())
    else {
        return;
    };
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rst") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty());
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let doc = parse(&text);
        let plain = doc.plain_text();
        for line in plain.lines() {
            let t = line.trim_start();
            assert!(
                !t.starts_with(".. "),
                "{}: explicit markup leaked: {t}",
                path.display()
            );
            assert!(
                !t.starts_with(":style:"),
                "{}: option leaked: {t}",
                path.display()
            );
            assert!(
                !t.starts_with(":tocdepth:"),
                "{}: field leaked: {t}",
                path.display()
            );
        }
        assert!(
            doc.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            doc.warnings
        );
    }
}
