"""tools/scan-textconv: one scan as stable semantic lines; never a failure for a broken file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TOOLS, V3_FIXTURE, V4_FIXTURE, canonical, fixture_doc, run_tool
from scanrepo.cli.common import run
from scanrepo.cli.scan_textconv import main as textconv_main
from scanrepo.diff.textconv import ENTRY_RECORDS, FACTOR_LINE, ITEM_LINE, semantic_text
from scanrepo.format import model

FUNDING = "checklist.conflicts_of_interest.funding_disclosed"


def text_of(doc: object) -> str:
    return semantic_text(canonical(doc), "scan.json")


def test_v3_and_v4_forms_of_one_scan_give_the_same_text() -> None:
    v4 = semantic_text(V4_FIXTURE.read_bytes(), "a.json")
    assert semantic_text(V3_FIXTURE.read_bytes(), "b.json") == v4
    lines = v4.splitlines()
    assert lines[0] == "# scan of paper 2602.07852"
    at = lines.index(f"{FUNDING}: applies yes, answer no, source opus")
    assert lines[at + 1].startswith("    No funding acknowledgments section found")
    assert "type_checklist.empirical.contamination.training_cutoff_stated: " in v4
    assert "engagement_factors.practical_relevance: score 2" in lines
    assert 'methodology_tags: ["case-study", "observational"]' in lines
    assert "scan_version" not in v4


def test_reordering_claims_flags_cited_papers_and_tags_changes_nothing() -> None:
    doc = fixture_doc()
    before = text_of(doc)
    for name in ("claims", "red_flags", "cited_papers", "methodology_tags"):
        doc[name].reverse()
    assert text_of(doc) == before
    claims = [ln for ln in before.splitlines() if ln.startswith("claim [")]
    assert len(claims) == 7
    assert [ln.split("]: ", 1)[1] for ln in claims] == sorted(c["claim"] for c in doc["claims"])


def test_an_answer_flip_changes_exactly_its_line() -> None:
    doc = fixture_doc()
    before = text_of(doc).splitlines()
    doc["checklist"]["conflicts_of_interest"]["funding_disclosed"]["answer"] = True
    after = text_of(doc).splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        (
            f"{FUNDING}: applies yes, answer no, source opus",
            f"{FUNDING}: applies yes, answer yes, source opus",
        )
    ]


def test_multi_line_and_hostile_text_is_indented_and_inert() -> None:
    doc = fixture_doc()
    item = doc["checklist"]["conflicts_of_interest"]["funding_disclosed"]
    item["justification"] = "first line\nsecond \x1b[31mred\x1b[0m line\u202e"
    lines = text_of(doc).splitlines()
    at = lines.index(f"{FUNDING}: applies yes, answer no, source opus")
    assert lines[at + 1 : at + 3] == [
        "    first line",
        "    second \\x1b[31mred\\x1b[0m line\\u202e",
    ]
    assert "\x1b" not in text_of(doc)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"scan_version": 4,\n  "paper": }', "(line 2 column 12: "),
        (b'{"scan_version": 9}', "(cannot migrate: $.scan_version: no migration path from v9"),
        (b"[1, 2]", "(not a JSON object)"),
        (b'{"scan_version": 3, "paper": {}}', "(cannot migrate: $"),
        (b"\xff\xfe\x1b[2J", "(line 1 column 1: "),
    ],
)
def test_a_broken_file_gives_a_note_and_its_raw_text(data: bytes, reason: str) -> None:
    text = semantic_text(data, "broken.json")
    first, _, rest = text.partition("\n")
    assert first.startswith("# scanrepo textconv: broken.json: not shown as a scan ")
    assert reason in first
    assert first.endswith("; the raw text follows")
    assert rest == data.decode("utf-8", "replace").replace("\x1b", "\\x1b")


def test_cli_prints_the_text_and_never_fails_on_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text(json.dumps({"scan_version": "four"}))
    assert run(textconv_main, ["bad.json"]) == 0
    assert capsys.readouterr().out.startswith("# scanrepo textconv: bad.json: not shown")
    assert run(textconv_main, ["missing.json"]) == 2
    assert "missing.json: cannot read" in capsys.readouterr().err


def test_executable_runs_as_git_starts_it() -> None:
    done = run_tool("scan-textconv", str(V3_FIXTURE), cwd=V3_FIXTURE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout == semantic_text(V4_FIXTURE.read_bytes(), "x")


def test_the_lines_show_every_field_of_the_model() -> None:
    """A field added to the model's items, factors or entries needs its place in the text."""
    assert {*ITEM_LINE, model.JUSTIFICATION} == set(model.ITEM_FIELDS)
    assert {*FACTOR_LINE, model.JUSTIFICATION} == set(model.FACTOR_FIELDS)
    assert set(ENTRY_RECORDS) == set(model.ENTRY_FIELDS)
    for name, (fields, _) in ENTRY_RECORDS.items():
        assert set(fields) == set(model.ENTRY_FIELDS[name]), name


def test_the_driver_runs_on_the_standard_library_alone(tmp_path: Path) -> None:
    """git starts the driver with whatever python3 it finds: with no site-packages at all (-S),
    a v3 scan is still migrated and shown, not shown raw."""
    (tmp_path / "scan.json").write_bytes(V3_FIXTURE.read_bytes())
    done = subprocess.run(
        [sys.executable, "-S", str(TOOLS / "scan-textconv"), "scan.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == semantic_text(V3_FIXTURE.read_bytes(), "scan.json")
    assert f"{FUNDING}: applies yes, answer no, source opus" in done.stdout
