"""The renderings of a DiffResult: golden text, stat, Markdown and JSON for a small hand-made
result; scan text that tries to be HTML, Markdown, mentions or terminal escapes stays inert; the
Markdown comment keeps to its size limit and says what it left out."""

from __future__ import annotations

import json
import re

from scanrepo.diff.changes import Change, DiffResult, PaperDiff
from scanrepo.problems import Problem
from scanrepo.render.diff_json import render_json
from scanrepo.render.diff_markdown import render_markdown
from scanrepo.render.diff_text import render_stat, render_text
from scanrepo.render.inert import markdown_inline

FUNDING = ("checklist", "conflicts_of_interest", "funding_disclosed")
FUNDING_WHERE = "checklist.conflicts_of_interest.funding_disclosed"
CODE = ("type_checklist", "empirical", "artifacts", "code_released")
CODE_WHERE = "type_checklist.empirical.artifacts.code_released"
V4 = "scans/v4/2602/2602.07852.json"
PAYLOAD = (
    "</details><script>alert(1)</script> @someone #12 [x](http://evil) "
    "![i](http://e/i.png) \x1b[31mred <!-- x --> | *b* _i_ `c` ~~s~~ $m$"
)


def small_result() -> DiffResult:
    second = "scans/v4/2605/2605.00003.json"
    return DiffResult(
        "HEAD~1",
        "HEAD",
        [
            PaperDiff(
                "2602.07852",
                "modified",
                V4,
                V4,
                4,
                4,
                [
                    Change("answer_flipped", FUNDING_WHERE, (*FUNDING, "answer"), False, True),
                    Change(
                        "justification_edited",
                        FUNDING_WHERE,
                        (*FUNDING, "justification"),
                        "No funding section found.",
                        "A funding section was found in the appendix.",
                    ),
                    Change("source_changed", CODE_WHERE, (*CODE, "source"), "opus", "haiku"),
                    Change(
                        "support_changed",
                        "claims[Narrow misalignment is hard]",
                        ("claims", 1, "supported"),
                        "strong",
                        "moderate",
                    ),
                    Change(
                        "entry_added",
                        "red_flags[No error bars]",
                        ("red_flags", 6),
                        None,
                        {"flag": "No error bars", "detail": "None."},
                    ),
                    Change(
                        "score_changed",
                        "engagement_factors.fear_safety",
                        ("engagement_factors", "fear_safety", "score"),
                        3,
                        2,
                    ),
                    Change(
                        "metadata_changed",
                        "paper.venue",
                        ("paper", "venue"),
                        "ICLR 2026",
                        "ICLR 2026 (oral)",
                    ),
                    Change(
                        "tags_changed",
                        "methodology_tags",
                        ("methodology_tags",),
                        ["observational", "case-study"],
                        ["observational", "ablation"],
                    ),
                    Change(
                        "hn_data_changed",
                        "hn_data.threads",
                        ("hn_data", "threads", 0),
                        None,
                        {"title": "Show HN", "points": 5},
                    ),
                ],
                title="Emergent Misalignment is Easy",
            ),
            PaperDiff(
                "2603.00001",
                "unchanged",
                "scans/v3/2603/2603.00001.json",
                "scans/v4/2603/2603.00001.json",
                3,
                4,
                title="Migrated",
            ),
            PaperDiff(
                "2604.00002", "added", None, "scans/v4/2604/2604.00002.json", None, 4, title="New"
            ),
            PaperDiff(
                "2605.00003",
                "modified",
                second,
                second,
                4,
                4,
                [
                    Change("answer_flipped", FUNDING_WHERE, (*FUNDING, "answer"), False, True),
                    Change("applies_flipped", CODE_WHERE, (*CODE, "applies"), True, False),
                ],
                title="Second",
            ),
        ],
    )


TEXT = """\
2602.07852  modified  scans/v4/2602/2602.07852.json
  answer  checklist.conflicts_of_interest.funding_disclosed  no → yes
  justification edited  checklist.conflicts_of_interest.funding_disclosed  (+6 \u22122 words)
  source  type_checklist.empirical.artifacts.code_released  opus → haiku
  supported  claims[Narrow misalignment is hard]  strong → moderate
  entry added  red_flags[No error bars]
  score  engagement_factors.fear_safety  3 → 2
  metadata  paper.venue  "ICLR 2026" → "ICLR 2026 (oral)"
  tags  methodology_tags  +ablation \u2212case-study
  hn_data  hn_data.threads[0]  null → {"title": "Show HN", "points": 5}
2603.00001  migrated v3→v4, moved, no changes  \
scans/v3/2603/2603.00001.json → scans/v4/2603/2603.00001.json
2604.00002  added  scans/v4/2604/2604.00002.json
2605.00003  modified  scans/v4/2605/2605.00003.json
  answer  checklist.conflicts_of_interest.funding_disclosed  no → yes
  applies  type_checklist.empirical.artifacts.code_released  yes → no
4 papers differ: 1 added, 2 modified, 1 migrated, 1 moved
2 answers flipped in 2 papers (funding_disclosed no→yes \u00d72)
"""


def test_text_golden() -> None:
    assert render_text(small_result()) == TEXT


def test_text_word_diff_in_git_style() -> None:
    lines = render_text(small_result(), word_diff=True).splitlines()
    assert lines[3] == "      [-No-]{+A+} funding section [-found.-]{+was found in the appendix.+}"
    assert lines[:3] + lines[4:] == TEXT.splitlines()


def test_text_colour_only_when_asked() -> None:
    coloured = render_text(small_result(), color=True, word_diff=True)
    assert "\x1b[" not in render_text(small_result(), word_diff=True)
    assert "\x1b[1m2602.07852  modified  scans/v4/2602/2602.07852.json\x1b[0m" in coloured
    assert "\x1b[31mno\x1b[0m → \x1b[32myes\x1b[0m" in coloured
    assert "\x1b[31m[-No-]\x1b[0m\x1b[32m{+A+}\x1b[0m funding section" in coloured
    assert re.sub(r"\x1b\[\d+m", "", coloured) == render_text(small_result(), word_diff=True)


def test_text_without_papers() -> None:
    assert render_text(DiffResult("a", "b", [])) == "no changes\n"


STAT = """\
2602.07852  modified  9 changes: 1 answer, 1 source, 1 justification, 1 entry added, \
1 support level, 1 score, 1 metadata field, 1 tags, 1 hn_data change
2603.00001  migrated v3→v4, moved, no changes
2604.00002  added
2605.00003  modified  2 changes: 1 answer, 1 applies
checklist items:
  checklist.conflicts_of_interest.funding_disclosed  2 answers, 1 justification
  type_checklist.empirical.artifacts.code_released   1 applies, 1 source
4 papers differ: 1 added, 2 modified, 1 migrated, 1 moved; 11 changes; \
2 answers flipped in 2 papers
"""


def test_stat_golden() -> None:
    assert render_stat(small_result()) == STAT


# Entities: &#126; ~  &#58; :  &#95; _  &#91; [  &#93; ]  &#34; "  &#40; (  &#41; )
# &#43; + (leading)  &#123; {  &#125; }
MARKDOWN = """\
### Scan changes: HEAD&#126;1 → HEAD

**4 papers differ&#58; 1 added, 2 modified, 1 migrated, 1 moved**; 2 answers flipped in 2 papers \
(funding&#95;disclosed no→yes \u00d72)

| | count |
| --- | ---: |
| papers changed | 4 |
| added | 1 |
| removed | 0 |
| modified | 2 |
| moved | 1 |
| migrated | 1 |
| answers flipped | 2 |
| changes | 11 |

| checklist item | answers flipped | applies flipped | sources changed | justifications edited \
| added / removed |
| --- | ---: | ---: | ---: | ---: | ---: |
| checklist.conflicts&#95;of&#95;interest.funding&#95;disclosed | 2 (no→yes 2) |  |  | 1 |  |
| type&#95;checklist.empirical.artifacts.code&#95;released |  | 1 | 1 |  |  |


<details><summary>2602.07852 · modified · 9 changes · Emergent Misalignment is Easy</summary>

file&#58; scans/v4/2602/2602.07852.json

- **answer** checklist.conflicts&#95;of&#95;interest.funding&#95;disclosed: no → yes
- **justification edited** checklist.conflicts&#95;of&#95;interest.funding&#95;disclosed: \
(+6 \u22122 words) — <del>No</del><ins>A</ins> funding section <del>found.</del>\
<ins>was found in the appendix.</ins>
- **source** type&#95;checklist.empirical.artifacts.code&#95;released: opus → haiku
- **supported** claims&#91;Narrow misalignment is hard&#93;: strong → moderate
- **entry added** red&#95;flags&#91;No error bars&#93;
- **score** engagement&#95;factors.fear&#95;safety: 3 → 2
- **metadata** paper.venue: &#34;ICLR 2026&#34; → &#34;ICLR 2026 &#40;oral&#41;&#34;
- **tags** methodology&#95;tags: &#43;ablation \u2212case-study
- **hn_data** hn&#95;data.threads&#91;0&#93;: null → \
&#123;&#34;title&#34;&#58; &#34;Show HN&#34;, &#34;points&#34;&#58; 5&#125;

</details>

- 2603.00001 · migrated v3→v4, moved, no changes · Migrated · \
moved&#58; scans/v3/2603/2603.00001.json → scans/v4/2603/2603.00001.json

- 2604.00002 · added · New · file&#58; scans/v4/2604/2604.00002.json

<details><summary>2605.00003 · modified · 2 changes · Second</summary>

file&#58; scans/v4/2605/2605.00003.json

- **answer** checklist.conflicts&#95;of&#95;interest.funding&#95;disclosed: no → yes
- **applies** type&#95;checklist.empirical.artifacts.code&#95;released: yes → no

</details>
"""


def test_markdown_golden() -> None:
    assert render_markdown(small_result()) == MARKDOWN


def test_markdown_lists_validation_problems_first() -> None:
    given = Problem("scans/v4/2602/2602.07852.json", 3, 5, "$.paper", "bad *title*", "schema")
    result = small_result()
    result.papers[1].problems.append(given)
    text = render_markdown(result, problems=[given])
    assert text.index("#### Validation problems (1)") < text.index("| | count |")
    assert (
        "- scans/v4/2602/2602.07852.json&#58;3&#58;5&#58; &#36;.paper&#58; bad &#42;title&#42;"
        in text
    )


def test_json_golden() -> None:
    problem = Problem("HEAD:scans/v4/2601/2601.00009.json", 1, 9, "$", "unexpected end", "syntax")
    result = DiffResult(
        "HEAD~1",
        "HEAD",
        [
            PaperDiff(
                "2601.00009",
                "modified",
                "scans/v3/2601/2601.00009.json",
                "scans/v4/2601/2601.00009.json",
                3,
                None,
                problems=[problem],
            ),
            PaperDiff(
                "2602.07852",
                "modified",
                V4,
                V4,
                4,
                4,
                [Change("answer_flipped", FUNDING_WHERE, (*FUNDING, "answer"), False, True)],
                title="T",
            ),
        ],
    )
    expected = {
        "format": "scanrepo-semdiff",
        "version": 1,
        "old": "HEAD~1",
        "new": "HEAD",
        "summary": {
            "papers": 2,
            "added": 0,
            "removed": 0,
            "modified": 2,
            "unchanged": 0,
            "moved": 1,
            "migrated": 0,
            "changes": 1,
            "answers_flipped": 1,
            "problems": 1,
            "by_kind": {"answer_flipped": 1},
        },
        "papers": [
            {
                "key": "2601.00009",
                "status": "modified",
                "title": None,
                "old_path": "scans/v3/2601/2601.00009.json",
                "new_path": "scans/v4/2601/2601.00009.json",
                "old_version": 3,
                "new_version": None,
                "moved": True,
                "migrated": False,
                "changes": [],
                "problems": [
                    {
                        "file": "HEAD:scans/v4/2601/2601.00009.json",
                        "line": 1,
                        "col": 9,
                        "path": "$",
                        "message": "unexpected end",
                        "kind": "syntax",
                        "fixable": False,
                    }
                ],
            },
            {
                "key": "2602.07852",
                "status": "modified",
                "title": "T",
                "old_path": V4,
                "new_path": V4,
                "old_version": 4,
                "new_version": 4,
                "moved": False,
                "migrated": False,
                "changes": [
                    {
                        "kind": "answer_flipped",
                        "where": FUNDING_WHERE,
                        "path": [*FUNDING, "answer"],
                        "json_path": "$.checklist.conflicts_of_interest.funding_disclosed.answer",
                        "old": False,
                        "new": True,
                    }
                ],
                "problems": [],
            },
        ],
    }
    assert result.to_json() == expected
    assert json.loads(render_json(result)) == expected


# --- scan text stays inert --------------------------------------------------------------------


def hostile_result() -> DiffResult:
    change = Change(
        "justification_edited",
        FUNDING_WHERE,
        (*FUNDING, "justification"),
        "Nothing.",
        "Nothing. " + PAYLOAD,
    )
    claim = Change(
        "support_changed", f"claims[{PAYLOAD}]", ("claims", 0, "supported"), "strong", "weak"
    )
    paper = PaperDiff("2602.07852", "modified", V4, V4, 4, 4, [change, claim], title=PAYLOAD)
    return DiffResult("HEAD~1", "HEAD", [paper])


def decoded(text: str) -> str:
    """The characters a reader sees: numeric character references decoded."""
    return re.sub(r"&#(\d+);", lambda m: chr(int(m[1])), text)


def test_hostile_text_is_inert_in_markdown() -> None:
    problem = Problem(V4, 1, 1, "$", PAYLOAD, "schema")
    text = render_markdown(hostile_result(), problems=[problem])
    assert "<script" not in text
    assert text.count("</details>") == text.count("<details>") == 1  # only ours
    assert text.count("<") == text.count(">")  # every tag ours: details, summary, del, ins
    assert not re.search(r"<(?!/?(details|summary|del|ins)>)", text)
    assert "](" not in text and "![" not in text and "://" not in text
    # GitHub links mentions, issue numbers and URLs in the text it displays, entities decoded
    shown = decoded(text)
    assert "@someone" not in shown and "#12" not in shown and "http://" not in shown
    assert "@\u2060someone" in shown and "#\u206012" in shown
    assert "<!--" not in text and "-->" not in text
    assert "\x1b" not in text
    for line in text.splitlines():  # the hostile '|' and newlines never make or break a table
        assert line.count("|") in ((3, 7) if line.startswith("|") else (0,)), line
    assert "`" not in text and "*b*" not in text and "_i_" not in text and "$m$" not in text


def test_hostile_text_is_inert_in_the_terminal() -> None:
    for text in (
        render_text(hostile_result(), word_diff=True),
        render_text(hostile_result(), color=True, word_diff=True).replace("\x1b[", "CSI"),
        render_stat(hostile_result()),
        render_json(hostile_result()),
    ):
        assert "\x1b" not in text
    plain = render_text(hostile_result(), word_diff=True)
    assert "\\x1b[31mred" in plain  # shown, escaped
    assert json.loads(render_json(hostile_result()))["papers"][0]["title"] == PAYLOAD


def test_markdown_inline_renders_the_same_characters() -> None:
    text = markdown_inline(PAYLOAD)
    assert decoded(text).replace("\u2060", "") == PAYLOAD.replace("\x1b", "\\x1b")
    assert markdown_inline("a\nb\r\nc\td") == "a ↵ b ↵ c d"
    assert markdown_inline("1. item").startswith("&#49;")
    assert markdown_inline("- item").startswith("&#45;")
    assert markdown_inline("2602.07852") == "2602.07852"
    assert (
        markdown_inline("a@b.com www.x.org GH-12")
        == "a&#64;\u2060b.com www\u2060.x.org GH\u2060-12"
    )
    assert markdown_inline("sha 0123456789abcdef") == "sha 012345\u20606789ab\u2060cdef"


# --- the size limit ---------------------------------------------------------------------------


def many_papers(count: int, changes_each: int) -> DiffResult:
    long_text = "word " * 60
    papers = []
    for number in range(count):
        changes = [
            Change(
                "justification_edited",
                f"checklist.section_{index}.item_{index}",
                ("checklist", f"section_{index}", f"item_{index}", "justification"),
                long_text,
                long_text + f"edit {number}",
            )
            for index in range(changes_each)
        ]
        key = f"2602.{number:05d}"
        path = f"scans/v4/2602/{key}.json"
        papers.append(
            PaperDiff(key, "modified", path, path, 4, 4, changes, title=f"Paper {number}")
        )
    return DiffResult("main", "pr", papers)


def test_markdown_keeps_to_the_limit_and_says_what_it_left_out() -> None:
    result = many_papers(2000, 3)
    text = render_markdown(result)
    assert len(text) < 60000
    shown = text.count("<details>")
    assert 0 < shown < 2000
    assert text.rstrip().endswith(
        f"… {2000 - shown} more papers not shown (the JSON output lists all)"
    )
    assert "| papers changed | 2000 |" in text  # the summary still counts everything
    # long unchanged runs in a word diff are cut to a few words around the edit
    assert (
        ": (+2 \u22120 words) — … word word word word word word word word <ins>edit 0</ins>\n"
        in text
    )


def test_one_huge_paper_is_cut_inside_its_section() -> None:
    result = many_papers(2, 400)
    text = render_markdown(result, limit=20000)
    assert len(text) < 20000
    assert re.search(r"- … \d+ more changes of 2602\.00000 not shown", text)
    assert text.count("</details>") == text.count("<details>")
