"""The migration chain: its checks on in-memory steps, and loading real files from folders."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from scanrepo.errors import ChainError, MigrationError
from scanrepo.migrate.chain import Chain, Step, load_chain
from scanrepo.toolkit import MIGRATIONS_DIR
from strategies import fixture_path, load_fixture


def _set_version(version: int) -> Any:
    def migration(doc: dict[str, Any]) -> dict[str, Any]:
        return {**doc, "scan_version": version}

    return migration


def step(from_version: int, to_version: int, name: str | None = None) -> Step:
    return Step(
        from_version=from_version,
        to_version=to_version,
        summary=f"toy step v{from_version} -> v{to_version}",
        file=Path(name or f"v{from_version}_to_v{to_version}.py"),
        upgrade=_set_version(to_version),
        downgrade=_set_version(from_version),
    )


# --- the chain object, without files -------------------------------------------------------


def test_a_chain_orders_its_steps_and_lists_its_versions() -> None:
    chain = Chain([step(4, 5), step(2, 3), step(3, 4)], {2, 3, 4, 5})
    assert chain.versions == (2, 3, 4, 5)
    assert [(s.from_version, s.to_version) for s in chain.steps] == [(2, 3), (3, 4), (4, 5)]


def test_a_chain_without_steps_knows_only_the_newest_version() -> None:
    assert Chain([], {1, 4}).versions == (4,)


def test_a_chain_needs_a_schema() -> None:
    with pytest.raises(ChainError, match="no schemas"):
        Chain([], set())


def test_a_gap_is_refused_naming_both_files() -> None:
    with pytest.raises(ChainError) as caught:
        Chain([step(3, 4), step(5, 6)], {3, 4, 5, 6})
    assert "v3_to_v4.py ends at v4" in str(caught.value)
    assert "v5_to_v6.py, starts at v5" in str(caught.value)


def test_a_duplicate_is_refused_naming_both_files() -> None:
    with pytest.raises(ChainError) as caught:
        Chain([step(3, 4, "a/v3_to_v4.py"), step(3, 4, "b/v3_to_v4.py"), step(4, 5)], {3, 4, 5})
    assert "a/v3_to_v4.py and b/v3_to_v4.py: both start at v3" in str(caught.value)


def test_a_chain_must_end_at_the_newest_schema() -> None:
    with pytest.raises(ChainError) as caught:
        Chain([step(3, 4)], {3, 4, 5})
    assert "v3_to_v4.py: the last step ends at v4 but the newest schema is v5" in str(caught.value)


def test_a_step_may_not_skip_a_version() -> None:
    with pytest.raises(ChainError) as caught:
        Chain([step(3, 5)], {3, 4, 5})
    assert "v3_to_v5.py: goes from v3 to v5" in str(caught.value)


def test_a_step_may_not_go_backwards() -> None:
    with pytest.raises(ChainError) as caught:
        Chain([step(3, 4), step(4, 3, "v4_to_v3.py")], {3, 4})
    assert "v4_to_v3.py: goes from v4 to v3" in str(caught.value)


def test_every_version_of_a_step_needs_a_schema() -> None:
    with pytest.raises(ChainError) as caught:
        Chain([step(2, 3), step(3, 4)], {3, 4})
    assert "v2_to_v3.py: there is no schema for v2" in str(caught.value)


def test_routes_go_one_step_at_a_time_in_either_direction() -> None:
    chain = Chain([step(3, 4), step(4, 5), step(5, 6)], {3, 4, 5, 6})
    up = chain.route(3, 6)
    assert [(s.file.name, d) for s, d in up] == [
        ("v3_to_v4.py", "up"),
        ("v4_to_v5.py", "up"),
        ("v5_to_v6.py", "up"),
    ]
    down = chain.route(6, 4)
    assert [(s.file.name, d) for s, d in down] == [("v5_to_v6.py", "down"), ("v4_to_v5.py", "down")]
    assert chain.route(5, 5) == []


@pytest.mark.parametrize(("from_version", "to_version"), [(2, 4), (3, 7)])
def test_a_route_outside_the_chain_is_a_migration_error(from_version: int, to_version: int) -> None:
    chain = Chain([step(3, 4)], {3, 4})
    with pytest.raises(MigrationError) as caught:
        chain.route(from_version, to_version)
    assert caught.value.path == ("scan_version",)
    assert f"from v{from_version} to v{to_version}" in caught.value.message
    assert "v3, v4" in caught.value.message


def test_migrate_checks_the_document_after_every_step() -> None:
    chain = Chain([step(3, 4), step(4, 5)], {3, 4, 5})
    seen: list[tuple[int, int]] = []

    def check(doc: dict[str, Any], version: int) -> None:
        seen.append((doc["scan_version"], version))

    doc = {"scan_version": 3, "body": "x"}
    assert chain.migrate(doc, 5, check) == {"scan_version": 5, "body": "x"}
    assert seen == [(4, 4), (5, 5)]
    seen.clear()
    assert chain.migrate({"scan_version": 5}, 3, check) == {"scan_version": 3}
    assert seen == [(4, 4), (3, 3)]


def test_a_failing_check_stops_the_migration() -> None:
    chain = Chain([step(3, 4), step(4, 5)], {3, 4, 5})

    def check(doc: dict[str, Any], version: int) -> None:
        if version == 4:
            raise ValueError("invalid at v4")

    with pytest.raises(ValueError, match="invalid at v4"):
        chain.migrate({"scan_version": 3}, 5, check)


def test_a_refusing_step_is_named_in_the_error() -> None:
    def refuse(doc: dict[str, Any]) -> dict[str, Any]:
        raise MigrationError(("checklist", "x"), "cannot carry this")

    refusing = Step(4, 5, "refuses", Path("migrations/v4_to_v5.py"), refuse, refuse)
    chain = Chain([step(3, 4), refusing], {3, 4, 5})
    with pytest.raises(MigrationError) as caught:
        chain.migrate({"scan_version": 3}, 5)
    assert caught.value.path == ("checklist", "x")
    assert caught.value.message == "cannot carry this (v4_to_v5.py, up to v5)"


def test_a_step_that_forgets_the_version_is_caught() -> None:
    forgetful = Step(3, 4, "forgets", Path("v3_to_v4.py"), lambda d: dict(d), lambda d: dict(d))
    with pytest.raises(MigrationError) as caught:
        Chain([forgetful], {3, 4}).migrate({"scan_version": 3}, 4)
    assert caught.value.path == ("scan_version",)
    assert "v3_to_v4.py (up) gave scan_version 3, expected 4" in caught.value.message


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({}, "missing scan_version"),
        ({"scan_version": None}, "not null"),
        ({"scan_version": "3"}, 'not "3"'),
        ({"scan_version": 3.0}, "not 3.0"),
        ({"scan_version": True}, "not true"),
    ],
)
def test_migrate_needs_an_integer_scan_version(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(MigrationError) as caught:
        Chain([step(3, 4)], {3, 4}).migrate(doc, 4)
    assert caught.value.path == ("scan_version",)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ((), "$"),
        (("checklist", "artifacts", "code_released"), "$.checklist.artifacts.code_released"),
        (("claims", 2, "supported"), "$.claims[2].supported"),
        (("engagement", "a b", "n/a"), "$.engagement['a b']['n/a']"),
    ],
)
def test_json_paths_render_like_jsonpath(path: tuple[str | int, ...], rendered: str) -> None:
    assert MigrationError(path, "m").json_path == rendered


# --- loading from folders ------------------------------------------------------------------

TOY_V4_TO_V5 = '''"""Toy step: rename hn_data to hacker_news.

Only for tests.
"""

from typing import Any

FROM_VERSION = 4
TO_VERSION = 5


def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    renamed = {("hacker_news" if k == "hn_data" else k): v for k, v in scan.items()}
    return renamed | {"scan_version": 5}


def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    renamed = {("hn_data" if k == "hacker_news" else k): v for k, v in scan.items()}
    return renamed | {"scan_version": 4}
'''


def _folder(tmp_path: Path, files: dict[str, str], *, with_real: bool = True) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir(parents=True)
    if with_real:
        shutil.copy(MIGRATIONS_DIR / "v3_to_v4.py", folder / "v3_to_v4.py")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _broken(folder: Path, schema_versions: set[int]) -> str:
    with pytest.raises(ChainError) as caught:
        load_chain(folder, schema_versions)
    return str(caught.value)


def test_the_real_migrations_load_and_carry_the_fixture() -> None:
    chain = load_chain(MIGRATIONS_DIR, {3, 4})
    assert chain.versions == (3, 4)
    (only,) = chain.steps
    assert only.file == MIGRATIONS_DIR / "v3_to_v4.py"
    assert only.summary.startswith("Split the checklist")
    upgraded = chain.migrate(load_fixture(3), 4)
    assert json.dumps(upgraded, indent=2, ensure_ascii=False) == fixture_path(4).read_text("utf-8")


def test_a_new_step_joins_the_real_one(tmp_path: Path) -> None:
    path_before = list(sys.path)
    folder = _folder(tmp_path, {"v4_to_v5.py": TOY_V4_TO_V5})
    chain = load_chain(folder, {3, 4, 5})
    assert sys.path == path_before
    assert chain.versions == (3, 4, 5)
    assert [(s.file.name, d) for s, d in chain.route(3, 5)] == [
        ("v3_to_v4.py", "up"),
        ("v4_to_v5.py", "up"),
    ]
    assert [(s.file.name, d) for s, d in chain.route(5, 3)] == [
        ("v4_to_v5.py", "down"),
        ("v3_to_v4.py", "down"),
    ]
    assert chain.steps[1].summary == "Toy step: rename hn_data to hacker_news."
    v5 = chain.migrate(load_fixture(3), 5)
    assert v5["scan_version"] == 5 and "hacker_news" in v5 and "paper_type" in v5
    back = chain.migrate(v5, 3)
    assert json.dumps(back, indent=2, ensure_ascii=False) == fixture_path(3).read_text("utf-8")


def test_same_named_files_in_two_folders_stay_apart(tmp_path: Path) -> None:
    other = TOY_V4_TO_V5.replace('"hacker_news"', '"hn"').replace("Toy step", "Other toy step")
    first = load_chain(_folder(tmp_path / "a", {"v4_to_v5.py": TOY_V4_TO_V5}), {3, 4, 5})
    second = load_chain(_folder(tmp_path / "b", {"v4_to_v5.py": other}), {3, 4, 5})
    assert "hacker_news" in first.migrate(load_fixture(4), 5)
    assert "hn" in second.migrate(load_fixture(4), 5)


def test_readme_init_pycache_and_hidden_files_are_not_migrations(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"README.md": "# x\n", "__init__.py": "", ".v9_to_v10.py.swp": ""})
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "v3_to_v4.cpython-311.pyc").write_bytes(b"\0")
    assert load_chain(folder, {3, 4}).versions == (3, 4)


@pytest.mark.parametrize(
    "name",
    [
        "v3-to-v4.py",
        "v3_v4.py",
        "V4_to_V5.py",
        "v04_to_v05.py",
        "v4_to_v5.PY",
        "helpers.py",
        "v4_to_v5",
    ],
)
def test_a_misnamed_migration_is_refused(tmp_path: Path, name: str) -> None:
    folder = _folder(tmp_path, {name: TOY_V4_TO_V5})
    message = _broken(folder, {3, 4, 5})
    assert f"{folder / name}: not a migration" in message


def test_a_directory_named_like_a_migration_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {})
    (folder / "v4_to_v5.py").mkdir()
    assert f"{folder / 'v4_to_v5.py'}: not a migration" in _broken(folder, {3, 4, 5})


def test_constants_must_agree_with_the_file_name(tmp_path: Path) -> None:
    text = TOY_V4_TO_V5.replace("FROM_VERSION = 4", "FROM_VERSION = 3")
    folder = _folder(tmp_path, {"v4_to_v5.py": text})
    message = _broken(folder, {3, 4, 5})
    assert f"{folder / 'v4_to_v5.py'}: FROM_VERSION is 3 but the file name says 4" in message


def test_constants_must_be_integers(tmp_path: Path) -> None:
    text = TOY_V4_TO_V5.replace("TO_VERSION = 5", 'TO_VERSION = "5"')
    folder = _folder(tmp_path, {"v4_to_v5.py": text})
    assert f"{folder / 'v4_to_v5.py'}: TO_VERSION must be an integer, not '5'" in _broken(
        folder, {3, 4, 5}
    )


def test_a_migration_needs_a_docstring(tmp_path: Path) -> None:
    text = TOY_V4_TO_V5.split('"""', 2)[2]
    folder = _folder(tmp_path, {"v4_to_v5.py": text})
    assert f"{folder / 'v4_to_v5.py'}: no module docstring" in _broken(folder, {3, 4, 5})


def test_a_migration_needs_both_functions(tmp_path: Path) -> None:
    text = TOY_V4_TO_V5.replace("def downgrade", "def _downgrade")
    folder = _folder(tmp_path, {"v4_to_v5.py": text})
    assert f"{folder / 'v4_to_v5.py'}: no callable downgrade(scan)" in _broken(folder, {3, 4, 5})


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"v4_to_v5.py": TOY_V4_TO_V5 + "\ndef broken(:\n"})
    line = TOY_V4_TO_V5.count("\n") + 2
    assert f"{folder / 'v4_to_v5.py'}:{line}:" in _broken(folder, {3, 4, 5})


def test_a_failing_import_names_the_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"v4_to_v5.py": "import no_such_module_here\n"})
    message = _broken(folder, {3, 4, 5})
    assert f"{folder / 'v4_to_v5.py'}: import failed: ModuleNotFoundError" in message


def test_every_broken_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {"v4-to-v5.py": TOY_V4_TO_V5, "v5_to_v6.py": TOY_V4_TO_V5.replace("FROM_VERSION = 4", "")},
    )
    message = _broken(folder, {3, 4, 5, 6})
    assert str(folder / "v4-to-v5.py") in message
    assert f"{folder / 'v5_to_v6.py'}: FROM_VERSION must be an integer" in message
    assert f"{folder / 'v5_to_v6.py'}: TO_VERSION is 5 but the file name says 6" in message


def test_a_gap_between_files_names_them(tmp_path: Path) -> None:
    toy = TOY_V4_TO_V5.replace("FROM_VERSION = 4", "FROM_VERSION = 5")
    toy = toy.replace("TO_VERSION = 5", "TO_VERSION = 6")
    folder = _folder(tmp_path, {"v5_to_v6.py": toy})
    message = _broken(folder, {3, 4, 5, 6})
    assert f"{folder / 'v3_to_v4.py'} ends at v4" in message
    assert f"{folder / 'v5_to_v6.py'}, starts at v5" in message


def test_a_document_already_at_the_target_version_is_left_as_it_is() -> None:
    calls: list[int] = []
    doc = {"scan_version": 4, "body": "x"}
    result = Chain([step(3, 4)], {3, 4}).migrate(doc, 4, lambda d, v: calls.append(v))
    assert result == {"scan_version": 4, "body": "x"}
    assert calls == []
