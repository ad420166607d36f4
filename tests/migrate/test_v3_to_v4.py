"""The v3 <-> v4 migration: golden files byte for byte, round trips, refusals, purity."""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings

from scanrepo.errors import MigrationError
from scanrepo.toolkit import MIGRATIONS_DIR
from strategies import fixture_path, load_fixture, v3_scans, v4_scans

PROPERTIES = settings(max_examples=60, deadline=None)

Edit = Callable[[dict[str, Any]], None]


def _load_migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "v3_to_v4_under_test", MIGRATIONS_DIR / "v3_to_v4.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


v3_to_v4 = _load_migration()


def canonical(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


def test_module_declares_its_step() -> None:
    assert (v3_to_v4.FROM_VERSION, v3_to_v4.TO_VERSION) == (3, 4)
    assert v3_to_v4.__doc__ is not None and v3_to_v4.__doc__.splitlines()[0].strip()


def test_upgrading_the_v3_fixture_gives_the_v4_fixture_byte_for_byte() -> None:
    upgraded = v3_to_v4.upgrade(load_fixture(3))
    assert canonical(upgraded).encode("utf-8") == fixture_path(4).read_bytes()


def test_downgrading_the_v4_fixture_gives_the_v3_fixture_byte_for_byte() -> None:
    downgraded = v3_to_v4.downgrade(load_fixture(4))
    assert canonical(downgraded).encode("utf-8") == fixture_path(3).read_bytes()


def test_v3_key_order_is_not_information() -> None:
    """A v3 checklist with a type section before a universal one still gives the v4 fixture."""
    scan = load_fixture(3)
    checklist = scan["checklist"]
    scan["checklist"] = {"artifacts": checklist.pop("artifacts"), **checklist}
    scan["paper"] = dict(reversed(scan["paper"].items()))
    assert canonical(v3_to_v4.upgrade(scan)) == fixture_path(4).read_text(encoding="utf-8")


@PROPERTIES
@given(v4_scans())
def test_upgrade_undoes_downgrade(scan: dict[str, Any]) -> None:
    assert canonical(v3_to_v4.upgrade(v3_to_v4.downgrade(scan))) == canonical(scan)


@PROPERTIES
@given(v3_scans())
def test_downgrade_undoes_upgrade(scan: dict[str, Any]) -> None:
    assert canonical(v3_to_v4.downgrade(v3_to_v4.upgrade(scan))) == canonical(scan)


@PROPERTIES
@given(v3_scans())
def test_upgrade_leaves_its_input_alone(scan: dict[str, Any]) -> None:
    before = copy.deepcopy(scan)
    upgraded = v3_to_v4.upgrade(scan)
    upgraded["paper"]["authors"].append("someone else")
    upgraded["methodology_tags"].append("extra")
    assert canonical(scan) == canonical(before)


@PROPERTIES
@given(v4_scans())
def test_downgrade_leaves_its_input_alone(scan: dict[str, Any]) -> None:
    before = copy.deepcopy(scan)
    downgraded = v3_to_v4.downgrade(scan)
    downgraded["paper"]["authors"].append("someone else")
    downgraded["hn_data"]["threads"].append({})
    assert canonical(scan) == canonical(before)


def _set(path: tuple[str | int, ...], value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


def _delete(path: tuple[str | int, ...]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return edit


def _rename_type_checklist(doc: dict[str, Any]) -> None:
    doc["type_checklist"] = {"survey": doc["type_checklist"]["empirical"]}


def _add_universal_named_type_section(doc: dict[str, Any]) -> None:
    doc["type_checklist"]["empirical"]["scope_and_framing"] = doc["checklist"]["scope_and_framing"]


CE = ("checklist", "claims_and_evidence", "causal_claims_justified")
ART = ("checklist", "artifacts", "code_released")

UPGRADE_REFUSALS: dict[str, tuple[Edit, tuple[str | int, ...]]] = {
    "unknown answer": (_set((*ART, "answer"), "maybe"), (*ART, "answer")),
    "boolean answer": (_set((*ART, "answer"), True), (*ART, "answer")),
    "answer in capitals": (_set((*CE, "answer"), "Yes"), (*CE, "answer")),
    "unknown top-level key": (_set(("notes",), "x"), ("notes",)),
    "unknown paper key": (_set(("paper", "pages"), 12), ("paper", "pages")),
    "unknown item key": (_set((*CE, "confidence"), 0.9), (*CE, "confidence")),
    "v4 item key in v3": (_set((*CE, "applies"), True), (*CE, "applies")),
    "unknown claim key": (_set(("claims", 2, "page"), 3), ("claims", 2, "page")),
    "unknown factor key": (
        _set(("engagement", "fear_safety", "justification"), "x"),
        ("engagement", "fear_safety", "justification"),
    ),
    "unknown red flag key": (_set(("red_flags", 0, "severity"), 1), ("red_flags", 0, "severity")),
    "unknown cited paper key": (_set(("cited_papers", 1, "doi"), None), ("cited_papers", 1, "doi")),
    "unknown hn_data key": (_set(("hn_data", "url"), ""), ("hn_data", "url")),
    "missing paper type": (_delete(("paper", "type")), ("paper", "type")),
    "missing item model": (_delete((*CE, "model")), (*CE, "model")),
    "missing claims": (_delete(("claims",)), ("claims",)),
    "missing factor why": (
        _delete(("engagement", "demo_ability", "why")),
        ("engagement", "demo_ability", "why"),
    ),
    "missing universal section": (
        _delete(("checklist", "scope_and_framing")),
        ("checklist", "scope_and_framing"),
    ),
    "missing scan_version": (_delete(("scan_version",)), ("scan_version",)),
    "a v4 scan_version": (_set(("scan_version",), 4), ("scan_version",)),
    "a string scan_version": (_set(("scan_version",), "3"), ("scan_version",)),
    "paper type not a string": (_set(("paper", "type"), None), ("paper", "type")),
    "checklist not an object": (_set(("checklist",), []), ("checklist",)),
    "section not an object": (_set(("checklist", "artifacts"), "none"), ("checklist", "artifacts")),
    "item not an object": (_set(ART, "yes"), ART),
    "claims not an array": (_set(("claims",), {}), ("claims",)),
}

EMP = ("type_checklist", "empirical")
NOT_APPLICABLE = (*EMP, "contamination", "training_cutoff_stated")

DOWNGRADE_REFUSALS: dict[str, tuple[Edit, tuple[str | int, ...]]] = {
    "answer true where applies is false": (
        _set((*NOT_APPLICABLE, "answer"), True),
        (*NOT_APPLICABLE, "answer"),
    ),
    "applies not a boolean": (
        _set((*NOT_APPLICABLE, "applies"), "no"),
        (*NOT_APPLICABLE, "applies"),
    ),
    "answer not a boolean": (_set((*NOT_APPLICABLE, "answer"), None), (*NOT_APPLICABLE, "answer")),
    "answer as 0": (_set((*NOT_APPLICABLE, "answer"), 0), (*NOT_APPLICABLE, "answer")),
    "type section named like a universal one": (
        _add_universal_named_type_section,
        (*EMP, "scope_and_framing"),
    ),
    "type section in the universal checklist": (
        _set(("checklist", "artifacts"), {}),
        ("checklist", "artifacts"),
    ),
    "type_checklist for another type": (_rename_type_checklist, ("type_checklist", "survey")),
    "type_checklist missing the paper type": (
        _set(("type_checklist",), {}),
        ("type_checklist", "empirical"),
    ),
    "missing universal section": (
        _delete(("checklist", "conflicts_of_interest")),
        ("checklist", "conflicts_of_interest"),
    ),
    "unknown item key": (
        _set((*NOT_APPLICABLE, "model"), "opus"),
        (*NOT_APPLICABLE, "model"),
    ),
    "missing item source": (_delete((*NOT_APPLICABLE, "source")), (*NOT_APPLICABLE, "source")),
    "unknown top-level key": (_set(("engagement",), {}), ("engagement",)),
    "missing paper arxiv_id": (_delete(("paper", "arxiv_id")), ("paper", "arxiv_id")),
    "v3 claim key in v4": (_set(("claims", 0, "support"), "strong"), ("claims", 0, "support")),
    "unknown factor key": (
        _set(("engagement_factors", "demo_ability", "why"), "x"),
        ("engagement_factors", "demo_ability", "why"),
    ),
    "a v3 scan_version": (_set(("scan_version",), 3), ("scan_version",)),
    "paper_type not a string": (_set(("paper_type",), ["empirical"]), ("paper_type",)),
    "type_checklist not an object": (_set(("type_checklist",), None), ("type_checklist",)),
}


def _refused(
    migration: Callable[[dict[str, Any]], dict[str, Any]], scan: dict[str, Any]
) -> MigrationError:
    before = canonical(scan)
    with pytest.raises(MigrationError) as caught:
        migration(scan)
    assert canonical(scan) == before, "a refused scan must be left as it was"
    return caught.value


@pytest.mark.parametrize("case", UPGRADE_REFUSALS)
def test_upgrade_refuses(case: str) -> None:
    edit, path = UPGRADE_REFUSALS[case]
    scan = load_fixture(3)
    edit(scan)
    error = _refused(v3_to_v4.upgrade, scan)
    assert error.path == path
    assert error.message
    assert str(error).startswith(error.json_path + ": ")


@pytest.mark.parametrize("case", DOWNGRADE_REFUSALS)
def test_downgrade_refuses(case: str) -> None:
    edit, path = DOWNGRADE_REFUSALS[case]
    scan = load_fixture(4)
    edit(scan)
    error = _refused(v3_to_v4.downgrade, scan)
    assert error.path == path
    assert error.message


def test_refusal_messages_say_what_is_wrong() -> None:
    scan = load_fixture(3)
    scan["checklist"]["artifacts"]["code_released"]["answer"] = "maybe"
    error = _refused(v3_to_v4.upgrade, scan)
    assert error.json_path == "$.checklist.artifacts.code_released.answer"
    assert '"maybe"' in error.message and '"n/a"' in error.message


def test_a_scan_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(MigrationError) as caught:
        v3_to_v4.upgrade([])
    assert caught.value.path == ()
