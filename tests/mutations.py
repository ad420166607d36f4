"""Hypothesis strategy for pairs of v4 scans: a scan and a copy changed by random edits.

The edits are the ones reviewers make (flip answers, change sources, edit justifications, add,
remove, reorder and edit claims, red flags and cited papers, change scores, metadata, tags,
Hacker News data, the paper type). Claims, red flags and cited papers keep unique identifying
texts, so both scans can also be written as dictionaries keyed by that text.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from strategies import APPLIES_ANSWER, OTHER_PAPER_TYPES, SOURCES, SUPPORT, TEXT, v4_scans

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
ENTRIES: dict[str, tuple[str, str]] = {
    "claims": ("claim", "evidence"),
    "red_flags": ("flag", "detail"),
    "cited_papers": ("title", "relevance"),
}
Mutation = Callable[[st.DrawFn, dict[str, Any]], None]


def unique_entries(scan: dict[str, Any]) -> dict[str, Any]:
    """``scan`` with only the first entry of each identifying text in each entry list."""
    for name, (id_field, _) in ENTRIES.items():
        seen: set[str] = set()
        kept = []
        for entry in scan[name]:
            if entry[id_field] not in seen:
                seen.add(entry[id_field])
                kept.append(entry)
        scan[name] = kept
    return scan


def _sections(scan: dict[str, Any]) -> list[dict[str, Any]]:
    return [*scan["checklist"].values(), *scan["type_checklist"][scan["paper_type"]].values()]


def _items(scan: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for section in _sections(scan) for item in section.values()]


def _pick_item(draw: st.DrawFn, scan: dict[str, Any]) -> dict[str, Any] | None:
    items = _items(scan)
    return draw(st.sampled_from(items)) if items else None


def flip_answer(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    if (item := _pick_item(draw, scan)) is not None:
        if item["applies"]:
            item["answer"] = not item["answer"]
        else:
            item["applies"], item["answer"] = True, True


def flip_applies(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    if (item := _pick_item(draw, scan)) is not None:
        item["applies"] = not item["applies"]
        if not item["applies"]:
            item["answer"] = False


def change_source(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    if (item := _pick_item(draw, scan)) is not None:
        item["source"] = draw(SOURCES)


def edit_justification(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    if (item := _pick_item(draw, scan)) is not None:
        item["justification"] = draw(st.sampled_from(["", item["justification"] + " "])) + draw(
            TEXT
        )


def add_item(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    sections = _sections(scan)
    if sections:
        section = draw(st.sampled_from(sections))
        name = draw(NAMES.filter(lambda n: n not in section))
        applies, answer = draw(APPLIES_ANSWER)
        section[name] = {
            "applies": applies,
            "answer": answer,
            "justification": draw(TEXT),
            "source": draw(SOURCES),
        }


def remove_item(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    sections = [section for section in _sections(scan) if section]
    if sections:
        section = draw(st.sampled_from(sections))
        del section[draw(st.sampled_from(sorted(section)))]


def add_type_section(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    sections = scan["type_checklist"][scan["paper_type"]]
    name = draw(NAMES.filter(lambda n: n not in sections))
    sections[name] = {
        "extra_item": {"applies": False, "answer": False, "justification": "", "source": "opus"}
    }


def remove_type_section(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    sections = scan["type_checklist"][scan["paper_type"]]
    if sections:
        del sections[draw(st.sampled_from(sorted(sections)))]


def change_paper_type(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    new_type = draw(st.sampled_from(["empirical", *OTHER_PAPER_TYPES]))
    scan["type_checklist"] = {new_type: scan["type_checklist"].pop(scan["paper_type"])}
    scan["paper_type"] = new_type


def _entry_list(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(sorted(ENTRIES)))


def _filled_entry_list(draw: st.DrawFn, scan: dict[str, Any]) -> str | None:
    names = [name for name in sorted(ENTRIES) if scan[name]]
    return draw(st.sampled_from(names)) if names else None


def shuffle_entries(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    name = _entry_list(draw)
    scan[name] = draw(st.permutations(scan[name]))


def _new_id(draw: st.DrawFn, scan: dict[str, Any], name: str) -> str:
    id_field = ENTRIES[name][0]
    taken = {entry[id_field] for entry in scan[name]}
    return draw(TEXT.filter(lambda text: text not in taken))


def add_entry(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    name = _entry_list(draw)
    id_field, text_field = ENTRIES[name]
    entry = {id_field: _new_id(draw, scan, name), text_field: draw(TEXT)}
    if name == "claims":
        entry["supported"] = draw(SUPPORT)
    scan[name].insert(draw(st.integers(0, len(scan[name]))), entry)


def remove_entry(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    name = _filled_entry_list(draw, scan)
    if name is not None:
        del scan[name][draw(st.integers(0, len(scan[name]) - 1))]


def rename_entry(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    name = _filled_entry_list(draw, scan)
    if name is not None:
        new_id = _new_id(draw, scan, name)
        draw(st.sampled_from(scan[name]))[ENTRIES[name][0]] = new_id


def edit_entry(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    name = _filled_entry_list(draw, scan)
    if name is not None:
        entry = draw(st.sampled_from(scan[name]))
        if name == "claims" and draw(st.booleans()):
            entry["supported"] = draw(SUPPORT)
        else:
            entry[ENTRIES[name][1]] = draw(TEXT)


def change_engagement(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    factor = scan["engagement_factors"][draw(st.sampled_from(sorted(scan["engagement_factors"])))]
    if draw(st.booleans()):
        factor["score"] = draw(st.integers(0, 3))
    else:
        factor["justification"] = draw(TEXT)


def change_paper(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    field = draw(st.sampled_from(["title", "authors", "year", "venue", "arxiv_id", "doi"]))
    values: dict[str, st.SearchStrategy[Any]] = {
        "title": TEXT,
        "authors": st.lists(TEXT, max_size=3),
        "year": st.integers(1990, 2030),
        "venue": TEXT,
        "arxiv_id": st.none() | st.from_regex(r"\d{4}\.\d{4,5}", fullmatch=True),
        "doi": st.none() | TEXT,
    }
    scan["paper"][field] = draw(values[field])


def change_tags(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    tags = scan["methodology_tags"]
    choice = draw(st.sampled_from(["add", "remove", "shuffle"]))
    if choice == "add":
        tags.append(draw(st.sampled_from(["ablation", "benchmark", "survey", "case-study"])))
    elif choice == "remove" and tags:
        tags.pop(draw(st.integers(0, len(tags) - 1)))
    else:
        scan["methodology_tags"] = draw(st.permutations(tags))


def change_key_findings(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    scan["key_findings"] = draw(TEXT)


THREADS = st.fixed_dictionaries(
    {"title": TEXT, "points": st.integers(0, 500), "comments": st.integers(0, 50)}
)


def change_hn_data(draw: st.DrawFn, scan: dict[str, Any]) -> None:
    hn = scan["hn_data"]
    choice = draw(st.sampled_from(["points", "add thread", "remove thread", "edit thread"]))
    if choice == "points":
        hn[draw(st.sampled_from(["top_points", "total_points", "total_comments"]))] = draw(
            st.integers(0, 5000)
        )
    elif choice == "add thread":
        hn["threads"].insert(draw(st.integers(0, len(hn["threads"]))), draw(THREADS))
    elif hn["threads"]:
        index = draw(st.integers(0, len(hn["threads"]) - 1))
        if choice == "remove thread":
            del hn["threads"][index]
        else:
            hn["threads"][index]["points"] = draw(st.integers(0, 500))


MUTATIONS: tuple[Mutation, ...] = (
    flip_answer,
    flip_applies,
    change_source,
    edit_justification,
    add_item,
    remove_item,
    add_type_section,
    remove_type_section,
    change_paper_type,
    shuffle_entries,
    add_entry,
    remove_entry,
    rename_entry,
    edit_entry,
    change_engagement,
    change_paper,
    change_tags,
    change_key_findings,
    change_hn_data,
)


@st.composite
def scan_pairs(draw: st.DrawFn, max_mutations: int = 6) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old, new): a v4 scan with unique entry texts, and a copy after random mutations."""
    old = unique_entries(draw(v4_scans()))
    if draw(st.booleans()):
        old["hn_data"]["threads"] = draw(st.lists(THREADS, max_size=3))
    new = copy.deepcopy(old)
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=max_mutations)):
        mutation(draw, new)
    return old, new
