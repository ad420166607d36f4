"""The three-way merge of scans: units, entries, the paper type, conflicts and choices."""

from __future__ import annotations

import copy
import json
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import fixture_doc
from mutations import MUTATIONS, scan_pairs
from scanrepo.diff.compare import compare_scans
from scanrepo.format import model
from scanrepo.format.rules import check_rules
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.merge.threeway import MISSING, SHAPE_RULES, Conflict, MergeResult, merge_scans
from scanrepo.toolkit import SCHEMA_DIR
from strategies import v4_scans

REGISTRY = SchemaRegistry(SCHEMA_DIR)
STATS = ("type_checklist", "empirical", "statistical_methodology")
ARTIFACTS = ("type_checklist", "empirical", "artifacts")
FUNDING = ("checklist", "conflicts_of_interest", "funding_disclosed")


def at(doc: dict[str, Any], *path: str) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def copies(n: int) -> list[dict[str, Any]]:
    doc = fixture_doc()
    return [copy.deepcopy(doc) for _ in range(n)]


def violations(doc: dict[str, Any]) -> list[Any]:
    return REGISTRY.check(doc, 4) or check_rules(doc)


def assert_valid(doc: dict[str, Any]) -> None:
    assert violations(doc) == []


def valid_when_they_are(merged: dict[str, Any], *inputs: dict[str, Any]) -> None:
    """The generated scans may break the schema (an empty title); a merge of valid scans may not."""
    if not any(violations(doc) for doc in inputs):
        assert_valid(merged)


def test_edits_of_different_items_merge_cleanly() -> None:
    base, ours, theirs = copies(3)
    at(ours, *STATS, "significance_tests")["answer"] = True
    at(ours, *STATS, "significance_tests")["justification"] = "Reports a t-test in Table 3."
    at(theirs, *ARTIFACTS, "code_released")["justification"] = "Code is on GitHub."
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert at(result.merged, *STATS) == at(ours, *STATS)
    assert at(result.merged, *ARTIFACTS) == at(theirs, *ARTIFACTS)
    assert list(result.merged) == list(base)
    assert_valid(result.merged)


def test_one_item_changed_the_same_way_on_both_sides_merges() -> None:
    base, ours, theirs = copies(3)
    for doc in (ours, theirs):
        at(doc, *FUNDING)["answer"] = True
    at(theirs, *ARTIFACTS, "data_released")["source"] = "haiku"
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert at(result.merged, *FUNDING)["answer"] is True
    assert at(result.merged, *ARTIFACTS, "data_released")["source"] == "haiku"


def test_one_item_changed_differently_is_a_conflict_that_keeps_ours_by_default() -> None:
    base, ours, theirs = copies(3)
    at(ours, *FUNDING)["justification"] = "ours"
    at(theirs, *FUNDING)["answer"] = True
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == [
        Conflict(
            "checklist.conflicts_of_interest.funding_disclosed",
            FUNDING,
            at(base, *FUNDING),
            at(ours, *FUNDING),
            at(theirs, *FUNDING),
            "ours",
        )
    ]
    assert result.merged == ours
    kept_theirs = merge_scans(base, ours, theirs, keep="theirs")
    assert kept_theirs.merged == theirs
    assert kept_theirs.conflicts[0].kept == "theirs"


def test_a_choice_decides_one_conflict_and_the_others_keep_the_default() -> None:
    base, ours, theirs = copies(3)
    for doc, text in ((ours, "ours"), (theirs, "theirs")):
        at(doc, *FUNDING)["justification"] = text
        at(doc, *ARTIFACTS, "code_released")["justification"] = text
    where = "type_checklist.empirical.artifacts.code_released"
    result = merge_scans(base, ours, theirs, choices={where: "theirs"})
    assert [(c.where, c.kept) for c in result.conflicts] == [
        ("checklist.conflicts_of_interest.funding_disclosed", "ours"),
        (where, "theirs"),
    ]
    assert at(result.merged, *FUNDING)["justification"] == "ours"
    assert at(result.merged, *ARTIFACTS, "code_released")["justification"] == "theirs"


def claim(text: str, supported: str = "moderate") -> dict[str, Any]:
    return {"claim": text, "evidence": f"evidence for {text}", "supported": supported}


def test_claims_added_on_both_sides_both_survive_in_ours_order_then_theirs() -> None:
    base, ours, theirs = copies(3)
    ours["claims"].insert(0, claim("ours first"))
    ours["claims"].append(claim("ours last"))
    theirs["claims"].insert(2, claim("theirs"))
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert result.merged["claims"] == [*ours["claims"], claim("theirs")]


def test_an_entry_added_identically_on_both_sides_appears_once() -> None:
    base, ours, theirs = copies(3)
    for doc in (ours, theirs):
        doc["red_flags"].append({"flag": "Small sample", "detail": "n = 12"})
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert result.merged["red_flags"] == ours["red_flags"]


def test_an_entry_added_on_both_sides_with_different_content_is_a_conflict() -> None:
    base, ours, theirs = copies(3)
    ours["claims"].append(claim("new", "strong"))
    theirs["claims"].append(claim("new", "weak"))
    result = merge_scans(base, ours, theirs)
    [conflict] = result.conflicts
    assert (conflict.where, conflict.base, conflict.ours, conflict.theirs) == (
        "claims[new]",
        MISSING,
        claim("new", "strong"),
        claim("new", "weak"),
    )
    assert conflict.path == ("claims", len(base["claims"]))
    assert result.merged["claims"] == ours["claims"]
    chosen = merge_scans(base, ours, theirs, choices={"claims[new]": "theirs"})
    assert chosen.merged["claims"] == theirs["claims"]


def test_entries_removed_on_one_side_and_edited_on_the_other() -> None:
    base, ours, theirs = copies(3)
    first, second = base["red_flags"][0]["flag"], base["red_flags"][1]["flag"]
    del ours["red_flags"][0]  # removed by ours, untouched by theirs: removed
    del ours["red_flags"][0]  # removed by ours, edited by theirs: a conflict
    theirs["red_flags"][1]["detail"] = "edited"
    result = merge_scans(base, ours, theirs)
    [conflict] = result.conflicts
    assert (conflict.where, conflict.ours, conflict.theirs) == (
        f"red_flags[{second}]",
        MISSING,
        theirs["red_flags"][1],
    )
    assert result.merged["red_flags"] == ours["red_flags"]
    chosen = merge_scans(base, ours, theirs, keep="theirs")
    assert chosen.merged["red_flags"] == [*ours["red_flags"], theirs["red_flags"][1]]
    assert all(flag["flag"] != first for flag in chosen.merged["red_flags"])


def test_entries_are_matched_by_text_so_reordering_merges_with_edits() -> None:
    base, ours, theirs = copies(3)
    ours["cited_papers"].reverse()
    theirs["cited_papers"][0]["relevance"] = "edited"
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert result.merged["cited_papers"][-1] == theirs["cited_papers"][0]
    assert result.merged["cited_papers"][:-1] == ours["cited_papers"][:-1]


def test_repeated_locations_get_numbered_wheres() -> None:
    base, ours, theirs = copies(3)
    twin = claim("twin")
    base["claims"] = [twin, copy.deepcopy(twin)]
    ours["claims"] = [claim("twin", "strong"), claim("twin", "strong")]
    theirs["claims"] = [claim("twin", "weak"), claim("twin", "weak")]
    result = merge_scans(base, ours, theirs, choices={"claims[twin] (2)": "theirs"})
    assert [(c.where, c.kept) for c in result.conflicts] == [
        ("claims[twin]", "ours"),
        ("claims[twin] (2)", "theirs"),
    ]
    assert result.merged["claims"] == [claim("twin", "strong"), claim("twin", "weak")]


def test_factors_and_paper_fields_merge_one_by_one() -> None:
    base, ours, theirs = copies(3)
    ours["engagement_factors"]["fear_safety"]["score"] = 0
    theirs["engagement_factors"]["demo_ability"]["justification"] = "A live demo."
    ours["paper"]["venue"] = "ICLR 2026 (oral)"
    theirs["paper"]["authors"].append("A. N. Other")
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert result.merged["engagement_factors"]["fear_safety"]["score"] == 0
    assert result.merged["engagement_factors"]["demo_ability"]["justification"] == "A live demo."
    assert result.merged["paper"] == {**ours["paper"], "authors": theirs["paper"]["authors"]}
    theirs["engagement_factors"]["fear_safety"]["score"] = 1
    clash = merge_scans(base, ours, theirs)
    assert [c.where for c in clash.conflicts] == ["engagement_factors.fear_safety"]


def test_scalars_and_hn_data_are_units() -> None:
    base, ours, theirs = copies(3)
    ours["key_findings"], theirs["key_findings"] = "ours", "theirs"
    ours["hn_data"]["top_points"] = 5
    theirs["hn_data"]["total_comments"] = 7
    result = merge_scans(base, ours, theirs)
    assert [c.where for c in result.conflicts] == ["key_findings", "hn_data"]


def test_methodology_tags_merge_as_a_set() -> None:
    base, ours, theirs = copies(3)
    base["methodology_tags"] = ["observational", "case-study", "ablation"]
    ours["methodology_tags"] = ["case-study", "ablation", "benchmark"]  # removes, adds
    theirs["methodology_tags"] = ["observational", "case-study", "survey", "benchmark"]
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert result.merged["methodology_tags"] == ["case-study", "benchmark", "survey"]


def retyped(doc: dict[str, Any], paper_type: str = "position") -> None:
    doc["paper_type"] = paper_type
    doc["type_checklist"] = {paper_type: {"framing": {"thesis_stated": at(doc, *FUNDING)}}}


def test_a_new_paper_type_on_one_side_merges_when_the_other_left_the_type_checklist() -> None:
    base, ours, theirs = copies(3)
    retyped(theirs)
    at(ours, *FUNDING)["source"] = "haiku"
    result = merge_scans(base, ours, theirs)
    assert result.conflicts == []
    assert result.merged["paper_type"] == "position"
    assert result.merged["type_checklist"] == theirs["type_checklist"]
    assert at(result.merged, *FUNDING)["source"] == "haiku"
    assert_valid(result.merged)


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_a_new_paper_type_against_type_checklist_edits_is_one_conflict(keep: Any) -> None:
    base, ours, theirs = copies(3)
    retyped(theirs)
    at(ours, *STATS, "significance_tests")["answer"] = True
    result = merge_scans(base, ours, theirs, keep=keep)
    [conflict] = result.conflicts
    assert conflict.where == "type_checklist"
    assert (conflict.ours, conflict.theirs) == (ours["type_checklist"], theirs["type_checklist"])
    kept = ours if keep == "ours" else theirs
    assert result.merged["paper_type"] == kept["paper_type"]
    assert result.merged["type_checklist"] == kept["type_checklist"]
    assert_valid(result.merged)


def test_without_a_base_equal_parts_merge_differences_conflict_and_entries_survive() -> None:
    _, ours, theirs = copies(3)
    at(ours, *FUNDING)["answer"] = True
    ours["claims"].append(claim("only ours"))
    theirs["claims"].append(claim("only theirs"))
    result = merge_scans(None, ours, theirs)
    assert [c.where for c in result.conflicts] == [
        "checklist.conflicts_of_interest.funding_disclosed"
    ]
    assert result.conflicts[0].base is MISSING
    assert result.merged["claims"] == [*ours["claims"], claim("only theirs")]


def test_inputs_are_untouched_and_the_result_shares_nothing_with_them() -> None:
    base, ours, theirs = copies(3)
    at(theirs, *FUNDING)["answer"] = True
    snapshot = json.dumps([base, ours, theirs])
    result = merge_scans(base, ours, theirs)
    at(result.merged, *FUNDING)["answer"] = False
    assert at(theirs, *FUNDING)["answer"] is True
    assert json.dumps([base, ours, theirs]) == snapshot


def test_conflicts_round_trip_through_json_missing_sides_left_out() -> None:
    conflict = Conflict("claims[x]", ("claims", 3), MISSING, None, claim("x"), "theirs")
    data = conflict.to_json()
    assert "base" not in data and data["ours"] is None
    assert data["json_path"] == "$.claims[3]"
    assert Conflict.from_json(json.loads(json.dumps(data))) == conflict


# --------------------------------------------------------------------------- properties

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def triples(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(base, ours, theirs): a scan and two copies changed independently by reviewers' edits."""
    base, ours = draw(scan_pairs(max_mutations=4))
    theirs = copy.deepcopy(base)
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        mutation(draw, theirs)
    return base, ours, theirs


def wheres(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Where ``new`` differs from ``old``; the paper type is one unit with ``type_checklist``."""
    found = {change.where for change in compare_scans(old, new)}
    return {"type_checklist" if where == "paper_type" else where for where in found}


def within(place: str, other: str) -> bool:
    """One location contains the other (a section and one of its items, say)."""
    return place == other or place.startswith(other + ".") or other.startswith(place + ".")


def covered(places: set[str], by: set[str]) -> bool:
    return all(any(within(place, other) for other in by) for place in places)


@PROPERTIES
@given(v4_scans(), v4_scans())
def test_one_sided_changes_are_taken_whole(base: dict[str, Any], changed: dict[str, Any]) -> None:
    assert merge_scans(base, changed, base) == MergeResult(changed, [])
    assert merge_scans(base, base, changed) == MergeResult(changed, [])
    assert merge_scans(base, changed, changed) == MergeResult(changed, [])


@PROPERTIES
@given(triples())
def test_each_side_survives_except_where_the_other_changed_it(
    scans: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = scans
    result = merge_scans(base, ours, theirs)
    valid_when_they_are(result.merged, base, ours, theirs)
    # the merge differs from each side only where the other side changed something or in a
    # recorded conflict, so nothing one side did is lost silently
    units = {conflict.where.split(" (")[0] for conflict in result.conflicts}
    assert covered(wheres(ours, result.merged), by=wheres(base, theirs) | units)
    assert covered(wheres(theirs, result.merged), by=wheres(base, ours) | units)
    # and conflicts arise only where both sides changed something
    assert covered(units, by=wheres(base, ours))
    assert covered(units, by=wheres(base, theirs))


def normalised(doc: Any) -> Any:
    """Order-free form: keys sorted, lists sorted (tags as a set)."""
    if isinstance(doc, dict):
        return {k: normalised(v) for k, v in sorted(doc.items())}
    if isinstance(doc, list):
        return sorted((normalised(v) for v in doc), key=lambda v: json.dumps(v, sort_keys=True))
    return doc


@PROPERTIES
@given(triples())
def test_swapping_the_sides_and_the_kept_side_gives_the_same_scan(
    scans: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    base, ours, theirs = scans
    forward = merge_scans(base, ours, theirs, keep="theirs")
    backward = merge_scans(base, theirs, ours, keep="ours")
    forward.merged["methodology_tags"] = sorted(set(forward.merged["methodology_tags"]))
    backward.merged["methodology_tags"] = sorted(set(backward.merged["methodology_tags"]))
    assert normalised(forward.merged) == normalised(backward.merged)
    assert sorted(c.where.split(" (")[0] for c in forward.conflicts) == sorted(
        c.where.split(" (")[0] for c in backward.conflicts
    )


@PROPERTIES
@given(v4_scans(), v4_scans(), v4_scans())
def test_any_three_valid_scans_merge_into_a_valid_scan(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    valid_when_they_are(merge_scans(base, ours, theirs).merged, base, ours, theirs)
    valid_when_they_are(merge_scans(None, ours, theirs, keep="theirs").merged, ours, theirs)


def test_every_shape_of_the_model_has_a_merge_rule() -> None:
    assert set(SHAPE_RULES) == set(get_args(model.Shape))
    nested = [shape for shape, rule in SHAPE_RULES.items() if rule in ("nested", "typed")]
    assert set(nested) == set(model.KEY_LEVELS)
