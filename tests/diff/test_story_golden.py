"""tools/diff and tools/log on the story repository, against golden outputs checked by hand.

Regenerate after an intended change with ``SCANREPO_UPDATE_GOLDEN=1 pytest
tests/diff/test_story_golden.py`` and read the diff of tests/data/golden/ before committing it.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import DATA
from scanrepo.cli.common import run
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from scanstory import Story

GOLDEN = DATA / "golden"
CASES = {
    "story-c1-main.txt": ["c1", "main"],
    "story-c1-main.stat": ["--stat", "c1", "main"],
    "story-c1-main.md": ["--format", "markdown", "c1", "main"],
    "story-c1-main.json": ["--format", "json", "c1", "main"],
    "story-migration.txt": ["c1..c2"],
    "story-review-word.txt": ["--word-diff", "main...review"],
    "story-review.md": ["--format", "markdown", "main...review"],
    "log-2602.07852.txt": ["log", "2602.07852", "--word-diff"],
    "log-2602.07852-funding.txt": [
        "log",
        "2602.07852",
        "--item",
        "checklist.conflicts_of_interest.funding_disclosed",
    ],
    "log-2603.00001-review.json": ["log", "2603.00001", "review", "--format", "json"],
}
# What each case exits with: diff 1 (changes) but 0 for a pure migration; log 0.
EXIT = {"story-migration.txt": 0} | {name: 0 for name in CASES if name.startswith("log-")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output(
    story: Story,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    monkeypatch.chdir(story.root)
    argv = CASES[name]
    code = run(log_main, argv[1:]) if argv[0] == "log" else run(diff_main, argv)
    out = capsys.readouterr().out
    assert code == EXIT.get(name, 1)
    path = GOLDEN / name
    if os.environ.get("SCANREPO_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")
    if name.startswith("story-") and name.endswith(".json"):
        assert json.loads(out)["format"] == "scanrepo-semdiff"
    elif name.endswith(".json"):
        assert json.loads(out)["paper"] == "2603.00001"


def test_hostile_text_renders_inert() -> None:
    markdown = (GOLDEN / "story-review.md").read_text(encoding="utf-8")
    assert "<script" not in markdown and "</details><" not in markdown
    assert "@someone" not in markdown and "@everyone" not in markdown
    assert "&#60;/details&#62;&#60;script&#62;" in markdown
    terminal = (GOLDEN / "story-review-word.txt").read_text(encoding="utf-8")
    assert "\x1b" not in terminal
    assert "\\x1b[31mred" in terminal


def test_goldens_have_no_stray_files() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES)
