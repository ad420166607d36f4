"""A seeded generator of realistic scans, for tests and benchmarks.

Scans are shaped like the real one in ``tests/data/fixtures/2602.07852.scan-v4.json``: the same
top-level keys in the same order, the four universal checklist sections, mostly ``empirical``
papers with their nine type sections (sections and items as ``format.model`` names them), and
some ``position``, ``survey`` and ``benchmark`` papers with invented sections. Everything is
drawn from the ``random.Random`` passed in, so one seed always gives the same scans. A paper's id
is derived from the scan's index, so the scans of one corpus (up to about 900,000 of them) never
share a paper key.
"""

from __future__ import annotations

import copy
import random
import zlib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

from scanrepo.format import model
from scanrepo.migrate.chain import Chain
from scanrepo.toolkit import Toolkit

UNIVERSAL_SECTIONS = model.CHECKLIST_SECTIONS

TYPE_SECTIONS: dict[str, Mapping[str, tuple[str, ...]]] = {
    "empirical": model.TYPE_CHECKLIST_SECTIONS["empirical"],
    # The survey's sections for these types are not known; these are plausible stand-ins.
    "position": {
        "argument_quality": (
            "thesis_stated",
            "premises_explicit",
            "counterarguments_addressed",
            "evidence_cited",
        ),
        "practical_implications": (
            "recommendations_actionable",
            "stakeholders_identified",
            "feasibility_discussed",
        ),
    },
    "survey": {
        "coverage": (
            "search_strategy_described",
            "inclusion_criteria_stated",
            "time_range_stated",
            "venues_listed",
            "grey_literature_considered",
        ),
        "synthesis": ("taxonomy_proposed", "comparison_table", "open_problems_identified"),
        "currency": ("recent_work_included", "preprints_distinguished"),
    },
    "benchmark": {
        "task_design": (
            "task_motivation",
            "difficulty_calibrated",
            "label_quality_checked",
            "license_stated",
            "annotation_guidelines_released",
            "splits_defined",
        ),
        "baselines": ("baseline_models_listed", "human_baseline", "prompt_variants_tested"),
        "maintenance": ("leaderboard_or_hosting", "versioning_policy"),
        "validity": (
            "construct_validity_argued",
            "saturation_discussed",
            "contamination_risk_assessed",
            "metric_validity_argued",
        ),
    },
}

PAPER_TYPES = tuple(TYPE_SECTIONS)
PAPER_TYPE_WEIGHTS = (80, 7, 6, 7)
ENGAGEMENT_FACTORS = model.ENGAGEMENT_FACTOR_NAMES
SOURCES = ("opus", "haiku", "sonnet")
SOURCE_WEIGHTS = (85, 10, 5)
SUPPORT_LEVELS = ("strong", "moderate", "weak", "unsupported")
SUPPORT_WEIGHTS = (35, 35, 20, 10)
METHODOLOGY_TAGS = (
    "observational",
    "case-study",
    "controlled-experiment",
    "benchmark-evaluation",
    "ablation",
    "theoretical",
    "user-study",
    "simulation",
    "meta-analysis",
)

# Some words are non-ASCII on purpose: the canonical form keeps such characters as they are.
_WORD_TEXT = (
    "model models training finetuning evaluation benchmark baseline baselines dataset data "
    "results claims evidence figure table section appendix ablation variance seeds runs metric "
    "metrics accuracy loss scaling parameters compute tokens prompts prompt human annotators "
    "study experiments experiment analysis reported not no clearly partially explicitly "
    "the a of in on for with across without and but while although this that these authors "
    "paper method approach generalization robustness alignment misalignment safety reward "
    "policy agent agents language large small narrow broad held-out in-distribution "
    "out-of-distribution contamination leakage split test validation confidence intervals "
    "error bars significance effect sizes statistical limited limitations scope threats "
    "validity released code weights license reproducible reproduction instructions "
    "hyperparameters search budget GPU hours cost inference latency 3× 10× — → ≥ ≤ ± "  # noqa: RUF001
    "naïve café résumé Pérez Müller façade rôle coöperative déjà vu 5–10% 0.5B 7B 70B "  # noqa: RUF001
    "Section 3.2 Figure 4b Table 2 Appendix C Llama Qwen GPT-4o Claude Gemini"
)
_WORDS = _WORD_TEXT.split()
_PROSE_SEED = 0x5CA9
_PROSE_WORDS = 50_000
_SEPARATORS = (" ", ", ", ". ", "; ", " — ")
_SEPARATOR_WEIGHTS = (80, 8, 7, 2, 3)
_EDGE_MARKS = " .,;—→≥≤±"


def _prose() -> str:
    """A long pseudo-text in sentences; every generated text is a slice of it."""
    rng = random.Random(_PROSE_SEED)
    parts: list[str] = []
    for word, separator in zip(
        rng.choices(_WORDS, k=_PROSE_WORDS),
        rng.choices(_SEPARATORS, _SEPARATOR_WEIGHTS, k=_PROSE_WORDS),
        strict=True,
    ):
        if parts and parts[-1] == ". ":
            word = word[0].upper() + word[1:]
        parts += (word, separator)
    return "".join(parts)


_PROSE = _prose()


def _tendency(name: str, salt: str) -> float:
    """A fixed number in [0, 1) per name, so each item keeps its character across scans."""
    return zlib.crc32(f"{salt}:{name}".encode()) / 2**32


def _text(rng: random.Random, low: int, high: int, mode: int | None = None) -> str:
    """Sentence-like text of ``low`` to ``high`` characters (``high - low`` at least 20).

    One slice of the prose per text keeps generation cheap enough for large corpora.
    """
    target = int(rng.triangular(low, high - 1, mode if mode is not None else (low + high) // 3))
    while True:
        start = _PROSE.index(" ", rng.randrange(len(_PROSE) - high - 100)) + 1
        # Up to the last space within target + 1 characters: whole words, at most target long.
        head, space, _ = _PROSE[start : start + target + 1].rpartition(" ")
        text = head.strip(_EDGE_MARKS)
        if space and len(text) >= low:
            return text[0].upper() + text[1:] + "."


def _title(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(4, 11))
    return " ".join(w[0].upper() + w[1:] for w in words)


def _label(rng: random.Random) -> str:
    return _text(rng, 15, 70, 30).rstrip(".")


_FIRST_NAME_TEXT = (
    "Anna Edward Wei Priya José Zoë Lucía Mohammed Olga Kenji Amélie Tomás Ngozi Sven Aisha "
    "Jae-won Björn Chiara Dmitri Fatima Hiroshi Inès Kwame Léa Mateo Neel Rui Sofía Yusuf"
)
_LAST_NAME_TEXT = (
    "Soligo Turner Nanda Zhang Müller García Okafor Kowalski Tanaka Dubois Hernández Ivanova "
    "Nakamura Pérez Rossi Schmidt Singh Smith Wang Łukasiewicz Østergaard Brontë Nguyen Kim"
)
_FIRST_NAMES = _FIRST_NAME_TEXT.split()
_LAST_NAMES = _LAST_NAME_TEXT.split()
_CONFERENCES = ("ICLR", "NeurIPS", "ICML", "ACL", "EMNLP", "AAAI", "COLM", "FAccT")
_JOURNALS = ("TMLR", "JMLR", "Nature Machine Intelligence", "arXiv")
_DOI_PREFIXES = ("10.1145", "10.1109", "10.1016", "10.1038", "10.18653")

# Ids from the index: new-style ones range over 47 months x 99,999 numbers (4.7 million),
# old-style ones over 5 archives x 180 months x 999 numbers (899,100).
_NEW_MONTHS = tuple(f"{yy:02d}{mm:02d}" for yy in range(23, 27) for mm in range(1, 13))[:-1]
_NEW_SLOTS = len(_NEW_MONTHS) * 99_999
_OLD_ARCHIVES = ("cs", "hep-th", "quant-ph", "math.GT", "cond-mat")
_OLD_MONTHS = tuple(f"{yy % 100:02d}{mm:02d}" for yy in range(1992, 2007) for mm in range(1, 13))
_OLD_SLOTS = len(_OLD_ARCHIVES) * len(_OLD_MONTHS) * 999
_SPREAD = 1_000_003  # a prime, so index * _SPREAD modulo either slot count is a bijection


def _year_of(yymm: str) -> int:
    yy = int(yymm[:2])
    return 1900 + yy if yy >= 91 else 2000 + yy


def _venue(rng: random.Random, year: int) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(_CONFERENCES)} {year}"
    return rng.choice(_JOURNALS)


def _paper(rng: random.Random, index: int) -> dict[str, Any]:
    kind = rng.random()
    doi: str | None = None
    arxiv_id: str | None
    if kind < 0.03:
        year = rng.randint(2015, 2025)
        arxiv_id = None
        doi = f"{rng.choice(_DOI_PREFIXES)}/{3_500_000 + index}.{rng.randint(3_500_000, 3_700_000)}"
    elif kind < 0.045:
        slot = index * _SPREAD % _OLD_SLOTS
        slot, number = divmod(slot, 999)
        archive, month = divmod(slot, len(_OLD_MONTHS))
        yymm = _OLD_MONTHS[month]
        arxiv_id = f"{_OLD_ARCHIVES[archive]}/{yymm}{number + 1:03d}"
        year = _year_of(yymm)
    else:
        month, number = divmod(index * _SPREAD % _NEW_SLOTS, 99_999)
        yymm = _NEW_MONTHS[month]
        arxiv_id = f"{yymm}.{number + 1:05d}"
        year = _year_of(yymm)
        if rng.random() < 0.1:
            doi = f"10.48550/arXiv.{arxiv_id}"
    firsts = rng.sample(_FIRST_NAMES, rng.randint(1, 8))
    authors = [f"{first} {rng.choice(_LAST_NAMES)}" for first in firsts]
    return {
        "title": _title(rng),
        "authors": authors,
        "year": year,
        "venue": _venue(rng, year),
        "arxiv_id": arxiv_id,
        "doi": doi,
    }


def _item(rng: random.Random, name: str, section_na: bool, section_source: str) -> dict[str, Any]:
    p_na = 0.7 if _tendency(name, "na") < 0.2 else 0.05
    applies = not section_na and rng.random() >= p_na
    answer = applies and rng.random() < 0.1 + 0.85 * _tendency(name, "yes")
    source = section_source if rng.random() < 0.9 else _source(rng)
    return {
        "applies": applies,
        "answer": answer,
        "justification": _text(rng, 40, 600, 180),
        "source": source,
    }


def _source(rng: random.Random) -> str:
    return rng.choices(SOURCES, SOURCE_WEIGHTS)[0]


def _sections(rng: random.Random, sections: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for section, items in sections.items():
        section_na = rng.random() < 0.6 * _tendency(section, "section-na") ** 3
        section_source = _source(rng)
        out[section] = {name: _item(rng, name, section_na, section_source) for name in items}
    return out


def _claim(rng: random.Random) -> dict[str, Any]:
    return {
        "claim": _text(rng, 60, 250),
        "evidence": _text(rng, 60, 300),
        "supported": rng.choices(SUPPORT_LEVELS, SUPPORT_WEIGHTS)[0],
    }


def _red_flag(rng: random.Random) -> dict[str, Any]:
    return {"flag": _label(rng), "detail": _text(rng, 80, 320)}


def _hn_data(rng: random.Random) -> dict[str, Any]:
    count = rng.randint(1, 3) if rng.random() < 0.05 else 0
    points = [rng.randint(1, 900) for _ in range(count)]
    comments = [rng.randint(0, 400) for _ in range(count)]
    return {
        "threads": [
            {"title": _title(rng), "points": p, "num_comments": c}
            for p, c in zip(points, comments, strict=True)
        ],
        "top_points": max(points, default=0),
        "total_points": sum(points),
        "total_comments": sum(comments),
    }


def make_scan_v4(rng: random.Random, index: int) -> dict[str, Any]:
    """A v4 scan of the paper numbered ``index``; distinct indexes give distinct paper keys."""
    paper_type = rng.choices(PAPER_TYPES, PAPER_TYPE_WEIGHTS)[0]
    return {
        "scan_version": 4,
        "paper_type": paper_type,
        "paper": _paper(rng, index),
        "checklist": _sections(rng, UNIVERSAL_SECTIONS),
        "type_checklist": {paper_type: _sections(rng, TYPE_SECTIONS[paper_type])},
        "claims": [_claim(rng) for _ in range(rng.randint(2, 10))],
        "methodology_tags": rng.sample(METHODOLOGY_TAGS, rng.randint(1, 3)),
        "key_findings": _text(rng, 300, 1400, 700),
        "red_flags": [_red_flag(rng) for _ in range(rng.randint(0, 8))],
        "cited_papers": [
            {"title": _title(rng), "relevance": _text(rng, 60, 260)}
            for _ in range(rng.randint(0, 12))
        ],
        "engagement_factors": {
            name: {"score": rng.randint(0, 3), "justification": _text(rng, 80, 320)}
            for name in ENGAGEMENT_FACTORS
        },
        "hn_data": _hn_data(rng),
    }


@cache
def _chain() -> Chain:
    return Toolkit().chain


def _to_v3(scan: dict[str, Any]) -> dict[str, Any]:
    """The same review in the legacy v3 form, by the repository's own migration chain."""
    return _chain().migrate(scan, 3)


def make_scan_v3(rng: random.Random, index: int) -> dict[str, Any]:
    """The legacy v3 form of the scan ``make_scan_v4`` would give for the same draws."""
    return _to_v3(make_scan_v4(rng, index))


def corpus(seed: int, n: int, version: int = 4) -> Iterator[dict[str, Any]]:
    """``n`` scans of distinct papers, in version 3 or 4, the same for the same seed."""
    makers = {3: make_scan_v3, 4: make_scan_v4}
    if version not in makers:
        raise ValueError(f"can generate scan versions 3 and 4, not {version}")
    rng = random.Random(seed)
    return (makers[version](rng, index) for index in range(n))


# --- rescans ---------------------------------------------------------------------------------


def _is_v3(scan: dict[str, Any]) -> bool:
    # By shape, not scan_version, so a scan relabelled by a partial upgrade is still handled.
    return "engagement" in scan


def _items(scan: dict[str, Any]) -> list[dict[str, Any]]:
    sections = list(scan["checklist"].values())
    if not _is_v3(scan):
        sections += scan["type_checklist"][scan["paper_type"]].values()
    return [item for section in sections for item in section.values()]


def _flip_answer(rng: random.Random, scan: dict[str, Any]) -> None:
    item = rng.choice(_items(scan))
    if _is_v3(scan):
        item["answer"] = rng.choice([a for a in ("yes", "no", "n/a") if a != item["answer"]])
    elif item["applies"] and rng.random() < 0.2:
        item["applies"] = item["answer"] = False
    elif item["applies"]:
        item["answer"] = not item["answer"]
    else:
        item["applies"] = True
        item["answer"] = rng.random() < 0.5


def _change_source(rng: random.Random, scan: dict[str, Any]) -> None:
    item = rng.choice(_items(scan))
    key = "model" if _is_v3(scan) else "source"
    item[key] = rng.choice([s for s in SOURCES if s != item[key]])


def _edit_justification(rng: random.Random, scan: dict[str, Any]) -> None:
    item = rng.choice(_items(scan))
    item["justification"] = _text(rng, 40, 600, 180)


def _add_claim(rng: random.Random, scan: dict[str, Any]) -> None:
    claim = _claim(rng)
    if _is_v3(scan):
        claim["support"] = claim.pop("supported")
    scan["claims"].append(claim)


def _add_red_flag(rng: random.Random, scan: dict[str, Any]) -> None:
    scan["red_flags"].append(_red_flag(rng))


def _change_support(rng: random.Random, scan: dict[str, Any]) -> None:
    claim = rng.choice(scan["claims"])
    key = "support" if _is_v3(scan) else "supported"
    claim[key] = rng.choice([s for s in SUPPORT_LEVELS if s != claim[key]])


def _change_score(rng: random.Random, scan: dict[str, Any]) -> None:
    factors = scan["engagement" if _is_v3(scan) else "engagement_factors"]
    factor = factors[rng.choice(sorted(factors))]
    factor["score"] = rng.choice([s for s in range(4) if s != factor["score"]])


_CHANGES: tuple[Callable[[random.Random, dict[str, Any]], None], ...] = (
    _flip_answer,
    _flip_answer,
    _change_source,
    _edit_justification,
    _edit_justification,
    _add_claim,
    _add_red_flag,
    _change_support,
    _change_score,
)


def rescan(rng: random.Random, scan: dict[str, Any]) -> dict[str, Any]:
    """A copy of a v4 or v3 scan with 1-6 plausible changes; never equal to the original."""
    new = copy.deepcopy(scan)
    for _ in range(rng.randint(1, 6)):
        rng.choice(_CHANGES)(rng, new)
    # Two changes can cancel out (an answer flipped twice); one more always differs.
    while new == scan:
        rng.choice(_CHANGES)(rng, new)
    return new
