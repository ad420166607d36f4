"""The proof that a migration step carries every scan of its version to the next and back, beyond
the fixtures someone wrote (``tools/schema check``).

The inputs of step vN -> vN+1 are scans generated from schema vN (``instances``, the code rules
met by ``format.rules.conform``), every scan in the work tree's ``scans/vN/`` and every distinct
blob in history below ``scans/vN/``; only those valid at vN count, as anything else is no vN
scan. For each input ``x``:

* ``upgrade(x)`` returns, without any exception (a ``MigrationError`` included: a valid scan
  must be carried), leaves ``x`` as it was, gives the same result twice, and that result is a
  valid vN+1 scan as tools/validate judges a file (schema, code rules, paper key);
* ``downgrade(upgrade(x))`` gives ``x`` back exactly, key order included (files are canonical).

And for each scan ``y`` generated from schema vN+1, ``downgrade(y)`` refuses it with a
``MigrationError`` or returns a valid vN scan from which ``upgrade`` gives ``y`` back; it never
raises anything else, never mutates ``y`` and gives the same result twice.

A generated counterexample is shrunk by hypothesis to a minimal scan that breaks the same check.
Where an exception other than ``MigrationError`` is raised, its JSON path is told from the
migration's own variables: the innermost one that is a part of the input (for a ``KeyError``,
the part that lacks the key).

Coverage: each change ``compare_schemas`` finds between the two schemas is *exercised* when a
generated scan, either way, differs from its migration at a path the change's scan path matches
or below it (``$.checklist.*.*.confidence`` matches ``$.checklist.a.b.confidence``), or was
refused by ``downgrade`` at such a path. A change nothing exercised is reported: the generated
scans never reached it, so the step is not proven there. A change's ``condition`` (the branch
of an ``if`` it holds under) is not required to hold in the scan that exercises it, and a
``definition moved`` is nothing a scan can show.

A released version's schema must not change (``schema.frozen``): one that did is reported with
each step it belongs to, and the step is not proven.

The migrations run in this process: they are the checkout's own code, never a pull request's.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import Flaky, NoSuchExample, Unsatisfiable

from scanrepo.errors import JsonSyntaxError, MigrationError, ScanRepoError, UnnamedPaperError
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.jsonpath import JsonPath, format_json_path
from scanrepo.format.rules import conform
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import MAX_BYTES, read_strict
from scanrepo.history.gitlog import changes
from scanrepo.migrate.chain import Step
from scanrepo.problems import Problem
from scanrepo.schema.compare import SchemaChange, compare_schemas
from scanrepo.schema.frozen import FrozenChange, frozen_changes
from scanrepo.schema.instances import instances
from scanrepo.schema.stored import prefix_in, read_schemas
from scanrepo.validate.checks import check_scan, read_scan_file, walk_scans
from scanrepo.vcs.cache_files import cache_directory
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo

Direction = Literal["up", "down"]
EXAMPLES = 100  # generated scans each way, each step
QUICK_EXAMPLES = 25
LISTED = 10  # counterexamples from real scans shown, each step
NOTHING_FOR_SCANS = frozenset({"definition moved"})  # changes no scan can exercise

_WILD = object()  # a ``*`` step of a scan path
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*|\*)|\[(\d+|\*)\]|\['((?:[^'\\]|\\.)*)'\]")


@dataclass(frozen=True)
class Counterexample:
    """An input that breaks one check of one direction of a step, and where."""

    direction: Direction
    check: str  # raised, refused, mutated, unstable, invalid, round trip
    path: str
    message: str
    scan: Any
    source: str  # "generated", or where the real scan was found

    def to_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "check": self.check,
            "path": self.path,
            "message": self.message,
            "source": self.source,
            "scan": self.scan,
        }


@dataclass
class StepResult:
    """What checking one step found."""

    step: Step
    generated: dict[Direction, int] = field(default_factory=lambda: {"up": 0, "down": 0})
    refused: int = 0  # generated vN+1 scans that downgrade refused
    real: int = 0
    real_skipped: int = 0  # real scans below scans/vN/ that are not valid vN scans
    counterexamples: list[Counterexample] = field(default_factory=list)
    changes: list[SchemaChange] = field(default_factory=list)
    unexercised: list[SchemaChange] = field(default_factory=list)
    coverage_judged: bool = True  # False: a search stopped at a counterexample
    frozen: list[FrozenChange] = field(default_factory=list)  # of its two versions' schemas

    @property
    def proven(self) -> bool:
        return (
            not self.counterexamples
            and not self.unexercised
            and not self.frozen
            and self.generated["up"] > 0
            and self.generated["down"] > 0
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.step.from_version,
            "to": self.step.to_version,
            "migration": self.step.file.name,
            "summary": self.step.summary,
            "proven": self.proven,
            "generated": dict(self.generated),
            "refused_by_downgrade": self.refused,
            "real_scans": self.real,
            "real_skipped": self.real_skipped,
            "schema_changes": len(self.changes),
            "coverage_judged": self.coverage_judged,
            "unexercised": [c.as_json() for c in self.unexercised],
            "counterexamples": [c.to_json() for c in self.counterexamples],
            "frozen": [
                {
                    "version": f.version,
                    "released_in": f.released_in,
                    "changes": [c.as_json() for c in f.changes],
                }
                for f in self.frozen
            ],
        }


# --- JSON values compared, paths matched ----------------------------------------------------


def differences(a: Any, b: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Every path where ``a`` and ``b`` differ, in document order: values of different JSON
    types or values (``1`` is not ``true`` nor ``1.0``), members or items on one side only
    (and everything below them), an object whose keys are in another order (its own path)."""
    if type(a) is dict and type(b) is dict:
        if a.keys() == b.keys() and list(a) != list(b):
            yield path
        for key, value in a.items():
            if key in b:
                yield from differences(value, b[key], (*path, key))
            else:
                yield from _everywhere(value, (*path, key))
        for key, value in b.items():
            if key not in a:
                yield from _everywhere(value, (*path, key))
    elif type(a) is list and type(b) is list:
        for i in range(max(len(a), len(b))):
            if i < len(a) and i < len(b):
                yield from differences(a[i], b[i], (*path, i))
            else:
                yield from _everywhere(a[i] if i < len(a) else b[i], (*path, i))
    elif type(a) is not type(b) or a != b:
        yield path
        for side in (a, b):
            if type(side) in (dict, list):
                yield from _below(side, path)


def _everywhere(value: Any, path: JsonPath) -> Iterator[JsonPath]:
    yield path
    yield from _below(value, path)


def _below(value: Any, path: JsonPath) -> Iterator[JsonPath]:
    items = (
        value.items() if type(value) is dict else enumerate(value) if type(value) is list else ()
    )
    for key, sub in items:
        yield from _everywhere(sub, (*path, key))


def first_difference(a: Any, b: Any) -> JsonPath | None:
    return next(differences(a, b), None)


def parse_scan_path(text: str) -> tuple[Any, ...]:
    """The steps of a scan path as ``tools/schema diff`` writes it (``$.checklist.*.*.x``,
    ``$.claims[*].supported``, ``$['odd key']``); ``*`` becomes a wildcard."""
    if not text.startswith("$"):
        raise ScanRepoError(f"not a scan path: {text!r}")
    steps: list[Any] = []
    pos = 1
    while pos < len(text):
        m = _STEP.match(text, pos)
        if m is None:
            raise ScanRepoError(f"not a scan path: {text!r} (at character {pos + 1})")
        name, index, quoted = m.groups()
        if quoted is not None:
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        elif (name or index) == "*":
            steps.append(_WILD)
        else:
            steps.append(name if name is not None else int(index))
        pos = m.end()
    return tuple(steps)


def covers(pattern: tuple[Any, ...], path: JsonPath) -> bool:
    """Whether ``path`` is at or below a place ``pattern`` names."""
    return len(path) >= len(pattern) and all(
        p is _WILD or p == s for p, s in zip(pattern, path, strict=False)
    )


# --- validity ---------------------------------------------------------------------------


def problems(doc: Any, version: int, registry: SchemaRegistry) -> list[Problem]:
    """Why ``doc`` is not a valid scan of ``version`` as tools/validate judges a file of it
    (strict JSON, schema, code rules, paper key), if it is not."""
    name = f"<v{version} scan>"
    try:
        data = canonical_bytes(doc)
    except (TypeError, ValueError) as exc:
        return [Problem(name, None, None, "$", f"not JSON: {exc}")]
    try:
        relpath = keys.scan_path(doc, version).as_posix()
    except UnnamedPaperError as exc:  # said after the schema's problems, which explain more
        found = check_scan(data, name, None, registry).problems
        named = [p for p in found if p.kind != "layout"]  # not "belongs at": it has no place
        return named or [Problem(name, None, None, "$.paper", str(exc), "layout")]
    return check_scan(data, name, relpath, registry).problems


def scans(registry: SchemaRegistry, version: int) -> st.SearchStrategy[dict[str, Any]]:
    """Valid scans of ``version``, generated from its schema."""
    return (
        instances(registry.schema(version))
        .map(conform)
        .filter(lambda doc: not problems(doc, version, registry))
    )


# --- one step ---------------------------------------------------------------------------


def _blame(exc: BaseException, doc: Any) -> JsonPath:
    """The part of ``doc`` the migration was at when it raised ``exc``: the innermost variable
    of the traceback that is one of ``doc``'s objects or arrays, the deepest of its frame (for
    a ``KeyError``, one that lacks the key); the whole document if none is."""
    where: dict[int, JsonPath] = {}
    stack: list[tuple[JsonPath, Any]] = [((), doc)]
    while stack:
        path, node = stack.pop()
        if type(node) in (dict, list):
            where[id(node)] = path
            items = node.items() if type(node) is dict else enumerate(node)
            stack.extend(((*path, k), v) for k, v in items)
    missing = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        held = [
            where[id(value)]
            for value in frame.f_locals.values()
            if id(value) in where
            and (missing is None or (type(value) is dict and missing not in value))
        ]
        if held:
            deepest = max(held, key=len)
            return deepest if missing is None else (*deepest, missing)
    return ()


class StepProof:
    """The checks of one step, input by input, and which schema changes the inputs exercised."""

    def __init__(self, step: Step, registry: SchemaRegistry, changes: list[SchemaChange]) -> None:
        self.step, self.registry = step, registry
        self.pending = {
            i: parse_scan_path(c.scan_path)
            for i, c in enumerate(changes)
            if c.kind not in NOTHING_FOR_SCANS
        }
        self.refused = 0

    def _exercise(self, paths: Iterator[JsonPath]) -> None:
        if not self.pending:
            return
        for path in paths:
            done = [i for i, pattern in self.pending.items() if covers(pattern, path)]
            for i in done:
                del self.pending[i]
            if not self.pending:
                return

    def _run(
        self,
        direction: Direction,
        migration: Callable[[dict[str, Any]], dict[str, Any]],
        doc: dict[str, Any],
        source: str,
    ) -> Any:
        """``migration(doc)``; or the ``MigrationError`` it raised; or a ``Counterexample`` if
        it raised anything else, changed ``doc`` or gives another result the second time."""
        name = "upgrade" if direction == "up" else "downgrade"
        before = copy.deepcopy(doc)

        def found(check: str, path: JsonPath, message: str) -> Counterexample:
            return Counterexample(direction, check, format_json_path(path), message, before, source)

        try:
            result = migration(doc)
        except MigrationError as err:
            return err
        except Exception as exc:  # the migration's bug, reported with the input that shows it
            where = _blame(exc, doc)
            return found("raised", where, f"{name} raised {type(exc).__name__}: {exc}")
        if (changed := first_difference(before, doc)) is not None:
            return found("mutated", changed, f"{name} changed its input here")
        try:
            again = migration(copy.deepcopy(before))
        except Exception as exc:  # the same input must give the same outcome
            message = f"{name} raised {type(exc).__name__} the second time, not the first"
            return found("unstable", (), message)
        if (differs := first_difference(result, again)) is not None:
            return found("unstable", differs, f"{name} gave two results for the same input")
        return result

    def up(self, x: dict[str, Any], source: str = "generated") -> Counterexample | None:
        step, target = self.step, self.step.to_version
        y = self._run("up", step.upgrade, x, source)
        if isinstance(y, Counterexample):
            return y
        if isinstance(y, MigrationError):
            message = f"upgrade refused a valid v{step.from_version} scan: {y.message}"
            return Counterexample("up", "refused", format_json_path(y.path), message, x, source)
        if source == "generated":
            self._exercise(differences(x, y))
        for problem in problems(y, target, self.registry)[:1]:
            message = f"upgrade's result is not a valid v{target} scan: {problem.message}"
            return Counterexample("up", "invalid", problem.path, message, x, source)
        return self._back("up", step.downgrade, y, x, source)

    def down(self, y: dict[str, Any]) -> Counterexample | None:
        step, target = self.step, self.step.from_version
        x = self._run("down", step.downgrade, y, "generated")
        if isinstance(x, Counterexample):
            return x
        if isinstance(x, MigrationError):  # a refusal: this vN+1 scan cannot be carried down
            self.refused += 1
            self._exercise(iter([x.path]))
            return None
        self._exercise(differences(y, x))
        for problem in problems(x, target, self.registry)[:1]:
            message = f"downgrade's result is not a valid v{target} scan: {problem.message}"
            return Counterexample("down", "invalid", problem.path, message, y, "generated")
        return self._back("down", step.upgrade, x, y, "generated")

    def _back(
        self,
        direction: Direction,
        inverse: Callable[[dict[str, Any]], dict[str, Any]],
        migrated: dict[str, Any],
        original: dict[str, Any],
        source: str,
    ) -> Counterexample | None:
        there, back = ("upgrade", "downgrade") if direction == "up" else ("downgrade", "upgrade")
        given = copy.deepcopy(migrated)
        try:
            returned = inverse(given)
        except MigrationError as err:
            return Counterexample(
                direction,
                "round trip",
                format_json_path(err.path),
                f"{back} refused what {there} made of this scan: {err.message}",
                original,
                source,
            )
        except Exception as exc:  # the migration's bug, reported with the input that shows it
            return Counterexample(
                direction,
                "round trip",
                format_json_path(_blame(exc, given)),
                f"{back} raised {type(exc).__name__}: {exc} on what {there} made of this scan",
                original,
                source,
            )
        if (where := first_difference(original, returned)) is not None:
            return Counterexample(
                direction,
                "round trip",
                format_json_path(where),
                f"{back}({there}(scan)) is not the scan: it differs here",
                original,
                source,
            )
        return None


def _search(
    strategy: st.SearchStrategy[dict[str, Any]],
    judge: Callable[[dict[str, Any]], Counterexample | None],
    examples: int,
    seed: str,
) -> tuple[Counterexample | None, int]:
    """The minimal input ``judge`` finds at fault among ``examples`` drawn, shrunk so that it
    breaks the same check as the first one found; and how many inputs passed before it."""
    passed = 0
    first: list[Counterexample] = []  # the first found, then the last that breaks its check

    def fails(doc: dict[str, Any]) -> bool:
        nonlocal passed
        found = judge(copy.deepcopy(doc))  # a migration that mutates it must not change ``doc``
        if found is None:
            passed += not first
            return False
        if first and found.check != first[0].check:
            return False
        first[:] = [found]
        return True

    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    try:
        minimal = find(strategy, fails, settings=config, random=Random(seed))
    except (NoSuchExample, Unsatisfiable):
        return None, passed
    except Flaky:  # the same scan judged twice, two verdicts: shrinking cannot go on
        note = " (not shrunk: the step gave another verdict for the same scan another time)"
        return replace(first[0], message=first[0].message + note), passed
    return judge(minimal), passed


def check_step(
    step: Step,
    registry: SchemaRegistry,
    root: Path | None,
    examples: int,
    seed: int,
    frozen: Sequence[FrozenChange] = (),
) -> StepResult:
    """Every check of one step over generated and real scans, with the schema changes it
    exercised; ``frozen``: released schemas changed since (``frozen_since_release``)."""
    old, new = step.from_version, step.to_version
    found = compare_schemas(registry.schema(old), registry.schema(new))
    result = StepResult(step, changes=list(found))
    result.frozen = [f for f in frozen if f.version in (old, new)]
    proof = StepProof(step, registry, result.changes)
    ways: tuple[tuple[Direction, int, Callable[[dict[str, Any]], Counterexample | None]], ...]
    ways = (("up", old, proof.up), ("down", new, proof.down))
    for direction, version, judge in ways:
        counterexample, passed = _search(
            scans(registry, version), judge, examples, f"{seed}:v{old}:{direction}"
        )
        result.generated[direction] = passed + (counterexample is not None)
        if counterexample is not None:
            result.counterexamples.append(counterexample)
            result.coverage_judged = False
    result.refused = proof.refused
    if root is not None:
        for source, data in real_scans(root, old):
            try:
                doc, _ = read_strict(data)
            except JsonSyntaxError:
                result.real_skipped += 1
                continue
            if problems(doc, old, registry):
                result.real_skipped += 1
                continue
            result.real += 1
            if (counterexample := proof.up(doc, source)) is not None:
                result.counterexamples.append(counterexample)
    if result.coverage_judged:
        result.unexercised = [result.changes[i] for i in sorted(proof.pending)]
    return result


def frozen_since_release(root: Path, schema_dir: Path) -> list[FrozenChange]:
    """The released versions whose schema changed since their release (``schema.frozen``),
    where the schemas are kept in the git repository around ``root``; none where they are not
    (the package's own were released elsewhere)."""
    try:
        repo = GitRepo(root)
    except ScanRepoError:
        return []
    with repo:
        try:
            prefix = prefix_in(repo, schema_dir)
        except ScanRepoError:
            return []
        return frozen_changes(repo, read_schemas(schema_dir), prefix)


@contextlib.contextmanager
def hypothesis_home(root: Path) -> Iterator[None]:
    """hypothesis's own files (its tables of Unicode) kept with the tools' caches in the git
    directory of the repository around ``root``, or for this run only outside one: never in
    the work tree, where hypothesis would put them."""
    try:
        with GitRepo(root) as repo:
            cache: Path | None = cache_directory(repo) / "hypothesis"
    except ScanRepoError:
        cache = None
    try:
        with contextlib.ExitStack() as stack:
            if cache is None:
                cache = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            set_hypothesis_home_dir(cache)
            yield
    finally:
        set_hypothesis_home_dir(None)


def real_scans(root: Path, version: int) -> Iterator[tuple[str, bytes]]:
    """(where, content) of every distinct scan file below ``scans/v<version>/``: in the work
    tree, then every blob a commit reachable from HEAD wrote there (named by the newest such
    commit)."""
    prefix = f"{keys.SCANS_DIR}/v{version}/"
    seen: set[str] = set()
    for relpath, path in walk_scans(root):
        if relpath.startswith(prefix):
            data = read_scan_file(path, relpath)
            if isinstance(data, bytes) and _new(data, seen):
                yield relpath, data
    try:
        repo = GitRepo(root)
    except ScanRepoError:
        return
    with repo:
        if not repo.has_commits():
            return
        where: dict[str, str] = {}
        for info, found in changes(repo, "HEAD", [prefix]):
            for change in found:  # each blob once, where a commit wrote it
                copied = change.new
                if (
                    copied is not None
                    and copied.blob is not None
                    and copied.mode not in (SYMLINK_MODE, GITLINK_MODE)
                ):
                    where.setdefault(copied.blob, f"{copied.path} at {info.sha[:12]}")
        sizes = repo.blob_sizes(where)
        wanted = [blob for blob in where if sizes[blob] <= MAX_BYTES]
        for blob, data in repo.read_blobs(wanted):
            if _new(data, seen):
                yield where[blob], data


def _new(data: bytes, seen: set[str]) -> bool:
    digest = hashlib.sha256(data).hexdigest()
    if digest in seen:
        return False
    seen.add(digest)
    return True
