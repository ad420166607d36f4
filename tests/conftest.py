"""Shared test helpers: real git repositories in temp directories, real tool runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scanrepo.cli.common import run
from scanrepo.vcs.repo import GitRepo

if TYPE_CHECKING:
    from scanstory import Story

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
DATA = ROOT / "tests" / "data"
FIXTURES = DATA / "fixtures"
V4_FIXTURE = FIXTURES / "2602.07852.scan-v4.json"
V3_FIXTURE = FIXTURES / "2602.07852.scan-v3.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--hardening-long",
        action="store_true",
        help="run the hardening kill loop, concurrency rounds and fuzzing at full length "
        "(minutes) instead of the quick default",
    )


@pytest.fixture(scope="session")
def hardening_long(request: pytest.FixtureRequest) -> bool:
    """Whether the slow hardening runs go at full length (--hardening-long)."""
    return bool(request.config.getoption("--hardening-long"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user or system git configuration leaks into the tests."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="author@example.org",
        GIT_COMMITTER_NAME="Test Committer",
        GIT_COMMITTER_EMAIL="committer@example.org",
        # hooks and tools started by git find this interpreter as python3, as in an active venv
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    os.environ.pop("GIT_DIR", None)
    os.environ.pop("GIT_INDEX_FILE", None)
    (home / ".gitconfig").write_text(
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
    )
    yield
    os.environ.clear()
    os.environ.update(saved)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def run_tool(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run tools/<name> as a user would, as a separate process."""
    return subprocess.run(
        [sys.executable, str(TOOLS / name), *args], cwd=cwd, capture_output=True, text=True
    )


def canonical(doc: Any) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def fixture_doc(version: int = 4) -> dict[str, Any]:
    return json.loads((V4_FIXTURE if version == 4 else V3_FIXTURE).read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository with a scans/ directory."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    (path / "scans").mkdir()
    return path


@pytest.fixture(scope="session")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """The scripted history of ``scanstory``, built once per test run; read it, or change a
    ``clone`` of it."""
    from scanstory import build_story  # here, as scanstory imports this module

    return build_story(tmp_path_factory.mktemp("story") / "repo")


@pytest.fixture(scope="session")
def known(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The hand-built history of ``knownhistory`` and its commits, built once per test run;
    read it, or copy it to change it."""
    from knownhistory import build  # here, as knownhistory imports this module

    repo = tmp_path_factory.mktemp("known") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo, build(repo)


@pytest.fixture
def clone(story: Story, tmp_path: Path) -> Path:
    """A clone of the story on main, to change the work tree and index of."""
    path = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(story.root), str(path))
    return path


def run_main(
    main: Callable[[Sequence[str] | None], int],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
) -> tuple[int, str, str]:
    """A tool's main run in-process in ``cwd``, as its executable would: (exit code, out, err)."""
    monkeypatch.chdir(cwd)
    try:
        code = run(main, list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def put(repo: Path, relpath: str, data: bytes | str) -> Path:
    path = repo / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def position_of(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column where needle starts (the nth occurrence), found by plain search."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def clone_of_tools(repo: Path) -> None:
    """The data repository carries its own tools, as a clone of this repository does."""
    shutil.copytree(ROOT / "tools", repo / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schema", repo / "schema")
    shutil.copytree(
        ROOT / "migrations", repo / "migrations", ignore=shutil.ignore_patterns("__pycache__")
    )


class CountingRepo(GitRepo):
    """A real repository that counts the blobs read through it."""

    read: list[str]

    def read_blobs(self, blobs: Iterable[str]):  # type: ignore[no-untyped-def]
        ids = list(blobs)
        self.read = getattr(self, "read", []) + ids
        return super().read_blobs(ids)
