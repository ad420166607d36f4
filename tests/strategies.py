"""Hypothesis strategies for v3 and v4 scans, shaped like the real scan in the fixtures.

Universal sections and the ``empirical`` type sections use the fixture's section and item names;
other paper types get generic sections and items named ``^[a-z][a-z0-9_]*$``. Text is arbitrary
unicode (non-ASCII included, lone surrogates excluded); lists are short to keep tests fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

FIXTURE_DIR = Path(__file__).parent / "data" / "fixtures"


def fixture_path(version: int) -> Path:
    return FIXTURE_DIR / f"2602.07852.scan-v{version}.json"


def load_fixture(version: int) -> dict[str, Any]:
    """The real scan 2602.07852 in its v3 or v4 form."""
    doc: dict[str, Any] = json.loads(fixture_path(version).read_text(encoding="utf-8"))
    return doc


def _names(sections: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {section: tuple(items) for section, items in sections.items()}


_FIXTURE = load_fixture(4)
UNIVERSAL_SECTIONS = _names(_FIXTURE["checklist"])
EMPIRICAL_SECTIONS = _names(_FIXTURE["type_checklist"]["empirical"])
ENGAGEMENT_FACTORS = tuple(_FIXTURE["engagement_factors"])
OTHER_PAPER_TYPES = ("position", "survey", "theoretical", "benchmark")

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
SOURCES = st.sampled_from(["opus", "haiku", "sonnet"])
SUPPORT = st.sampled_from(["strong", "moderate", "weak", "unsupported"])
TAGS = st.lists(
    st.sampled_from(["observational", "case-study", "benchmark", "ablation"]), max_size=3
)
APPLIES_ANSWER = st.sampled_from([(True, True), (True, False), (False, False)])
V3_ANSWER = {(True, True): "yes", (True, False): "no", (False, False): "n/a"}


@st.composite
def _item_v4(draw: st.DrawFn) -> dict[str, Any]:
    applies, answer = draw(APPLIES_ANSWER)
    return {
        "applies": applies,
        "answer": answer,
        "justification": draw(TEXT),
        "source": draw(SOURCES),
    }


@st.composite
def _item_v3(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "answer": V3_ANSWER[draw(APPLIES_ANSWER)],
        "justification": draw(TEXT),
        "model": draw(SOURCES),
    }


def _ordered(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Like st.fixed_dictionaries, but keeping the keys in the given order (it shuffles them)."""
    keys = tuple(fields)
    return st.tuples(*fields.values()).map(lambda values: dict(zip(keys, values, strict=True)))


def _named_sections(
    names: dict[str, tuple[str, ...]], item: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    return _ordered(
        {section: _ordered({name: item for name in items}) for section, items in names.items()}
    )


def _generic_sections(
    item: st.SearchStrategy[dict[str, Any]],
) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    section_names = NAMES.filter(lambda name: name not in UNIVERSAL_SECTIONS)
    return st.dictionaries(
        section_names, st.dictionaries(NAMES, item, min_size=1, max_size=3), min_size=1, max_size=3
    )


@st.composite
def _checklists(
    draw: st.DrawFn, item: st.SearchStrategy[dict[str, Any]]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(paper_type, universal sections, type sections)."""
    paper_type = draw(st.sampled_from(("empirical", *OTHER_PAPER_TYPES)))
    universal = draw(_named_sections(UNIVERSAL_SECTIONS, item))
    if paper_type == "empirical":
        return paper_type, universal, draw(_named_sections(EMPIRICAL_SECTIONS, item))
    return paper_type, universal, draw(_generic_sections(item))


@st.composite
def _paper(draw: st.DrawFn, paper_type: str | None) -> dict[str, Any]:
    """A v4 paper, or a v3 one (with ``type`` and ``arxiv``) when ``paper_type`` is given."""
    arxiv = draw(st.none() | st.from_regex(r"\d{4}\.\d{4,5}", fullmatch=True))
    paper = {
        "title": draw(TEXT),
        "authors": draw(st.lists(TEXT, max_size=3)),
        "year": draw(st.integers(1990, 2030)),
        "venue": draw(TEXT),
    }
    if paper_type is None:
        return {**paper, "arxiv_id": arxiv, "doi": draw(st.none() | TEXT)}
    return {**paper, "type": paper_type, "arxiv": arxiv, "doi": draw(st.none() | TEXT)}


def _records(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(_ordered(fields), max_size=3)


def _engagement(justification: str) -> st.SearchStrategy[dict[str, Any]]:
    factor = _ordered({"score": st.integers(0, 3), justification: TEXT})
    return _ordered({name: factor for name in ENGAGEMENT_FACTORS})


HN_DATA = _ordered(
    {
        "threads": st.just([]),
        "top_points": st.integers(0, 5000),
        "total_points": st.integers(0, 5000),
        "total_comments": st.integers(0, 5000),
    }
)
RED_FLAGS = _records({"flag": TEXT, "detail": TEXT})
CITED_PAPERS = _records({"title": TEXT, "relevance": TEXT})


@st.composite
def v4_scans(draw: st.DrawFn) -> dict[str, Any]:
    """A v4 scan, keys in the canonical order."""
    paper_type, universal, typed = draw(_checklists(_item_v4()))
    return {
        "scan_version": 4,
        "paper_type": paper_type,
        "paper": draw(_paper(None)),
        "checklist": universal,
        "type_checklist": {paper_type: typed},
        "claims": draw(_records({"claim": TEXT, "evidence": TEXT, "supported": SUPPORT})),
        "methodology_tags": draw(TAGS),
        "key_findings": draw(TEXT),
        "red_flags": draw(RED_FLAGS),
        "cited_papers": draw(CITED_PAPERS),
        "engagement_factors": draw(_engagement("justification")),
        "hn_data": draw(HN_DATA),
    }


@st.composite
def v3_scans(draw: st.DrawFn) -> dict[str, Any]:
    """A v3 scan, keys in the canonical order (universal sections first, as in the fixture)."""
    paper_type, universal, typed = draw(_checklists(_item_v3()))
    return {
        "scan_version": 3,
        "paper": draw(_paper(paper_type)),
        "checklist": {**universal, **typed},
        "claims": draw(_records({"claim": TEXT, "evidence": TEXT, "support": SUPPORT})),
        "methodology_tags": draw(TAGS),
        "key_findings": draw(TEXT),
        "red_flags": draw(RED_FLAGS),
        "cited_papers": draw(CITED_PAPERS),
        "engagement": draw(_engagement("why")),
        "hn_data": draw(HN_DATA),
    }
