"""The tools' cache files in the git directory: opened, started anew when damaged, or none."""

from __future__ import annotations

from pathlib import Path

from scanrepo.vcs.cache_files import CacheFile, open_cache

TABLES = ("rows (key TEXT PRIMARY KEY, value TEXT)",)


def test_a_cache_file_keeps_its_rows_between_openings(tmp_path: Path) -> None:
    with CacheFile(tmp_path / "cache", "c.sqlite", TABLES) as cache:
        assert cache.db is not None
        with cache.db:
            cache.db.execute("INSERT INTO rows VALUES ('a', 'b')")
    with CacheFile(tmp_path / "cache", "c.sqlite", TABLES) as cache:
        assert cache.db is not None
        assert cache.db.execute("SELECT * FROM rows").fetchall() == [("a", "b")]


def test_a_file_that_is_no_database_is_started_anew(tmp_path: Path) -> None:
    damaged = tmp_path / "c.sqlite"
    damaged.write_bytes(b"\x00garbage" * 500)
    db = open_cache(tmp_path, "c.sqlite", TABLES)
    assert db is not None
    assert db.execute("SELECT count(*) FROM rows").fetchone() == (0,)
    db.close()
    assert damaged.read_bytes().startswith(b"SQLite format 3\x00")


def test_no_directory_or_one_that_cannot_be_made_means_no_cache(tmp_path: Path) -> None:
    assert open_cache(None, "c.sqlite", TABLES) is None
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    assert open_cache(blocked, "c.sqlite", TABLES) is None
    assert blocked.read_text() == "not a directory"
