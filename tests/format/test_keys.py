"""Paper keys and shards: deterministic, safe file names, whatever the scan says."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanrepo.errors import UnnamedPaperError
from scanrepo.format import keys


def scan(**paper: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"title": "A Paper", "year": 2024, "arxiv_id": None, "doi": None}
    base.update(paper)
    return {"scan_version": 4, "paper": base}


SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@pytest.mark.parametrize(
    ("paper", "key", "path"),
    [
        ({"arxiv_id": "2602.07852"}, "2602.07852", "scans/v4/2602/2602.07852.json"),
        ({"arxiv_id": "2602.07852v3"}, "2602.07852", "scans/v4/2602/2602.07852.json"),
        ({"arxiv_id": "0704.0001"}, "0704.0001", "scans/v4/0704/0704.0001.json"),
        ({"arxiv_id": "cs/0112017"}, "cs_0112017", "scans/v4/0112/cs_0112017.json"),
        (
            {"arxiv_id": "math.GT/0309136v1"},
            "math.GT_0309136",
            "scans/v4/0309/math.GT_0309136.json",
        ),
    ],
)
def test_arxiv_keys_and_shards(paper: dict[str, Any], key: str, path: str) -> None:
    doc = scan(**paper)
    assert keys.paper_key(doc) == key
    assert str(keys.scan_path(doc, 4)) == path
    assert keys.parse_scan_path(path) == (4, path.split("/")[2], key)


def test_v3_scans_name_the_same_paper() -> None:
    v3 = {"scan_version": 3, "paper": {"title": "T", "year": 2026, "arxiv": "2602.07852"}}
    assert keys.paper_key(v3) == "2602.07852"


def test_doi_and_title_keys_are_hashed_slugs_sharded_by_year() -> None:
    by_doi = scan(doi="10.1145/3597503.3623331")
    key = keys.paper_key(by_doi)
    assert key.startswith("doi-10-1145-3597503-3623331-")
    assert re.fullmatch(r"doi-[a-z0-9-]+-[0-9a-f]{8}", key)
    assert keys.shard_of(key, by_doi) == "y2024"
    # DOIs are case-insensitive; the key is too
    assert keys.paper_key(scan(doi="10.1145/3597503.3623331".upper())) == key
    # two DOIs that slug alike still get different keys
    assert keys.paper_key(scan(doi="10.1145/a.b")) != keys.paper_key(scan(doi="10.1145/a-b"))
    by_title = scan(title="Agents  Écrivent du Code", year=2023)
    assert keys.paper_key(by_title).startswith("title-agents-ecrivent-du-code-")
    assert str(keys.scan_path(by_title, 4)).startswith("scans/v4/y2023/title-")


@pytest.mark.parametrize(
    "arxiv_id", ["../../etc/passwd", "/abs/path", "CON", "2602.07852/../x", "nul", "a" * 300]
)
def test_hostile_ids_never_escape(arxiv_id: str) -> None:
    key = keys.paper_key(scan(arxiv_id=arxiv_id, doi=None, title=arxiv_id))
    assert SAFE.fullmatch(key)
    assert len(key) <= 80
    assert "/" not in key and ".." not in key
    assert keys.is_key(key)


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=40)))
def test_every_key_is_a_safe_file_name(title: str, doi: str | None) -> None:
    doc = scan(title=title if title.strip() else "x", doi=doi, arxiv_id=title)
    key = keys.paper_key(doc)
    assert SAFE.fullmatch(key) and len(key) <= 80
    assert keys.is_key(key)
    assert keys.paper_key(doc) == key


def test_a_scan_without_any_name_is_refused() -> None:
    with pytest.raises(UnnamedPaperError):
        keys.paper_key({"paper": {"title": " ", "arxiv_id": None, "doi": None}})


@pytest.mark.parametrize(
    ("arg", "key"),
    [
        ("2602.07852", "2602.07852"),
        ("2602.07852v2", "2602.07852"),
        ("cs/0112017", "cs_0112017"),
        ("nonsense", None),
        ("scans/v4/x.json", None),
    ],
)
def test_key_arguments(arg: str, key: str | None) -> None:
    assert keys.normalise_key_argument(arg) == key
