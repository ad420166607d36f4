"""Pools of worker processes that end with the run that started them, and the one chunked
parallel map the tools run their per-file work through.

A worker forked by ``ProcessPoolExecutor`` waits on a pipe whose writing end it holds itself,
so when its parent is killed it never sees the end of input and lives on, idle, for good. Each
worker here watches its parent and exits as soon as the parent is gone.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # imported when a pool starts (20 ms): a small run, or tools/diff, starts none
    from concurrent.futures import Future, ProcessPoolExecutor

POLL_SECONDS = 0.2
PARALLEL_THRESHOLD = 200  # fewer items than this are not worth starting processes for
CHUNK = 64
IN_FLIGHT = 4  # chunks queued per worker: enough to keep it busy, few enough to hold little

Item = TypeVar("Item")
Result = TypeVar("Result")
Context = TypeVar("Context")
Progress = Callable[[int, int], None] | None


def process_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor:
    """A pool whose workers run ``initializer(*initargs)`` first and die with this process."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        workers, initializer=_start_worker, initargs=(os.getpid(), initializer, initargs)
    )


def _start_worker(parent: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    initializer(*initargs)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


_context: Any = None  # in a worker: what its ``make_context`` built


def _build_context(make_context: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _context
    _context = make_context(*args)


def _run_chunk(function: Callable[[Any, Any], Result], chunk: Sequence[Any]) -> list[Result]:
    return [function(item, _context) for item in chunk]


def chunked_map(
    function: Callable[[Item, Context], Result],
    items: Sequence[Item],
    context: Context,
    make_context: Callable[..., Context],
    context_args: tuple[Any, ...],
    workers: int | None = None,
    progress: Progress = None,
) -> list[Result]:
    """``[function(item, context) for item in items]``: ``chunked_imap`` as a list."""
    return list(
        chunked_imap(function, items, context, make_context, context_args, workers, progress)
    )


def chunked_imap(
    function: Callable[[Item, Context], Result],
    items: Iterable[Item],
    context: Context,
    make_context: Callable[..., Context],
    context_args: tuple[Any, ...],
    workers: int | None = None,
    progress: Progress = None,
) -> Iterator[Result]:
    """``function(item, context)`` for each item, in order, reporting progress.

    With enough items and more than one worker (default: one per core) the items go in chunks
    to worker processes; each builds its own context once, as ``make_context(*context_args)``,
    since what a context holds (compiled schemas, a migration chain) does not pickle.
    ``function`` and ``make_context`` must be module-level functions. Items are taken from
    ``items`` only as workers become free and results are yielded as they come, so a stream
    of any length goes through in bounded memory. Progress counts against ``len(items)``, or
    against the items taken so far when ``items`` has no length.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    source = iter(items)
    head = list(itertools.islice(source, PARALLEL_THRESHOLD))
    total = len(items) if isinstance(items, Sized) else None
    done = 0
    if workers <= 1 or len(head) < PARALLEL_THRESHOLD:
        for item in itertools.chain(head, source):
            yield function(item, context)
            done += 1
            if progress:
                progress(done, total or done)
        return
    taken = 0

    def results_of(future: Future[list[Result]]) -> Iterator[Result]:
        nonlocal done
        for result in future.result():
            done += 1
            if progress:
                progress(done, total or taken)
            yield result

    with process_pool(workers, _build_context, (make_context, context_args)) as pool:
        pending: deque[Future[list[Result]]] = deque()
        for chunk in _chunks(itertools.chain(head, source)):
            pending.append(pool.submit(_run_chunk, function, chunk))
            taken += len(chunk)
            if len(pending) >= workers * IN_FLIGHT:
                yield from results_of(pending.popleft())
        while pending:
            yield from results_of(pending.popleft())


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    while chunk := list(itertools.islice(items, CHUNK)):
        yield chunk
