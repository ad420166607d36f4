"""The structure of a scan in the newest format (v4): the one place that knows what a scan holds.

Diff, merge, textconv, the corpus walk, statistics and export read the structure from here
instead of spelling it out themselves; ``schema/v4.json`` says the same in JSON Schema, and
``tests/format/test_model.py`` keeps the two in agreement. A new field in every checklist item
is then the schema, a migration and an edit here; a domain that maps the fields to its own
vocabulary (the diff's change kinds, textconv's lines, export's columns) is keyed by the names
below, and its tests fail until it covers a new one.

A scan is an object of the members ``MEMBERS`` names, in that order, each of one ``Shape``:

``version``
    ``scan_version``: the format version, which migration changes and a review never does.
``value``
    one plain value, a whole (``paper_type``, ``key_findings``).
``record``
    an object of named plain fields (``paper``).
``checklist``
    section -> item name -> item (``checklist``: the sections ``CHECKLIST_SECTIONS`` every paper
    gets).
``type_checklist``
    paper type -> section -> item name -> item (``type_checklist``: one key, equal to
    ``paper_type``; the sections of the types in ``TYPE_CHECKLIST_SECTIONS`` are fixed, those of
    other types are not).
``entries``
    a list of records, each identified by the text of one field (``ENTRY_IDS``), whose order
    carries no meaning (``claims``, ``red_flags``, ``cited_papers``).
``tags``
    a list of strings whose order carries no meaning (``methodology_tags``).
``factors``
    factor name -> factor (``engagement_factors``: ``ENGAGEMENT_FACTOR_NAMES``).
``open``
    an object of named fields, one of which holds entries of no fixed shape (``hn_data``, whose
    ``threads`` list carries no meaning in its order either).

A checklist item is ``{applies, answer, justification, source}`` (``ITEM_FIELDS``), an engagement
factor ``{score, justification}`` (``FACTOR_FIELDS``). ``checklist_items`` walks the items of a
scan with their JSON paths.

Migrations do not read this module: each knows the two versions it converts between, which
never change, while this module follows the newest version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

# The format version this module describes: the newest (a test fails when a newer schema comes).
VERSION: Final = 4

# --------------------------------------------------------------------------- top-level members

SCAN_VERSION: Final = "scan_version"
PAPER_TYPE: Final = "paper_type"
PAPER: Final = "paper"
CHECKLIST: Final = "checklist"
TYPE_CHECKLIST: Final = "type_checklist"
CLAIMS: Final = "claims"
METHODOLOGY_TAGS: Final = "methodology_tags"
KEY_FINDINGS: Final = "key_findings"
RED_FLAGS: Final = "red_flags"
CITED_PAPERS: Final = "cited_papers"
ENGAGEMENT_FACTORS: Final = "engagement_factors"
HN_DATA: Final = "hn_data"

Shape = Literal[
    "version",
    "value",
    "record",
    "checklist",
    "type_checklist",
    "entries",
    "tags",
    "factors",
    "open",
]

# Every top-level member, in document order, with its shape (see the module docstring).
MEMBERS: Final[Mapping[str, Shape]] = MappingProxyType(
    {
        SCAN_VERSION: "version",
        PAPER_TYPE: "value",
        PAPER: "record",
        CHECKLIST: "checklist",
        TYPE_CHECKLIST: "type_checklist",
        CLAIMS: "entries",
        METHODOLOGY_TAGS: "tags",
        KEY_FINDINGS: "value",
        RED_FLAGS: "entries",
        CITED_PAPERS: "entries",
        ENGAGEMENT_FACTORS: "factors",
        HN_DATA: "open",
    }
)

# How many levels of names lie between a member of a keyed shape and its parts: a record's
# fields, a checklist's items (section, item), a type checklist's items (paper type, section,
# item), the factors.
KEY_LEVELS: Final[Mapping[Shape, int]] = MappingProxyType(
    {"record": 1, "checklist": 2, "type_checklist": 3, "factors": 1}
)


def members(*shapes: Shape) -> tuple[str, ...]:
    """The members of these shapes, in document order."""
    return tuple(name for name, shape in MEMBERS.items() if shape in shapes)


# The lists whose order carries no meaning: reordering one is no change.
UNORDERED_LISTS: Final[frozenset[str]] = frozenset(members("entries", "tags"))

# --------------------------------------------------------------------------- checklist items

APPLIES: Final = "applies"
ANSWER: Final = "answer"
JUSTIFICATION: Final = "justification"
SOURCE: Final = "source"

# The fields of a checklist item, in document order: whether it applies, the answer (false where
# it does not apply), the reviewer's reason and the model that answered.
ITEM_FIELDS: Final[tuple[str, ...]] = (APPLIES, ANSWER, JUSTIFICATION, SOURCE)
_ITEM_FIELD_SET: Final = frozenset(ITEM_FIELDS)

# The universal sections (in ``checklist``) with their items, in document order.
CHECKLIST_SECTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "claims_and_evidence": (
            "abstract_claims_supported",
            "causal_claims_justified",
            "generalization_bounded",
            "alternative_explanations_discussed",
            "proxy_outcome_distinction",
        ),
        "limitations_and_scope": (
            "limitations_section_present",
            "threats_to_validity_specific",
            "scope_boundaries_stated",
        ),
        "conflicts_of_interest": (
            "funding_disclosed",
            "affiliations_disclosed",
            "funder_independent_of_outcome",
            "financial_interests_declared",
        ),
        "scope_and_framing": (
            "key_terms_defined",
            "intended_contribution_clear",
            "engagement_with_prior_work",
        ),
    }
)

# The paper types whose sections are fixed (in ``type_checklist[paper_type]``), with their
# sections and items in document order. Other paper types have sections not fixed here.
TYPE_CHECKLIST_SECTIONS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = MappingProxyType(
    {
        "empirical": MappingProxyType(
            {
                "artifacts": (
                    "code_released",
                    "data_released",
                    "environment_specified",
                    "reproduction_instructions",
                ),
                "statistical_methodology": (
                    "confidence_intervals_or_error_bars",
                    "significance_tests",
                    "effect_sizes_reported",
                    "sample_size_justified",
                    "variance_reported",
                ),
                "evaluation_design": (
                    "baselines_included",
                    "baselines_contemporary",
                    "ablation_study",
                    "multiple_metrics",
                    "human_evaluation",
                    "held_out_test_set",
                    "per_category_breakdown",
                    "failure_cases_discussed",
                    "negative_results_reported",
                ),
                "setup_transparency": (
                    "model_versions_specified",
                    "prompts_provided",
                    "hyperparameters_reported",
                    "scaffolding_described",
                    "data_preprocessing_documented",
                ),
                "data_integrity": (
                    "raw_data_available",
                    "data_collection_described",
                    "recruitment_methods_described",
                    "data_pipeline_documented",
                ),
                "contamination": (
                    "training_cutoff_stated",
                    "train_test_overlap_discussed",
                    "benchmark_contamination_addressed",
                ),
                "human_studies": (
                    "pre_registered",
                    "irb_or_ethics_approval",
                    "demographics_reported",
                    "inclusion_exclusion_criteria",
                    "randomization_described",
                    "blinding_described",
                    "attrition_reported",
                ),
                "cost_and_practicality": ("inference_cost_reported", "compute_budget_stated"),
                "experimental_rigor": (
                    "seed_sensitivity_reported",
                    "number_of_runs_stated",
                    "hyperparameter_search_budget",
                    "best_config_selection_justified",
                    "multiple_comparison_correction",
                    "self_comparison_bias_addressed",
                    "compute_budget_vs_performance",
                    "benchmark_construct_validity",
                    "scaffold_confound_addressed",
                ),
            }
        )
    }
)

# The JSON path of a checklist item: (CHECKLIST, section, item) or
# (TYPE_CHECKLIST, paper type, section, item).
ItemPath = tuple[str, ...]


def is_item(value: Any) -> bool:
    """Whether ``value`` is an object with exactly the fields of a checklist item."""
    return isinstance(value, dict) and value.keys() == _ITEM_FIELD_SET


def checklist_items(doc: Mapping[str, Any]) -> Iterator[tuple[ItemPath, dict[str, Any]]]:
    """(JSON path, item) of every checklist item of a valid scan, in document order: the
    universal sections' items, then those of every key of ``type_checklist``."""
    for section, entries in doc[CHECKLIST].items():
        for name, item in entries.items():
            yield (CHECKLIST, section, name), item
    for paper_type, sections in doc[TYPE_CHECKLIST].items():
        for section, entries in sections.items():
            for name, item in entries.items():
                yield (TYPE_CHECKLIST, paper_type, section, name), item


# --------------------------------------------------------------------------- engagement factors

SCORE: Final = "score"

# The fields of an engagement factor, in document order: a score 0..3 and the reason for it.
FACTOR_FIELDS: Final[tuple[str, ...]] = (SCORE, JUSTIFICATION)
_FACTOR_FIELD_SET: Final = frozenset(FACTOR_FIELDS)

# The factors in ``engagement_factors``, in document order.
ENGAGEMENT_FACTOR_NAMES: Final[tuple[str, ...]] = (
    "practical_relevance",
    "surprise_contrarian",
    "fear_safety",
    "drama_conflict",
    "demo_ability",
    "brand_recognition",
)


def is_factor(value: Any) -> bool:
    """Whether ``value`` is an object with exactly the fields of an engagement factor."""
    return isinstance(value, dict) and value.keys() == _FACTOR_FIELD_SET


# --------------------------------------------------------------------------- list entries

# The fields of each entry list's records, in document order.
ENTRY_FIELDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        CLAIMS: ("claim", "evidence", "supported"),
        RED_FLAGS: ("flag", "detail"),
        CITED_PAPERS: ("title", "relevance"),
    }
)
# The field whose text identifies an entry: entries are matched by it, never by position.
ENTRY_IDS: Final[Mapping[str, str]] = MappingProxyType(
    {CLAIMS: "claim", RED_FLAGS: "flag", CITED_PAPERS: "title"}
)
# A claim's support level: strong, moderate, weak or unsupported.
CLAIM_SUPPORT: Final = "supported"

# ``hn_data``'s list of threads, whose entries have no fixed shape.
HN_THREADS: Final = "threads"
