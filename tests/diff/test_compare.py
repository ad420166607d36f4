"""The semantic comparison of scans: exact changes for hand-made edits of the real scan, a
differential test against DeepDiff on generated pairs, and reading both sides of one paper."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, get_args

import pytest
from deepdiff import DeepDiff
from hypothesis import HealthCheck, given, settings

from conftest import canonical, fixture_doc, position_of
from mutations import ENTRIES, scan_pairs
from scanrepo.diff.changes import Change, DiffResult
from scanrepo.diff.compare import (
    FACTOR_FIELD_KINDS,
    ITEM_FIELD_KINDS,
    SHAPE_WALKS,
    WHOLE_SHAPES,
    ScanSide,
    compare_scans,
    diff_papers,
)
from scanrepo.errors import MigrationError
from scanrepo.format import model
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import Chain, Step, load_chain
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR
from strategies import v4_scans

FUNDING = ("checklist", "conflicts_of_interest", "funding_disclosed")
FUNDING_WHERE = "checklist.conflicts_of_interest.funding_disclosed"
EMPIRICAL = ("type_checklist", "empirical")
SCAFFOLDING = (*EMPIRICAL, "setup_transparency", "scaffolding_described")
CODE = (*EMPIRICAL, "artifacts", "code_released")
V3_PATH = "scans/v3/2602/2602.07852.json"
V4_PATH = "scans/v4/2602/2602.07852.json"


def at(doc: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


MISSING = object()


def value_at(doc: Any, path: tuple[str | int, ...]) -> Any:
    try:
        return at(doc, path)
    except (KeyError, IndexError, TypeError):
        return MISSING


def where(path: tuple[str | int, ...]) -> str:
    return ".".join(map(str, path))


@pytest.fixture(scope="module")
def registry() -> SchemaRegistry:
    return SchemaRegistry(SCHEMA_DIR)


@pytest.fixture(scope="module")
def chain(registry: SchemaRegistry) -> Chain:
    return load_chain(MIGRATIONS_DIR, registry.versions)


# --- equal scans ------------------------------------------------------------------------------


def test_the_fixture_equals_itself() -> None:
    assert compare_scans(fixture_doc(), fixture_doc()) == []


@given(v4_scans())
@settings(max_examples=50)
def test_a_generated_scan_equals_a_copy_of_itself(scan: dict[str, Any]) -> None:
    assert compare_scans(scan, scan) == []
    assert compare_scans(scan, copy.deepcopy(scan)) == []


# --- checklist items --------------------------------------------------------------------------


def test_flipping_an_answer() -> None:
    new = fixture_doc()
    at(new, FUNDING)["answer"] = True
    assert compare_scans(fixture_doc(), new) == [
        Change("answer_flipped", FUNDING_WHERE, (*FUNDING, "answer"), False, True)
    ]


def test_flipping_applies() -> None:
    new = fixture_doc()
    at(new, SCAFFOLDING)["applies"] = True
    assert compare_scans(fixture_doc(), new) == [
        Change("applies_flipped", where(SCAFFOLDING), (*SCAFFOLDING, "applies"), False, True)
    ]


def test_a_question_that_stops_applying_flips_applies_and_answer() -> None:
    new = fixture_doc()
    at(new, CODE).update(applies=False, answer=False)
    assert compare_scans(fixture_doc(), new) == [
        Change("applies_flipped", where(CODE), (*CODE, "applies"), True, False),
        Change("answer_flipped", where(CODE), (*CODE, "answer"), True, False),
    ]


def test_changing_the_source() -> None:
    new = fixture_doc()
    at(new, CODE)["source"] = "haiku"
    assert compare_scans(fixture_doc(), new) == [
        Change("source_changed", where(CODE), (*CODE, "source"), "opus", "haiku")
    ]


def test_editing_a_justification() -> None:
    old, new = fixture_doc(), fixture_doc()
    text = at(old, FUNDING)["justification"]
    at(new, FUNDING)["justification"] = text + " A grant is acknowledged in the appendix."
    assert compare_scans(old, new) == [
        Change(
            "justification_edited",
            FUNDING_WHERE,
            (*FUNDING, "justification"),
            text,
            text + " A grant is acknowledged in the appendix.",
        )
    ]


def test_adding_and_removing_items_and_sections() -> None:
    old, new = fixture_doc(), fixture_doc()
    item = {"applies": True, "answer": False, "justification": "none", "source": "opus"}
    new["checklist"]["conflicts_of_interest"]["grants_listed"] = item
    removed_item = new["type_checklist"]["empirical"]["artifacts"].pop("data_released")
    removed_section = new["type_checklist"]["empirical"].pop("human_studies")
    new["type_checklist"]["empirical"]["safety"] = {"red_teaming": item}
    assert compare_scans(old, new) == [
        Change(
            "item_added",
            "checklist.conflicts_of_interest.grants_listed",
            ("checklist", "conflicts_of_interest", "grants_listed"),
            None,
            item,
        ),
        Change(
            "item_removed",
            "type_checklist.empirical.artifacts.data_released",
            (*EMPIRICAL, "artifacts", "data_released"),
            removed_item,
            None,
        ),
        Change(
            "section_added",
            "type_checklist.empirical.safety",
            (*EMPIRICAL, "safety"),
            None,
            {"red_teaming": item},
        ),
        Change(
            "section_removed",
            "type_checklist.empirical.human_studies",
            (*EMPIRICAL, "human_studies"),
            removed_section,
            None,
        ),
    ]


def test_changing_the_paper_type_replaces_the_type_sections() -> None:
    old, new = fixture_doc(), fixture_doc()
    new["paper_type"] = "survey"
    new["type_checklist"] = {"survey": {"coverage": {"search_described": at(old, CODE)}}}
    assert compare_scans(old, new) == [
        Change("paper_type_changed", "paper_type", ("paper_type",), "empirical", "survey"),
        Change(
            "section_added",
            "type_checklist.survey.coverage",
            ("type_checklist", "survey", "coverage"),
            None,
            {"search_described": at(old, CODE)},
        ),
        *(
            Change(
                "section_removed",
                f"type_checklist.empirical.{name}",
                (*EMPIRICAL, name),
                section,
                None,
            )
            for name, section in old["type_checklist"]["empirical"].items()
        ),
    ]


# --- claims, red flags, cited papers ----------------------------------------------------------


def test_reordering_claims_flags_and_cited_papers_is_no_change() -> None:
    new = fixture_doc()
    for name in ("claims", "red_flags", "cited_papers"):
        new[name].reverse()
    assert compare_scans(fixture_doc(), new) == []


def test_a_weaker_support_level_is_one_support_change() -> None:
    old, new = fixture_doc(), fixture_doc()
    new["claims"][0]["supported"] = "moderate"
    claim = old["claims"][0]["claim"]
    assert compare_scans(old, new) == [
        Change(
            "support_changed", f"claims[{claim}]", ("claims", 0, "supported"), "strong", "moderate"
        )
    ]


def test_entries_are_matched_by_text_not_position() -> None:
    old, new = fixture_doc(), fixture_doc()
    new["claims"].reverse()
    new["claims"][0]["evidence"] = "Appendix L only."  # the last claim of the old scan
    claim = old["claims"][-1]
    assert compare_scans(old, new) == [
        Change(
            "entry_changed",
            f"claims[{claim['claim']}]",
            ("claims", 0, "evidence"),
            claim["evidence"],
            "Appendix L only.",
        )
    ]


@pytest.mark.parametrize(("name", "id_field"), [(n, f[0]) for n, f in ENTRIES.items()])
def test_adding_and_removing_entries(name: str, id_field: str) -> None:
    old, new = fixture_doc(), fixture_doc()
    removed = new[name].pop(1)
    added = {**old[name][0], id_field: "A new one"}
    new[name].append(added)
    assert compare_scans(old, new) == [
        Change("entry_added", f"{name}[A new one]", (name, len(new[name]) - 1), None, added),
        Change("entry_removed", f"{name}[{removed[id_field]}]", (name, 1), removed, None),
    ]


def test_editing_an_entry_s_text_is_a_removal_and_an_addition() -> None:
    old, new = fixture_doc(), fixture_doc()
    new["red_flags"][2]["flag"] = "Limited generalisation evidence"
    assert [(c.kind, c.where) for c in compare_scans(old, new)] == [
        ("entry_added", "red_flags[Limited generalisation evidence]"),
        ("entry_removed", "red_flags[Limited generalization evidence]"),
    ]


def test_entries_sharing_a_text_pair_equal_ones_first() -> None:
    first = {"flag": "Same", "detail": "one"}
    second = {"flag": "Same", "detail": "two"}
    old = {**fixture_doc(), "red_flags": [first, second]}
    assert compare_scans(old, {**old, "red_flags": [second, first]}) == []
    changed = {**old, "red_flags": [{"flag": "Same", "detail": "three"}, first]}
    assert compare_scans(old, changed) == [
        Change("entry_changed", "red_flags[Same]", ("red_flags", 0, "detail"), "two", "three")
    ]


# --- the rest of the scan ---------------------------------------------------------------------


def test_an_engagement_score_and_its_justification() -> None:
    old, new = fixture_doc(), fixture_doc()
    factor = new["engagement_factors"]["fear_safety"]
    factor.update(score=1, justification="Less alarming on reflection.")
    path = ("engagement_factors", "fear_safety")
    assert compare_scans(old, new) == [
        Change("score_changed", "engagement_factors.fear_safety", (*path, "score"), 3, 1),
        Change(
            "engagement_justification_edited",
            "engagement_factors.fear_safety",
            (*path, "justification"),
            old["engagement_factors"]["fear_safety"]["justification"],
            "Less alarming on reflection.",
        ),
    ]


def test_paper_metadata() -> None:
    new = fixture_doc()
    new["paper"]["venue"] = "ICLR 2026 (oral)"
    new["paper"]["authors"] = new["paper"]["authors"][:2]
    old = fixture_doc()
    assert compare_scans(old, new) == [
        Change(
            "metadata_changed",
            "paper.authors",
            ("paper", "authors"),
            old["paper"]["authors"],
            old["paper"]["authors"][:2],
        ),
        Change(
            "metadata_changed", "paper.venue", ("paper", "venue"), "ICLR 2026", "ICLR 2026 (oral)"
        ),
    ]


def test_tags_are_a_multiset_and_key_findings_a_text() -> None:
    old = fixture_doc()
    assert compare_scans(old, {**old, "methodology_tags": ["case-study", "observational"]}) == []
    new = {**old, "methodology_tags": ["observational"], "key_findings": "Short."}
    assert compare_scans(old, new) == [
        Change(
            "tags_changed",
            "methodology_tags",
            ("methodology_tags",),
            ["observational", "case-study"],
            ["observational"],
        ),
        Change(
            "key_findings_changed", "key_findings", ("key_findings",), old["key_findings"], "Short."
        ),
    ]


def test_hn_data_threads_get_a_generic_nested_diff() -> None:
    thread = {"id": 41, "title": "Misalignment is easy", "points": 120, "comments": 48}
    old = fixture_doc()
    old["hn_data"]["threads"] = [thread]
    new = copy.deepcopy(old)
    new["hn_data"]["threads"] = [
        {"id": 7, "title": "Earlier", "points": 3},
        {**thread, "points": 150},
    ]
    new["hn_data"]["top_points"] = 150
    assert compare_scans(old, new) == [
        Change(
            "hn_data_changed",
            "hn_data.threads",
            ("hn_data", "threads", 0),
            None,
            new["hn_data"]["threads"][0],
        ),
        Change("hn_data_changed", "hn_data.threads", ("hn_data", "threads", 1, "points"), 120, 150),
        Change("hn_data_changed", "hn_data.top_points", ("hn_data", "top_points"), 0, 150),
    ]


def test_thread_fields_of_any_name_are_compared() -> None:
    old = fixture_doc()
    old["hn_data"]["threads"] = [{"__rank": 1, "title": "A"}]
    new = copy.deepcopy(old)
    new["hn_data"]["threads"][0]["__rank"] = 2
    assert compare_scans(old, new) == [
        Change("hn_data_changed", "hn_data.threads", ("hn_data", "threads", 0, "__rank"), 1, 2)
    ]


def test_a_thread_added_to_empty_hn_data() -> None:
    new = fixture_doc()
    new["hn_data"]["threads"].append({"title": "Show HN", "points": 5})
    assert compare_scans(fixture_doc(), new) == [
        Change(
            "hn_data_changed",
            "hn_data.threads",
            ("hn_data", "threads", 0),
            None,
            {"title": "Show HN", "points": 5},
        )
    ]


def test_values_outside_the_known_shape_are_reported_whole() -> None:
    old = fixture_doc()
    new = {**old, "claims": "none", "notes": "x"}
    assert compare_scans(old, new) == [
        Change("other_changed", "claims", ("claims",), old["claims"], "none"),
        Change("other_changed", "notes", ("notes",), None, "x"),
    ]


# --- the differential test against DeepDiff ---------------------------------------------------


def normalised(scan: dict[str, Any]) -> dict[str, Any]:
    """The scan with entry lists as dictionaries keyed by identifying text, and tags and threads
    sorted, so that a plain nested diff sees only what counts as a change."""
    out = dict(scan)
    for name, (id_field, _) in ENTRIES.items():
        out[name] = {e[id_field]: {k: v for k, v in e.items() if k != id_field} for e in scan[name]}
    out["methodology_tags"] = sorted(scan["methodology_tags"])
    threads = sorted(scan["hn_data"]["threads"], key=lambda t: json.dumps(t, sort_keys=True))
    out["hn_data"] = {**scan["hn_data"], "threads": threads}
    return out


Found = set[tuple[str, str]]


def deepdiff_locations(old: dict[str, Any], new: dict[str, Any]) -> Found:
    """(location, field) of every difference DeepDiff finds between the normalised scans."""
    found: Found = set()
    # every difference, however deep, and keys like "__x" too (DeepDiff skips those by default)
    reference = DeepDiff(
        normalised(old),
        normalised(new),
        view="tree",
        threshold_to_diff_deeper=0,
        ignore_private_variables=False,
    )
    for levels in reference.values():
        for level in levels:
            path = level.path(output_format="list")
            value = level.t2 if type(level.t1).__name__ == "NotPresent" else level.t1
            head = path[0]
            if head == "checklist" or head == "type_checklist":
                depth = 2 if head == "checklist" else 3  # path length of a section
                if len(path) == depth - 1:  # a whole paper type: its sections
                    found |= {(where((*path, s)), "section") for s in value}
                elif len(path) == depth:
                    found.add((where(path), "section"))
                elif len(path) == depth + 1:
                    found.add((where(path), "item"))
                else:
                    found.add((where(path[: depth + 1]), path[depth + 1]))
            elif head in ENTRIES:
                location = f"{head}[{path[1]}]"
                found.add((location, "entry" if len(path) == 2 else path[2]))
            elif head == "engagement_factors":
                found.add((where(path[:2]), "entry" if len(path) == 2 else path[2]))
            elif head in ("paper", "hn_data"):
                found.add((where(path[:2]), "value"))
            else:
                found.add((head, "value"))
    return found


FIELD_OF_KIND = {
    "item_added": "item",
    "item_removed": "item",
    "section_added": "section",
    "section_removed": "section",
    "entry_added": "entry",
    "entry_removed": "entry",
}


def change_locations(changes: list[Change]) -> Found:
    found: Found = set()
    for change in changes:
        if change.kind in FIELD_OF_KIND:
            field = FIELD_OF_KIND[change.kind]
        elif change.kind in (
            "metadata_changed",
            "hn_data_changed",
            "paper_type_changed",
            "key_findings_changed",
            "tags_changed",
        ):
            field = "value"
        elif change.kind == "other_changed":
            field = "other"
        else:
            field = str(change.path[-1])
        found.add((change.where, field))
    return found


@given(scan_pairs())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_compare_scans_finds_what_deepdiff_finds(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    old, new = pair
    changes = compare_scans(old, new)
    assert change_locations(changes) == deepdiff_locations(old, new)
    # a removal's index counts in the old list, an addition's in the new: thread [0] removed
    # and another thread [0] added are two places
    places = {(c.where, c.path, c.old is None, c.new is None) for c in changes}
    assert len(changes) == len(places), "a change reported twice"


def test_a_thread_replaced_by_an_unrelated_one_is_one_removal_and_one_addition() -> None:
    old = fixture_doc()
    new = copy.deepcopy(old)
    old["hn_data"]["threads"] = [{"title": "first"}]
    new["hn_data"]["threads"] = [{"url": "https://example.org/other"}]
    changes = compare_scans(old, new)
    assert [(c.path, c.old, c.new) for c in changes] == [
        (("hn_data", "threads", 0), None, {"url": "https://example.org/other"}),
        (("hn_data", "threads", 0), {"title": "first"}, None),
    ]
    for change in changes:  # the path leads to the value, in the old scan for removals
        found = value_at(new, change.path)
        assert found == change.new or (
            change.new is None and value_at(old, change.path) == change.old
        )


# --- one paper: reading, migrating and comparing both sides -----------------------------------


def side(path: str, doc: Any, label: str | None = None) -> ScanSide:
    return ScanSide(path, canonical(doc), label)


def test_a_commit_that_only_migrates_has_no_changes(chain: Chain, registry: SchemaRegistry) -> None:
    result = diff_papers(
        "2602.07852",
        side(V3_PATH, fixture_doc(3)),
        side(V4_PATH, fixture_doc(4)),
        4,
        chain,
        registry,
    )
    assert (result.status, result.changes, result.problems) == ("unchanged", [], [])
    assert result.migrated and result.moved
    assert (result.old_version, result.new_version) == (3, 4)
    assert result.title == fixture_doc()["paper"]["title"]
    assert result.differs


def test_a_migrated_and_edited_scan_shows_only_the_edit(
    chain: Chain, registry: SchemaRegistry
) -> None:
    new = fixture_doc()
    at(new, FUNDING)["answer"] = True
    result = diff_papers(
        "2602.07852", side(V3_PATH, fixture_doc(3)), side(V4_PATH, new), 4, chain, registry
    )
    assert result.status == "modified"
    assert result.changes == [
        Change("answer_flipped", FUNDING_WHERE, (*FUNDING, "answer"), False, True)
    ]


def test_a_newer_old_side_is_compared_at_the_target_version(
    chain: Chain, registry: SchemaRegistry
) -> None:
    result = diff_papers(
        "2602.07852",
        side(V4_PATH, fixture_doc(4)),
        side(V3_PATH, fixture_doc(3)),
        4,
        chain,
        registry,
    )
    assert (result.status, result.changes, result.migrated) == ("unchanged", [], True)


def test_added_and_removed_papers(chain: Chain, registry: SchemaRegistry) -> None:
    added = diff_papers("2602.07852", None, side(V4_PATH, fixture_doc()), 4, chain, registry)
    assert (added.status, added.old_path, added.new_path, added.new_version) == (
        "added",
        None,
        V4_PATH,
        4,
    )
    removed = diff_papers("2602.07852", side(V3_PATH, fixture_doc(3)), None, 4, chain, registry)
    assert (removed.status, removed.old_path, removed.old_version) == ("removed", V3_PATH, 3)
    assert added.changes == removed.changes == [] and not added.problems and not removed.problems
    with pytest.raises(ValueError):
        diff_papers("2602.07852", None, None, 4, chain, registry)


def test_a_side_that_does_not_parse_gives_a_problem_with_line_and_column(
    chain: Chain, registry: SchemaRegistry
) -> None:
    text = canonical(fixture_doc()).decode().replace('"year": 2026,', '"year": 2026,,')
    broken = ScanSide(V4_PATH, text.encode(), "HEAD")
    result = diff_papers("2602.07852", side(V4_PATH, fixture_doc()), broken, 4, chain, registry)
    line, col = position_of(text, ",,")
    assert result.status == "modified" and result.changes == []
    [problem] = result.problems
    assert (problem.file, problem.kind, problem.line, problem.col) == (
        f"HEAD:{V4_PATH}",
        "syntax",
        line,
        col + 1,
    )
    assert problem.path == "$.paper"


def test_the_same_broken_file_on_both_sides_is_one_problem(
    chain: Chain, registry: SchemaRegistry
) -> None:
    broken = ScanSide(V4_PATH, b"{")
    result = diff_papers("2602.07852", broken, broken, 4, chain, registry)
    assert result.status == "unchanged" and len(result.problems) == 1 and result.differs


def test_a_side_that_does_not_validate_names_the_json_path(
    chain: Chain, registry: SchemaRegistry
) -> None:
    doc = fixture_doc()
    at(doc, FUNDING)["answer"] = "yes"
    data = canonical(doc)
    result = diff_papers(
        "2602.07852", side(V4_PATH, fixture_doc()), ScanSide(V4_PATH, data), 4, chain, registry
    )
    [problem] = result.problems
    assert problem.path == "$.checklist.conflicts_of_interest.funding_disclosed.answer"
    assert problem.kind == "schema"
    assert (problem.line, problem.col) == position_of(data.decode(), '"yes"')


def test_unknown_versions_and_non_objects_are_problems(
    chain: Chain, registry: SchemaRegistry
) -> None:
    future = ScanSide(V4_PATH, canonical({**fixture_doc(), "scan_version": 9}))
    [problem] = diff_papers("k", None, future, 4, chain, registry).problems
    assert problem.path == "$.scan_version" and "unknown scan_version 9" in problem.message
    [problem] = diff_papers("k", None, ScanSide(V4_PATH, b"[1]"), 4, chain, registry).problems
    assert problem.path == "$" and "not list" in problem.message


def _toy_step(upgrade: Any) -> Step:
    return Step(1, 2, "toy", Path("v1_to_v2.py"), upgrade, lambda doc: {**doc, "scan_version": 1})


def _toy_registry(tmp_path: Path) -> SchemaRegistry:
    (tmp_path / "v1.json").write_text(json.dumps({"type": "object"}))
    (tmp_path / "v2.json").write_text(json.dumps({"type": "object", "required": ["body"]}))
    return SchemaRegistry(tmp_path)


def test_a_migration_refusal_and_an_invalid_migration_result_are_problems(tmp_path: Path) -> None:
    registry = _toy_registry(tmp_path)

    def refuse(doc: dict[str, Any]) -> dict[str, Any]:
        raise MigrationError(("note",), "cannot carry note")

    data = b'{\n  "scan_version": 1,\n  "note": "x"\n}'
    refused = diff_papers(
        "k", ScanSide("a.json", data), None, 2, Chain([_toy_step(refuse)], {1, 2}), registry
    )
    [problem] = refused.problems
    assert (problem.kind, problem.path, problem.line, problem.col) == ("migration", "$.note", 3, 11)
    assert "cannot carry note" in problem.message

    forgetful = Chain([_toy_step(lambda doc: {"scan_version": 2})], {1, 2})
    [problem] = diff_papers("k", ScanSide("a.json", data), None, 2, forgetful, registry).problems
    assert problem.kind == "migration" and problem.message.startswith("after migration to v2: ")


# --- the model's JSON form --------------------------------------------------------------------


def test_the_json_form_reads_back(chain: Chain, registry: SchemaRegistry) -> None:
    new = fixture_doc()
    at(new, FUNDING)["answer"] = True
    diffs = [
        diff_papers(
            "2602.07852", side(V3_PATH, fixture_doc(3)), side(V4_PATH, new), 4, chain, registry
        ),
        diff_papers(
            "2602.00001",
            side(V4_PATH, fixture_doc()),
            side(V4_PATH, fixture_doc()),
            4,
            chain,
            registry,
        ),
        diff_papers("2601.00002", None, ScanSide(V4_PATH, b"{"), 4, chain, registry),
    ]
    result = DiffResult.of("HEAD~1", "HEAD", diffs)
    assert [p.key for p in result.papers] == ["2601.00002", "2602.07852"]  # unchanged left out
    data = json.loads(json.dumps(result.to_json()))
    assert DiffResult.from_json(data) == result
    assert data["summary"] == {
        "papers": 2,
        "added": 1,
        "removed": 0,
        "modified": 1,
        "unchanged": 0,
        "moved": 1,
        "migrated": 1,
        "changes": 1,
        "answers_flipped": 1,
        "problems": 1,
        "by_kind": {"answer_flipped": 1},
    }
    change = data["papers"][1]["changes"][0]
    assert change["json_path"] == "$.checklist.conflicts_of_interest.funding_disclosed.answer"


# --------------------------------------------------------------------------- the model covered


def test_every_field_of_an_item_and_a_factor_has_its_change_kind() -> None:
    """A field added to the model's items or factors needs its kind of change here."""
    assert set(ITEM_FIELD_KINDS) == set(model.ITEM_FIELDS)
    assert set(FACTOR_FIELD_KINDS) == set(model.FACTOR_FIELDS)


def test_every_shape_of_the_model_is_walked_or_compared_whole() -> None:
    assert set(SHAPE_WALKS).isdisjoint(WHOLE_SHAPES)
    assert set(SHAPE_WALKS) | WHOLE_SHAPES == set(get_args(model.Shape))
