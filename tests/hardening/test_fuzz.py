"""Generated bad input: scans mutated byte by byte and node by node are thrown at the loader, the
validator, the migrator, the differ and the textconv driver. Only clean outcomes are allowed:
a document or a located JsonSyntaxError from the loader; problems, never an exception, from
the others; and whatever the migrator writes is a valid scan. A quick run by default, a long
one with --hardening-long."""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import canonical, fixture_doc
from scanrepo.diff.compare import ScanSide, diff_papers
from scanrepo.diff.textconv import semantic_text
from scanrepo.errors import JsonSyntaxError
from scanrepo.format.strictjson import parse_strict
from scanrepo.migrate.migrator import Migrator
from scanrepo.migrate.pending import Pending
from scanrepo.migrate.plan import prepare_file
from scanrepo.problems import Problem
from scanrepo.testing import generate
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import check_scan

QUICK, LONG = 60, 3000
V3_PATH, V4_PATH = "scans/v3/2602/2602.07852.json", "scans/v4/2602/2602.07852.json"


@cache
def migrator() -> Migrator:
    return Migrator.load(Toolkit(), 4)


@cache
def bases() -> tuple[dict[str, Any], ...]:
    """Real and generated scans of both versions, as the paper the paths above name."""
    docs = [fixture_doc(3), fixture_doc(4), *generate.corpus(3, 3, 3), *generate.corpus(4, 3, 4)]
    for doc in docs:
        doc["paper"]["arxiv" if doc["scan_version"] == 3 else "arxiv_id"] = "2602.07852"
    return tuple(docs)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def nodes(doc: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every value below ``doc``."""
    found = []
    stack = [doc]
    while stack:
        node = stack.pop()
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            found.append((node, key))
            if isinstance(child, dict | list) and child:
                stack.append(child)
    return found


@st.composite
def mutated_docs(draw: st.DrawFn) -> Any:
    """A scan with a few of its values replaced, removed, retyped or joined by new keys."""
    doc = copy.deepcopy(draw(st.sampled_from(bases())))
    for _ in range(draw(st.integers(1, 4))):
        places = nodes(doc)
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add", "wrap"]))
        if action == "replace":
            container[key] = draw(JSON_VALUES)
        elif action == "delete":
            del container[key]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.text(max_size=10))] = draw(JSON_VALUES)
        elif action == "wrap":
            container[key] = [container[key]]
    return doc


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """Scan text with bytes deleted, inserted, flipped, duplicated or cut off."""
    data = bytearray(canonical(draw(st.sampled_from(bases()))))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "flip", "duplicate", "truncate"]))
        if action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(SPICE))
        elif action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        else:
            del data[at:]
    return bytes(data)


# Byte strings worth inserting: JSON's edge cases and what mergers, editors and encoders leave.
SPICE = [
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"-0",
    b'"\\ud800"',
    b"\xef\xbb\xbf",
    b"\x00",
    b"\r\n",
    b"<<<<<<< HEAD\n",
    b"=======\n",
    b'"scan_version": 4,',
    b'"a": 1, "a": 2',
    b"[" * 70,
    b"}",
    b",",
]

SCANS = st.one_of(mutated_bytes(), mutated_docs().map(canonical), st.binary(max_size=64))


def assert_well_formed(problem: Problem, name: str) -> None:
    assert problem.file == name
    assert problem.path.startswith("$"), problem
    assert problem.message and "\n" not in problem.message, problem
    assert problem.line is None or (problem.line >= 1 and (problem.col or 1) >= 1), problem
    assert "Traceback" not in problem.message


def run(examples: int, test: Callable[..., None], *strategies: st.SearchStrategy[Any]) -> None:
    settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(*strategies)(test))()


def examples(long: bool) -> int:
    return LONG if long else QUICK


def test_the_loader_returns_a_document_or_a_located_syntax_error(hardening_long: bool) -> None:
    def check(data: bytes) -> None:
        try:
            parse_strict(data)
        except JsonSyntaxError as exc:
            assert exc.line >= 1 and exc.col >= 1 and exc.path.startswith("$"), exc
            assert exc.message and "\n" not in exc.message

    run(examples(hardening_long), check, SCANS)


def test_the_validator_reports_problems_and_never_raises(hardening_long: bool) -> None:
    registry = migrator().registry

    def check(data: bytes) -> None:
        for path in (V3_PATH, V4_PATH):
            result = check_scan(data, path, path, registry)
            for problem in result.problems:
                assert_well_formed(problem, path)

    run(examples(hardening_long), check, SCANS)


def test_the_migrator_refuses_cleanly_or_writes_a_valid_scan(hardening_long: bool) -> None:
    chosen = migrator()
    with tempfile.TemporaryDirectory() as scratch:
        file = Path(scratch) / "scan.json"
        pending = Pending(Path(scratch) / "out")

        def check(data: bytes) -> None:
            file.write_bytes(data)
            prepared = prepare_file(file, V3_PATH, chosen, pending.writer())
            for problem in prepared.problems:
                assert_well_formed(problem, V3_PATH)
            if not prepared.problems:
                assert prepared.written is not None and prepared.written.staged
                assert prepared.target is not None
                new = pending.temp(prepared.target).read_bytes()
                written = check_scan(new, "out", prepared.target, chosen.registry)
                assert written.problems == [], written.problems
                assert json.loads(new)["scan_version"] == 4

        run(examples(hardening_long), check, SCANS)


def test_the_differ_compares_or_reports_and_never_raises(hardening_long: bool) -> None:
    chosen = migrator()

    def check(old: bytes, new: bytes) -> None:
        paper = diff_papers(
            "2602.07852",
            ScanSide(V4_PATH, old, "HEAD~1"),
            ScanSide(V4_PATH, new),
            4,
            chosen.chain,
            chosen.registry,
        )
        for problem in paper.problems:
            assert problem.file in (f"HEAD~1:{V4_PATH}", V4_PATH)
            assert_well_formed(problem, problem.file)
        if old == new and not paper.problems:
            assert paper.changes == []

    same_or_other = st.shared(SCANS, key="old") | SCANS
    run(examples(hardening_long), check, st.shared(SCANS, key="old"), same_or_other)


def test_the_textconv_driver_always_prints_something(hardening_long: bool) -> None:
    chain = migrator().chain

    def check(data: bytes) -> None:
        text = semantic_text(data, "scan.json", chain)
        assert text.startswith("# scan") and "\x1b" not in text

    run(examples(hardening_long), check, SCANS)
