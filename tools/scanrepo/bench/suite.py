"""What is measured against what: the operations, their anchors and targets, and the scaling.

Each operation runs our tool and its anchors as subprocesses, once untimed to warm the page
cache, then alternating within each repetition (forward, then backward, so neither side always
runs on a warmer cache). An anchor too slow to run at full size several times is run on a
sample and on a minimal input, and its full-size time estimated from the two (see
``measure.linear_estimate``); the table says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scanrepo.bench.corpora import Corpus, CorpusSpec, ensure_corpus, git, linked_copy
from scanrepo.bench.measure import (
    Command,
    Figures,
    Sample,
    figures_of,
    linear_estimate,
    run_command,
)
from scanrepo.diff.comparisons import COMPARISONS
from scanrepo.toolkit import SCHEMA_DIR
from scanrepo.vcs.cache_files import CACHE_DIR
from scanrepo.vcs.textconv_cache import NOTES_REF

TOOLS = Path(__file__).resolve().parents[2]

# The operations by the name ``tools/bench --only`` selects them with, in the table's order.
OPERATIONS = (
    "validate",
    "diff",
    "show",
    "hook",
    "log",
    "log-range",
    "blame",
    "migrate",
    "add",
    "rescan",
    "stats",
    "stats-cached",
)

# Whole-history statistics, measured without the blob cache: every blob is read, as by the
# anchor. The cached row runs as a user's second run does: with the cache the first one filled.
STATS_ARGS = ("--stability", "--no-cache")
STATS_CACHED_ARGS = ("--stability",)

# Who commits in the benchmark's clone, wherever it runs (a machine may have no git identity).
IDENTITY = ("-c", "user.name=scanrepo bench", "-c", "user.email=bench@scanrepo.invalid")


@dataclass(frozen=True)
class Sizes:
    """The corpora and sample sizes of one benchmark run."""

    main: CorpusSpec
    scaling: tuple[CorpusSpec, ...]  # the corpus-size series, smallest first; includes main
    log_corpus: CorpusSpec  # where tools/log runs at growing revision counts
    log_revisions: tuple[int, ...]
    main_log_revisions: int
    ordinary_diff_commit: int  # an ordinary commit of the main corpus, diffed for the series
    sample_files: int  # check-jsonschema runs on this many files, then is scaled up
    sample_pairs: int  # DeepDiff compares this many pairs, then is scaled up
    repetitions: int  # timed runs of each command, after one untimed run
    large_repetitions: int  # for corpora larger than main, where one run takes minutes

    @property
    def corpora(self) -> tuple[CorpusSpec, ...]:
        return tuple(dict.fromkeys((*self.scaling, self.log_corpus)))


FULL = Sizes(
    main=CorpusSpec(10_000, 200),
    scaling=(CorpusSpec(1_000, 400), CorpusSpec(10_000, 200), CorpusSpec(100_000, 100)),
    log_corpus=CorpusSpec(1_000, 400),
    log_revisions=(25, 100, 400),
    main_log_revisions=100,
    ordinary_diff_commit=50,
    sample_files=1000,
    sample_pairs=100,
    repetitions=3,
    large_repetitions=1,
)
QUICK = Sizes(
    main=CorpusSpec(200, 20),
    scaling=(CorpusSpec(200, 20),),
    log_corpus=CorpusSpec(200, 20),
    log_revisions=(5, 20),
    main_log_revisions=20,
    ordinary_diff_commit=10,
    sample_files=50,
    sample_pairs=10,
    repetitions=1,
    large_repetitions=1,
)


@dataclass(frozen=True)
class Target:
    kind: Literal["faster", "within"]  # anchor/ours at least factor; ours/anchor at most factor
    factor: float

    def ratio(self, ours: float, anchor: float) -> float:
        return anchor / ours if self.kind == "faster" else ours / anchor

    def met(self, ours: float, anchor: float) -> bool:
        ratio = self.ratio(ours, anchor)
        return ratio >= self.factor if self.kind == "faster" else ratio <= self.factor

    def describe(self) -> str:
        return f">= {self.factor:g}x faster" if self.kind == "faster" else f"<= {self.factor:g}x"


@dataclass(frozen=True)
class Subject:
    """One thing timed: a command, maybe with an untimed preparation before each run.

    With ``base``, the command runs on a sample of ``units[1]`` units and ``base`` on
    ``units[0]``, and the figures are estimated for ``full_units``.
    """

    key: str  # unique in a run; equal keys are measured once
    label: str
    command: Command
    prepare: Callable[[], None] | None = None
    base: Command | None = None
    units: tuple[int, int] = (0, 0)
    full_units: int = 0


@dataclass(frozen=True)
class Anchor:
    subject: Subject | None  # None: not installed
    target: Target
    label: str


@dataclass(frozen=True)
class Operation:
    title: str
    ours: Subject
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class Point:
    """One point of a scaling series: our tool on one corpus at one amount of work."""

    series: str
    work: str  # what grows: "1,000 scans", "100 revisions", ...
    corpus_scans: int
    subject: Subject


@dataclass(frozen=True)
class Driven:
    """A clone set up with tools/setup-git, its notes before and after the big commit came."""

    path: Path
    parent: str
    big: str
    notes_before: str
    notes_after: str


@dataclass
class Workspace:
    """The corpora, built or reused on first use, and a scratch directory on the same file
    system (for hard links)."""

    cache: Path
    scratch: Path
    progress: Callable[[str], None]
    corpora: dict[CorpusSpec, Corpus] = field(default_factory=dict)
    build_seconds: float = 0.0

    def corpus(self, spec: CorpusSpec) -> Corpus:
        if spec not in self.corpora:
            start = time.perf_counter()
            self.corpora[spec], built = ensure_corpus(self.cache, spec)
            took = time.perf_counter() - start
            self.build_seconds += took
            verb = f"built in {took:.0f} s" if built else "cached"
            self.progress(f"corpus {spec.scans:,} scans, {spec.commits} commits: {verb}")
        return self.corpora[spec]

    def path(self, name: str) -> Path:
        return self.scratch / name


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOOLS), env.get("PYTHONPATH")]))
    return env


def _tool(name: str) -> Path:
    return TOOLS / name


def _python(*args: str | Path) -> tuple[str, ...]:
    return (sys.executable, *map(str, args))


def _floor(*args: str | Path) -> tuple[str, ...]:
    return _python("-m", "scanrepo.bench.floors", *args)


def _check_jsonschema() -> str | None:
    beside = Path(sys.executable).parent / "check-jsonschema"
    return str(beside) if beside.is_file() else shutil.which("check-jsonschema")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


class Plan:
    """Builds the subjects of one run from its corpora."""

    def __init__(self, sizes: Sizes, space: Workspace) -> None:
        self.sizes = sizes
        self.space = space
        self.env = _env()
        self.jobs = os.cpu_count() or 1
        self._driven_clone: Driven | None = None

    def corpus(self, spec: CorpusSpec) -> Corpus:
        return self.space.corpus(spec)

    def cmd(
        self,
        argv: tuple[str, ...],
        cwd: Path,
        *,
        stdin: Path | None = None,
        ok: tuple[int, ...] = (0,),
    ) -> Command:
        return Command(argv, cwd, stdin=stdin, env=self.env, ok=ok)

    def _list_file(self, corpus: Corpus, name: str, paths: list[str]) -> Path:
        path = self.space.path(f"{corpus.spec.name}-{name}.txt")
        path.write_text("".join(p + "\n" for p in paths), encoding="utf-8")
        return path

    # --- validate ---------------------------------------------------------------------------

    def validate(self, spec: CorpusSpec) -> Subject:
        corpus = self.corpus(spec)
        tool = _tool("validate")
        return Subject(
            f"validate@{spec.name}", "tools/validate", self.cmd(_python(tool), corpus.repo)
        )

    def validate_operation(self) -> Operation:
        spec = self.sizes.main
        corpus = self.corpus(spec)
        files = corpus.scan_files(corpus.repo)
        listed = self._list_file(corpus, "v4-files", files)
        floor = Subject(
            f"parse-floor@{spec.name}",
            "strict parse (floor)",
            self.cmd(_floor("parse", listed, str(self.jobs)), corpus.repo),
        )
        anchors = [Anchor(floor, Target("within", 3), floor.label)]
        checker = _check_jsonschema()
        sample = files[:: max(1, len(files) // self.sizes.sample_files)][: self.sizes.sample_files]
        schema = str(SCHEMA_DIR / "v4.json")
        jsonschema = None
        if checker is not None:
            jsonschema = Subject(
                f"check-jsonschema@{spec.name}",
                "check-jsonschema",
                self.cmd((checker, "--schemafile", schema, *sample), corpus.repo),
                base=self.cmd((checker, "--schemafile", schema, files[0]), corpus.repo),
                units=(1, len(sample)),
                full_units=len(files),
            )
        anchors.insert(0, Anchor(jsonschema, Target("faster", 20), "check-jsonschema"))
        return Operation(
            f"validate {_count(len(files), 'scan')}", self.validate(spec), tuple(anchors)
        )

    # --- migrate ----------------------------------------------------------------------------

    def migrate(self, spec: CorpusSpec) -> Subject:
        corpus = self.corpus(spec)
        tool = _tool("migrate")
        run_dir = self.space.path(f"migrate-{spec.name}")
        return Subject(
            f"migrate@{spec.name}",
            "tools/migrate --to 4",
            self.cmd(_python(tool, "--to", "4"), run_dir),
            prepare=lambda: linked_copy(corpus.v3, run_dir),
        )

    def migrate_operation(self) -> Operation:
        spec = self.sizes.main
        corpus = self.corpus(spec)
        files = corpus.scan_files(corpus.v3)
        listed = self._list_file(corpus, "v3-files", files)
        out = self.space.path(f"rewrite-{spec.name}")
        floor = Subject(
            f"rewrite-floor@{spec.name}",
            "parse + canonical write (floor)",
            self.cmd(_floor("rewrite", listed, out, str(self.jobs)), corpus.v3),
            prepare=lambda: shutil.rmtree(out, ignore_errors=True),
        )
        return Operation(
            f"migrate {_count(len(files), 'v3 scan')}",
            self.migrate(spec),
            (Anchor(floor, Target("within", 3), floor.label),),
        )

    # --- diff -------------------------------------------------------------------------------

    def diff(self, spec: CorpusSpec, number: int, seen: bool = False) -> Subject:
        """tools/diff of commit ``number``: as a first view, every comparison made afresh (the
        comparisons kept by earlier runs removed), or ``seen`` before (kept by the warm-up)."""
        corpus = self.corpus(spec)
        tool = _tool("diff")
        old, new = corpus.commits[number - 1], corpus.commits[number]

        def forget() -> None:
            for kept in (corpus.repo / ".git" / CACHE_DIR).glob(f"{COMPARISONS}-*.sqlite"):
                kept.unlink()

        return Subject(
            f"diff{'-seen' if seen else ''}@{spec.name}:{number}",
            f"tools/diff A B ({'seen before' if seen else 'first view'})",
            self.cmd(_python(tool, old, new), corpus.repo, ok=(1,)),
            prepare=None if seen else forget,
        )

    def _diff_tree(self, corpus: Corpus, number: int) -> list[tuple[str, str, str]]:
        """(old blob, new blob, path) of every scan commit ``number`` changed."""
        out = git(
            corpus.repo,
            "diff-tree",
            "-r",
            "--no-renames",
            corpus.commits[number - 1],
            corpus.commits[number],
            "--",
            "scans/",
        )
        found = []
        for line in out.splitlines():
            meta, path = line.split("\t", 1)
            fields = meta.split()
            found.append((fields[2], fields[3], path))
        return found

    def _changed(self, corpus: Corpus, number: int) -> list[tuple[str, str]]:
        return [(old, new) for old, new, _ in self._diff_tree(corpus, number)]

    def diff_operations(self) -> list[Operation]:
        spec = self.sizes.main
        corpus = self.corpus(spec)
        number = spec.commits  # the big commit
        pairs = self._changed(corpus, number)
        ids = self.space.path(f"{spec.name}-big-commit-blobs.txt")
        ids.write_text("".join(f"{b}\n" for pair in pairs for b in pair), encoding="utf-8")
        catfile = Subject(
            f"cat-file@{spec.name}:{number}",
            f"git cat-file --batch ({_count(2 * len(pairs), 'blob')}, floor)",
            self.cmd(("git", "cat-file", "--batch"), corpus.repo, stdin=ids),
        )
        old, new = corpus.commits[number - 1], corpus.commits[number]
        sample = min(self.sizes.sample_pairs, len(pairs))
        deep = Subject(
            f"deepdiff@{spec.name}:{number}",
            "DeepDiff",
            self.cmd(_floor("deepdiff", corpus.repo, old, new, str(sample)), corpus.repo),
            base=self.cmd(_floor("deepdiff", corpus.repo, old, new, "0"), corpus.repo),
            units=(0, sample),
            full_units=len(pairs),
        )
        anchors = (
            Anchor(catfile, Target("within", 3), catfile.label),
            Anchor(deep, Target("faster", 20), "DeepDiff"),
        )
        return [
            Operation(f"diff of a {len(pairs):,}-scan commit, {when}", subject, anchors)
            for when, subject in (
                ("first view", self.diff(spec, number)),
                ("seen before", self.diff(spec, number, seen=True)),
            )
        ]

    # --- git show and git commit through the drivers and hooks tools/setup-git installs ------

    def _driven(self) -> Driven:
        """A clone of the main corpus, checked out at the commit before the big one and set up
        by tools/setup-git (its textconv cache filled), then given the big commit as a fetch
        would (the hook renders it): the notes before and after are kept, to reset to."""
        if self._driven_clone is not None:
            return self._driven_clone
        spec = self.sizes.main
        corpus = self.corpus(spec)
        big, parent = corpus.commits[spec.commits], corpus.commits[spec.commits - 1]
        path = self.space.path(f"driven-{spec.name}")
        git(corpus.repo, "clone", "--quiet", "--shared", "--no-checkout", ".", str(path))
        git(path, "update-ref", "-d", "refs/remotes/origin/main")
        git(path, "reset", "--quiet", "--hard", parent)
        for name in ("tools", "schema", "migrations"):
            (path / name).symlink_to(TOOLS.parent / name)
        (path / ".git/info/exclude").write_text("tools\nschema\nmigrations\n")
        shutil.copy(TOOLS.parent / ".gitattributes", path / ".git/info/attributes")
        start = time.perf_counter()
        subprocess.run(
            _python(_tool("setup-git")), cwd=path, env=self.env, check=True, capture_output=True
        )
        self.space.progress(
            f"tools/setup-git filled the textconv cache in {time.perf_counter() - start:.0f} s"
        )
        before = git(path, "rev-parse", NOTES_REF).strip()
        git(path, "reset", "--quiet", "--hard", big)  # the hook renders it
        after = git(path, "rev-parse", NOTES_REF).strip()
        assert after != before, "the reference-transaction hook did not fill the cache"
        self._driven_clone = Driven(path, parent, big, before, after)
        return self._driven_clone

    def _show(self, name: str, label: str, argv: tuple[str, ...], notes: str) -> Subject:
        """``argv`` in the set-up clone, its textconv cache reset to ``notes`` first."""
        driven = self._driven()

        def reset_notes() -> None:
            git(driven.path, "update-ref", NOTES_REF, notes)

        return Subject(
            f"{name}@{self.sizes.main.name}", label, self.cmd(argv, driven.path), reset_notes
        )

    def show_operations(self) -> list[Operation]:
        spec = self.sizes.main
        driven = self._driven()
        scans = len(self._changed(self.corpus(spec), spec.commits))
        diff, seen = self.diff(spec, spec.commits), self.diff(spec, spec.commits, seen=True)
        big, parent = driven.big, driven.parent
        first = self._show(
            "show-first",
            "hook's fill, then git show",
            ("sh", "-c", f"tools/setup-git --refresh-cache {big} ^{parent} && git show {big}"),
            driven.notes_before,
        )
        again = self._show(
            "show-cached", "git show", ("git", "show", driven.big), driven.notes_after
        )
        return [
            Operation(
                f"git show of a {scans:,}-scan commit, first view (the hook renders it on arrival)",
                first,
                (Anchor(diff, Target("within", 3), diff.label),),
            ),
            Operation(
                f"git show of a {scans:,}-scan commit, cached",
                again,
                (Anchor(seen, Target("within", 3), seen.label),),
            ),
        ]

    def hook_operation(self) -> Operation:
        """git commit of one rescanned scan in the set-up clone: the pre-commit hook validates
        it, the reference-transaction hook renders it into the textconv cache."""
        spec = self.sizes.main
        driven = self._driven()
        path = self._diff_tree(self.corpus(spec), spec.commits)[0][2]
        tip = driven.big

        def staged_rescan() -> None:
            git(driven.path, "reset", "--quiet", "--soft", tip)
            git(driven.path, "update-ref", NOTES_REF, driven.notes_after)
            git(driven.path, "checkout", driven.parent, "--", path)

        ours = Subject(
            f"commit-hook@{spec.name}",
            "git commit (hooks)",
            self.cmd(
                ("git", *IDENTITY, "commit", "--quiet", "-m", "Rescan one paper"), driven.path
            ),
            prepare=staged_rescan,
        )
        python = Subject(
            "python-start", "python3 -c pass", self.cmd(_python("-c", "pass"), driven.path)
        )
        return Operation(
            f"git commit of 1 rescanned scan, with the hooks ({spec.scans:,} scans)",
            ours,
            (Anchor(python, Target("within", 10), "Python's start-up (python3 -c pass)"),),
        )

    # --- add --------------------------------------------------------------------------------

    def _json_lines(self, name: str, directory: Path, paths: list[str]) -> Path:
        """The scans at ``paths`` (relative to ``directory``), one compact JSON a line: what a
        scanner writes to tools/add's standard input."""
        out = self.space.path(f"{name}.jsonl")
        with out.open("wb") as stream:
            for path in paths:
                scan = json.loads((directory / path).read_bytes())
                text = json.dumps(scan, ensure_ascii=False, separators=(",", ":"))
                stream.write(text.encode() + b"\n")
        return out

    def add_operation(self) -> Operation:
        """New scans into a repository that has none of their papers."""
        spec = self.sizes.main
        corpus = self.corpus(spec)
        files = corpus.scan_files(corpus.repo)  # every paper at v4, the newest version
        lines = self._json_lines(f"{spec.name}-new-scans", corpus.repo, files)
        run_dir = self.space.path(f"add-{spec.name}")

        def empty_repository() -> None:
            shutil.rmtree(run_dir, ignore_errors=True)
            (run_dir / "scans").mkdir(parents=True)
            git(run_dir, "init", "--quiet")

        ours = Subject(
            f"add@{spec.name}",
            "tools/add -",
            self.cmd(_python(_tool("add"), "-"), run_dir, stdin=lines),
            prepare=empty_repository,
        )
        out = self.space.path(f"rewrite-lines-{spec.name}")
        floor = Subject(
            f"rewrite-lines-floor@{spec.name}",
            "parse + canonical write (floor)",
            self.cmd(_floor("rewrite-lines", out, str(self.jobs)), self.space.scratch, stdin=lines),
            prepare=lambda: shutil.rmtree(out, ignore_errors=True),
        )
        return Operation(
            f"add {_count(len(files), 'new scan')} from JSON Lines on stdin",
            ours,
            (Anchor(floor, Target("within", 3), floor.label),),
        )

    def rescan_operation(self) -> Operation:
        """The big commit's scans added with --rescan to a checkout of the commit before it."""
        spec = self.sizes.main
        corpus = self.corpus(spec)
        number = spec.commits  # the big commit, checked out in corpus.repo
        paths = [path for _, _, path in self._diff_tree(corpus, number)]
        lines = self._json_lines(f"{spec.name}-big-commit-rescans", corpus.repo, paths)
        parent = self.space.path(f"parent-{spec.name}")
        git(corpus.repo, "clone", "--quiet", "--shared", "--no-checkout", ".", str(parent))
        git(parent, "checkout", "--quiet", "--detach", corpus.commits[number - 1])
        run_dir = self.space.path(f"rescan-{spec.name}")
        ours = Subject(
            f"add-rescan@{spec.name}",
            "tools/add --rescan -",
            self.cmd(_python(_tool("add"), "--rescan", "-"), run_dir, stdin=lines),
            prepare=lambda: linked_copy(parent, run_dir),
        )
        diff = self.diff(spec, number)
        return Operation(
            f"rescan a batch of {_count(len(paths), 'scan')}",
            ours,
            (Anchor(diff, Target("within", 3), diff.label),),
        )

    # --- log --------------------------------------------------------------------------------

    def log(self, spec: CorpusSpec, revisions: int) -> Subject:
        corpus = self.corpus(spec)
        tool = _tool("log")
        rev = corpus.commits[revisions - 1]  # commits 0 .. revisions-1 all change the hot paper
        return Subject(
            f"log@{spec.name}:{revisions}",
            "tools/log KEY",
            self.cmd(_python(tool, corpus.hot_key, rev), corpus.repo),
        )

    def log_operation(self) -> Operation:
        spec = self.sizes.main
        revisions = self.sizes.main_log_revisions
        corpus = self.corpus(spec)
        rev = corpus.commits[revisions - 1]
        follow = Subject(
            f"git-log-follow@{spec.name}:{revisions}",
            "git log -p --follow",
            self.cmd(("git", "log", "-p", "--follow", rev, "--", corpus.hot_path), corpus.repo),
        )
        return Operation(
            f"log of one paper over {revisions} revisions",
            self.log(spec, revisions),
            (Anchor(follow, Target("within", 2), follow.label),),
        )

    def log_range_operation(self) -> Operation:
        """tools/log of the last commits, every paper, against reading what they changed."""
        spec = self.sizes.main
        corpus = self.corpus(spec)
        count = min(self.sizes.main_log_revisions, len(corpus.commits) - 1)
        span = f"{corpus.commits[-1 - count]}..{corpus.commits[-1]}"
        floor = Subject(
            f"range-blobs@{spec.name}:{count}",
            "git log --raw + cat-file --batch of the changed blobs",
            self.cmd(_floor("range-blobs", corpus.repo, span), corpus.repo),
        )
        ours = Subject(
            f"log-range@{spec.name}:{count}",
            "tools/log A..B",
            self.cmd(_python(_tool("log"), span), corpus.repo),
        )
        return Operation(
            f"log of {_count(count, 'commit')} (whole repository)",
            ours,
            (Anchor(floor, Target("within", 3), floor.label),),
        )

    def blame_operation(self) -> Operation:
        """tools/blame of the paper every commit rescans, against git blame of its file."""
        spec = self.sizes.main
        revisions = self.sizes.main_log_revisions
        corpus = self.corpus(spec)
        rev = corpus.commits[revisions - 1]  # commits 0 .. revisions-1 all change the hot paper
        blame = Subject(
            f"git-blame@{spec.name}:{revisions}",
            "git blame",
            self.cmd(("git", "blame", rev, "--", corpus.hot_path), corpus.repo),
        )
        ours = Subject(
            f"blame@{spec.name}:{revisions}",
            "tools/blame KEY REV",
            self.cmd(_python(_tool("blame"), corpus.hot_key, rev), corpus.repo),
        )
        return Operation(
            f"blame of one paper over {revisions} revisions",
            ours,
            (Anchor(blame, Target("within", 3), blame.label),),
        )

    # --- stats ------------------------------------------------------------------------------

    def _history_floor(self, corpus: Corpus) -> Subject:
        return Subject(
            f"history-blobs@{corpus.spec.name}",
            "git log --raw + each blob once",
            self.cmd(_floor("history-blobs", corpus.repo), corpus.repo),
        )

    def stats(self, spec: CorpusSpec) -> Subject:
        return Subject(
            f"stats@{spec.name}",
            "tools/stats --stability --no-cache",
            self.cmd(_python(_tool("stats"), *STATS_ARGS), self.corpus(spec).repo),
        )

    def stats_operation(self) -> Operation:
        spec = self.sizes.main
        floor = self._history_floor(self.corpus(spec))
        return Operation(
            f"whole-history statistics ({_count(spec.commits + 1, 'commit')})",
            self.stats(spec),
            (Anchor(floor, Target("within", 3), floor.label),),
        )

    def stats_cached_operation(self) -> Operation:
        """A second run of whole-history statistics: its blob cache filled by the untimed run,
        in a clone sharing the corpus's objects (the cache lives in the git directory, and the
        cached corpus stays as built)."""
        spec = self.sizes.main
        corpus = self.corpus(spec)
        clone = self.space.path(f"stats-cached-{spec.name}")
        git(corpus.repo, "clone", "--quiet", "--shared", "--no-checkout", ".", str(clone))
        ours = Subject(
            f"stats-cached@{spec.name}",
            "tools/stats --stability",
            self.cmd(_python(_tool("stats"), *STATS_CACHED_ARGS), clone),
        )
        floor = self._history_floor(corpus)
        return Operation(
            f"whole-history statistics, cached ({_count(spec.commits + 1, 'commit')})",
            ours,
            (Anchor(floor, Target("within", 1), floor.label),),
        )

    # --- all --------------------------------------------------------------------------------

    def operations(self, only: Collection[str] = ()) -> list[Operation]:
        """Every operation, or those named in ``only`` (names from ``OPERATIONS``)."""
        build: dict[str, Callable[[], list[Operation]]] = {
            "validate": lambda: [self.validate_operation()],
            "diff": self.diff_operations,
            "show": self.show_operations,
            "hook": lambda: [self.hook_operation()],
            "log": lambda: [self.log_operation()],
            "log-range": lambda: [self.log_range_operation()],
            "blame": lambda: [self.blame_operation()],
            "migrate": lambda: [self.migrate_operation()],
            "add": lambda: [self.add_operation()],
            "rescan": lambda: [self.rescan_operation()],
            "stats": lambda: [self.stats_operation()],
            "stats-cached": lambda: [self.stats_cached_operation()],
        }
        assert tuple(build) == OPERATIONS
        return [op for name, make in build.items() if not only or name in only for op in make()]

    def points(self, only: Collection[str] = ()) -> list[Point]:
        """Every scaling series, or those named in ``only``."""
        s = self.sizes
        found: list[Point] = []
        if not only or "validate" in only:
            for spec in s.scaling:
                work = _count(spec.scans, "scan")
                found.append(Point("validate", work, spec.scans, self.validate(spec)))
        if not only or "migrate" in only:
            for spec in s.scaling:
                found.append(
                    Point("migrate", _count(spec.scans, "v3 scan"), spec.scans, self.migrate(spec))
                )
        if not only or "diff" in only:
            found.extend(self._diff_points())
        if not only or "log" in only:
            found.extend(self._log_points())
        if not only or "stats" in only:
            for spec in s.scaling:
                work = f"history of {_count(spec.commits + 1, 'commit')}"
                found.append(Point("stats", work, spec.scans, self.stats(spec)))
        return found

    def _diff_points(self) -> list[Point]:
        s = self.sizes
        found: list[Point] = []
        ordinary = len(self._changed(self.corpus(s.main), s.ordinary_diff_commit))
        found.append(
            Point(
                "diff",
                _count(ordinary, "changed scan"),
                s.main.scans,
                self.diff(s.main, s.ordinary_diff_commit),
            )
        )
        for spec in s.scaling:
            big = len(self._changed(self.corpus(spec), spec.commits))
            found.append(
                Point(
                    "diff", _count(big, "changed scan"), spec.scans, self.diff(spec, spec.commits)
                )
            )
        return found

    def _log_points(self) -> list[Point]:
        s = self.sizes
        found: list[Point] = []
        for revisions in s.log_revisions:
            found.append(
                Point(
                    "log",
                    _count(revisions, "revision"),
                    s.log_corpus.scans,
                    self.log(s.log_corpus, revisions),
                )
            )
        for spec in s.scaling:
            if spec != s.log_corpus:
                found.append(
                    Point(
                        "log",
                        _count(s.main_log_revisions, "revision"),
                        spec.scans,
                        self.log(spec, s.main_log_revisions),
                    )
                )
        return found


Progress = Callable[[str], None]


class Runner:
    """Measures subjects, each once per run however many rows show it."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.figures: dict[str, Figures] = {}

    def measure(self, subjects: list[Subject], repetitions: int) -> None:
        """``repetitions`` timed runs of each subject, after one untimed run of each: the timed
        runs find the files they read in the page cache, as a user's runs do on a machine that
        has read them before, so the figures measure the tools and not the disk."""
        todo = list({s.key: s for s in subjects if s.key not in self.figures}.values())
        runs: dict[str, list[Sample]] = {s.key: [] for s in todo}
        bases: dict[str, list[Sample]] = {s.key: [] for s in todo}
        for subject in todo:
            if subject.prepare is not None:
                subject.prepare()
            warm = run_command(subject.command)
            if subject.base is not None:
                run_command(subject.base)
            self.progress(f"  {subject.label}: {warm.seconds:.2f} s (untimed warm-up)")
        for rep in range(repetitions):
            for subject in todo if rep % 2 == 0 else todo[::-1]:
                if subject.prepare is not None:
                    subject.prepare()
                sample = run_command(subject.command)
                runs[subject.key].append(sample)
                if subject.base is not None:
                    bases[subject.key].append(run_command(subject.base))
                self.progress(
                    f"  {subject.label}: {sample.seconds:.2f} s "
                    f"(run {rep + 1}/{repetitions}{', sample' if subject.base else ''})"
                )
        for subject in todo:
            if subject.base is None:
                self.figures[subject.key] = figures_of(runs[subject.key])
            else:
                self.figures[subject.key] = linear_estimate(
                    bases[subject.key], runs[subject.key], subject.units, subject.full_units
                )


@contextmanager
def scratch_space(cache: Path) -> Iterator[Path]:
    """A temporary directory beside the corpora (hard links need the same file system)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".run-", dir=cache))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
