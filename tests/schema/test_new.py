"""tools/schema new: the next version scaffolded, and every tool works at it at once."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git
from schemarepo import add_v3_scan, checkout, own_tool

__all__ = ["checkout"]  # the fixture

V4_SCAN = "scans/v4/2602/2602.07852.json"


def test_new_makes_v5_and_every_tool_works_at_it(checkout: Path) -> None:
    v3_scan = add_v3_scan(checkout)
    made = own_tool("schema", "new", cwd=checkout)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[:3] == [
        "wrote schema/v5.json",
        "wrote migrations/v4_to_v5.py",
        "wrote .vscode/settings.json",
    ]
    assert "tools/migrate --to 5 --dry-run" in made.stdout
    v4_text = (checkout / "schema" / "v4.json").read_text("utf-8")
    v5_text = (checkout / "schema" / "v5.json").read_text("utf-8")
    v4, v5 = json.loads(v4_text), json.loads(v5_text)
    assert v5["$id"] == "urn:scanrepo:schema:v5"
    assert v5["title"] == "Paper scan, format version 5"
    assert v5["properties"]["scan_version"] == {"const": 5}
    v4.update({"$id": v5["$id"], "title": v5["title"]})
    v4["properties"]["scan_version"] = {"const": 5}
    assert v5 == v4  # nothing else moved
    # the layout of the hand-written files: every line of v5 but three is a line of v4
    assert len(set(v5_text.splitlines()) - set(v4_text.splitlines())) == 3
    settings = json.loads((checkout / ".vscode" / "settings.json").read_text("utf-8"))
    assert settings["json.schemas"][-1] == {
        "fileMatch": ["scans/v5/**/*.json"],
        "url": "./schema/v5.json",
    }
    assert [e["url"] for e in settings["json.schemas"]] == [
        f"./schema/v{n}.json" for n in (3, 4, 5)
    ]

    assert own_tool("validate", cwd=checkout).returncode == 0
    dry = own_tool("migrate", "--to", "5", "--dry-run", cwd=checkout)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "v3→v5: 1" in dry.stdout and "v4→v5: 1" in dry.stdout
    moved = own_tool("migrate", "--to", "5", "--commit", cwd=checkout)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert sorted(p.relative_to(checkout).as_posix() for p in checkout.glob("scans/*/*/*")) == [
        "scans/v5/2602/2602.07852.json",
        "scans/v5/2602/2602.07853.json",
    ]
    assert own_tool("validate", cwd=checkout).returncode == 0
    # a pure migration changes no meaning
    diff = own_tool("diff", "HEAD~2", "HEAD", cwd=checkout)
    assert (diff.returncode, diff.stderr) == (0, "")
    back = own_tool("migrate", "--to", "4", cwd=checkout)
    assert back.returncode == 0, back.stdout + back.stderr
    assert (checkout / V4_SCAN).exists() and (checkout / v3_scan.replace("v3", "v4")).exists()


def test_new_refuses_to_overwrite_and_writes_nothing(checkout: Path) -> None:
    existing = checkout / "migrations" / "v4_to_v5.py"
    existing.write_text('"""Someone started already."""\n', "utf-8")
    result = own_tool("schema", "new", cwd=checkout)
    assert result.returncode == 2
    assert f"refusing to overwrite {existing}" in result.stderr
    assert not (checkout / "schema" / "v5.json").exists()
    assert not (checkout / ".vscode").exists()
    assert existing.read_text("utf-8") == '"""Someone started already."""\n'


def test_new_keeps_other_editor_settings(checkout: Path) -> None:
    settings = checkout / ".vscode" / "settings.json"
    settings.parent.mkdir()
    other = {"fileMatch": ["/conf/*.json"], "url": "./conf.schema.json"}
    stale = {"fileMatch": ["scans/v4/**/*.json"], "url": "./old/v4.json"}
    settings.write_text(json.dumps({"editor.tabSize": 2, "json.schemas": [other, stale]}))
    assert own_tool("schema", "new", cwd=checkout).returncode == 0
    written = json.loads(settings.read_text("utf-8"))
    assert written["editor.tabSize"] == 2
    assert written["json.schemas"] == [
        other,
        *(
            {"fileMatch": [f"scans/v{n}/**/*.json"], "url": f"./schema/v{n}.json"}
            for n in (3, 4, 5)
        ),
    ]


def test_settings_with_comments_are_refused_before_anything_is_written(checkout: Path) -> None:
    settings = checkout / ".vscode" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{\n  // mine\n  "editor.tabSize": 2\n}\n')
    result = own_tool("schema", "new", cwd=checkout)
    assert result.returncode == 2
    assert f"{settings}: not plain JSON" in result.stderr
    assert not (checkout / "schema" / "v5.json").exists()
    assert git(checkout, "status", "--porcelain").stdout == "?? .vscode/\n"


def test_the_repository_settings_map_every_version() -> None:
    from conftest import ROOT

    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text("utf-8"))
    versions = sorted(int(p.stem[1:]) for p in (ROOT / "schema").glob("v*.json"))
    assert settings["json.schemas"] == [
        {"fileMatch": [f"scans/v{n}/**/*.json"], "url": f"./schema/v{n}.json"} for n in versions
    ]
