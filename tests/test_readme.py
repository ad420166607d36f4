"""The README stays true: its commands exist, its options exist, CI runs its test command."""

from __future__ import annotations

import re

from conftest import ROOT, run_tool
from scanrepo.bench.suite import OPERATIONS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """Tool name -> the text of its '### `tools/<name> ...`' section."""
    found = {}
    parts = re.split(r"^### ", README, flags=re.MULTILINE)
    for part in parts[1:]:
        if m := re.match(r"`tools/([a-z-]+)", part):
            found[m[1]] = part.split("\n## ", 1)[0]
    return found


def test_every_tool_named_in_the_readme_exists() -> None:
    named = set(re.findall(r"tools/([a-z][a-z-]*)", README)) - {"scanrepo"}
    assert named, "the README names no tools"
    for name in named:
        assert (ROOT / "tools" / name).is_file(), f"README names tools/{name}, which does not exist"


def test_every_option_in_a_tool_section_is_in_its_help() -> None:
    for name, text in sections().items():
        table_rows = re.findall(r"^\| `([^`]*)`", text, flags=re.MULTILINE)
        options = {opt for row in table_rows for opt in re.findall(r"--[a-z][a-z-]*", row)}
        helptext = run_tool(name, "--help", cwd=ROOT)
        assert helptext.returncode == 0, helptext.stderr
        for option in options:
            assert option in helptext.stdout, f"tools/{name}: README documents {option}"


def test_ci_runs_the_readme_commands() -> None:
    commands = re.findall(r"^(python3 -m venv .+)$", README, flags=re.MULTILINE)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, "CI must run the README's test command"
    assert "tools/validate" in ci


def architecture_rows() -> dict[str, str]:
    """Folder or module -> what the README's Architecture table says it owns."""
    text = README.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (`[^|]+`) \| (.+) \|$", text, flags=re.MULTILINE)
    return {name: owns for names, owns in rows for name in re.findall(r"`([^`]+)`", names)}


def test_the_architecture_table_names_every_subpackage_and_top_module() -> None:
    package = ROOT / "tools" / "scanrepo"
    actual = {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()}
    actual |= {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    assert set(architecture_rows()) == actual


def test_the_modules_the_architecture_table_names_exist() -> None:
    package = ROOT / "tools" / "scanrepo"
    for folder, owns in architecture_rows().items():
        if not folder.endswith("/"):
            continue
        for module in re.findall(r"\(`([a-z_*]+)`\)", owns):
            assert list((package / folder).glob(f"{module}.py")), f"{folder}{module}.py"


def test_every_subpackage_says_what_it_owns() -> None:
    for init in (ROOT / "tools" / "scanrepo").glob("*/__init__.py"):
        text = init.read_text(encoding="utf-8")
        assert text.startswith('"""') and len(text) > 80, f"{init} has no docstring"


def test_the_bench_section_names_every_row_tools_bench_only_takes() -> None:
    line = next(x for x in README.splitlines() if "`--only NAME`" in x)
    assert [name for name in OPERATIONS if f"`{name}`" not in line] == []
