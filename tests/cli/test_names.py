"""One name for a checklist item in every tool, and typos refused with a suggestion.

Every tool prints an item by its full dotted path (``checklist.<section>.<item>``,
``type_checklist.<type>.<section>.<item>``), and every option that names an item accepts the
same spellings: that path, any dotted tail of it (``section.item``, the bare item name) where
it names one item, and for a type item the v3 spelling under ``checklist``. A paper key or
item that names nothing exits 2 and names the closest existing ones. Real tool runs, on the
hand-built history of ``knownhistory`` and on the story of ``scanstory``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest

from conftest import canonical, fixture_doc, put, run_tool
from knownhistory import TYPE_ITEM, F
from scanstory import Story

P1 = "2601.00001"
SPELLINGS = {
    F: [F, "conflicts_of_interest.funding_disclosed", "funding_disclosed"],
    TYPE_ITEM: [
        TYPE_ITEM,
        "position.argument.thesis_stated",
        "argument.thesis_stated",
        "thesis_stated",
        "checklist.argument.thesis_stated",  # v3 held every section under checklist
    ],
}


def ok(tool: str, *args: str, cwd: Path) -> str:
    done = run_tool(tool, *args, cwd=cwd)
    assert done.returncode in (0, 1), (tool, args, done.stderr)
    assert "Traceback" not in done.stderr
    return done.stdout


def refused(tool: str, *args: str, cwd: Path) -> str:
    """The message of a run that must exit 2, print nothing on stdout and no traceback."""
    done = run_tool(tool, *args, cwd=cwd)
    assert (done.returncode, done.stdout) == (2, ""), (tool, args, done.stderr)
    assert "Traceback" not in done.stderr
    return done.stderr


def test_every_tool_prints_an_item_by_its_full_name(known: tuple[Path, list[str]]) -> None:
    repo = known[0]
    text = ok("stats", "--table", "items", cwd=repo)
    markdown = ok("stats", "--table", "items", "--format", "markdown", cwd=repo)
    stability = ok("stats", "--stability", "--table", "stability", cwd=repo)
    for output in (text, html.unescape(markdown), stability):
        assert TYPE_ITEM in output and F in output
        assert "position/" not in output
    exported = csv.DictReader(io.StringIO(ok("export", cwd=repo)))
    assert {TYPE_ITEM, F} <= {row["item"] for row in exported}
    for name, spellings in SPELLINGS.items():
        for spelling in spellings:
            traced = json.loads(ok("log", P1, "--item", spelling, "--format", "json", cwd=repo))
            assert traced["item"] == name
            evidence = ok("stats", "--evidence", spelling, cwd=repo)
            assert evidence.startswith(f"Evidence: every paper's answer to {name}\n")


def test_every_item_option_accepts_the_same_spellings(known: tuple[Path, list[str]]) -> None:
    repo = known[0]
    for name, spellings in SPELLINGS.items():
        logs = {spelling: ok("log", P1, "--item", spelling, cwd=repo) for spelling in spellings}
        assert len(set(logs.values())) == 1, logs
        assert "(no such item)" not in logs[name]
        corpus = {s: ok("stats", "--evidence", s, "--format", "csv", cwd=repo) for s in spellings}
        assert len(set(corpus.values())) == 1
        assert len(corpus[name].splitlines()) == 4  # three papers at HEAD
        history = {
            s: ok("stats", "--stability", "--evidence", s, "--format", "csv", cwd=repo)
            for s in spellings
        }
        assert len(set(history.values())) == 1
    # the label stats prints is a name every option takes
    printed = ok("stats", "--table", "items", cwd=repo)
    label = next(word for word in printed.split() if word.endswith(".thesis_stated"))
    assert ok("stats", "--evidence", label, cwd=repo).startswith(
        f"Evidence: every paper's answer to {TYPE_ITEM}\n"
    )
    assert ok("log", P1, "--item", label, cwd=repo) == logs[TYPE_ITEM]


@pytest.mark.parametrize(
    ("args", "closest"),
    [
        (["--evidence", "fundng_disclosed"], F),
        (["--evidence", "checklist.conflicts_of_intrest.funding_disclosed"], F),
        (["--evidence", "position.argument.thesis_stat"], TYPE_ITEM),
        (["--stability", "--evidence", "fundng_disclosed"], F),
    ],
)
def test_stats_refuses_a_misspelled_item_naming_the_closest(
    known: tuple[Path, list[str]], args: list[str], closest: str
) -> None:
    message = refused("stats", *args, cwd=known[0])
    assert f"did you mean {closest}" in message


def test_an_ambiguous_short_name_lists_the_items_it_could_be(repo: Path) -> None:
    """Two paper types with the same section and item: the bare name is ambiguous."""
    for number, paper_type in ((1, "position"), (2, "survey")):
        doc = fixture_doc()
        doc["paper_type"] = paper_type
        doc["paper"].update(arxiv_id=f"2601.0000{number}", doi=None)
        entry = {"applies": True, "answer": True, "justification": "j", "source": "opus"}
        doc["type_checklist"] = {paper_type: {"argument": {"thesis_stated": entry}}}
        put(repo, f"scans/v4/2601/2601.0000{number}.json", canonical(doc))
    message = refused("stats", "--evidence", "thesis_stated", cwd=repo)
    assert "type_checklist.position.argument.thesis_stated" in message
    assert "type_checklist.survey.argument.thesis_stated" in message
    assert ok("stats", "--evidence", "survey.argument.thesis_stated", cwd=repo)


def test_log_refuses_an_unknown_item_or_paper_naming_the_closest(story: Story) -> None:
    root = story.root
    assert "did you mean" in refused("log", "2602.07852", "--item", "a_misspelled_item", cwd=root)
    for spelling in ("fundng_disclosed", "checklist.conflicts_of_intrest.funding_disclosed"):
        message = refused("log", "2602.07852", "--item", spelling, cwd=root)
        assert "did you mean checklist.conflicts_of_interest.funding_disclosed" in message
    for key in ("2602.0785", "2602.07853"):
        assert "did you mean 2602.07852" in refused("log", key, cwd=root)
    # a paper that left the corpus is no typo: its history is shown
    assert ok("log", "2401.01234", cwd=root)


def test_diff_refuses_a_paper_in_neither_state_naming_the_closest(clone: Path) -> None:
    for args in (
        ["--", "2602.0785"],
        ["--", "2602.07853"],
        ["c1", "c3", "--", "2602.07853"],
        ["--", "scans/v4/2602/2602.0785.json"],
    ):
        assert "did you mean 2602.07852" in refused("diff", *args, cwd=clone)
    # a paper or directory in either state without changes is no error: exit 0, no changes
    for args in (
        ["--", "2602.07852"],
        ["--", "scans/v4/2602"],
        ["c1", "c2", "--", "scans/v3"],
        ["c2", "c3", "--", "2401.01234"],
    ):
        done = run_tool("diff", *args, cwd=clone)
        assert (done.returncode, done.stderr) == (0, ""), args
    # a paper only one side has is in a compared state
    assert run_tool("diff", "c1", "c9", "--", "2603.00001", cwd=clone).returncode == 1


def test_validate_and_migrate_name_the_closest_paper(clone: Path) -> None:
    for tool, args in (("validate", []), ("migrate", ["--to", "4", "--dry-run"])):
        for key in ("2602.07853", "2602.0785"):
            assert "did you mean 2602.07852" in refused(tool, *args, key, cwd=clone)
