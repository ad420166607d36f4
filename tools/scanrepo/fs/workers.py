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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

POLL_SECONDS = 0.2
PARALLEL_THRESHOLD = 200  # fewer items than this are not worth starting processes for
CHUNK = 64

Item = TypeVar("Item")
Result = TypeVar("Result")
Context = TypeVar("Context")
Progress = Callable[[int, int], None] | None


def process_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor:
    """A pool whose workers run ``initializer(*initargs)`` first and die with this process."""
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
    """``[function(item, context) for item in items]``, in order, reporting progress.

    With enough items and more than one worker (default: one per core) the items go in chunks
    to worker processes; each builds its own context once, as ``make_context(*context_args)``,
    since what a context holds (compiled schemas, a migration chain) does not pickle.
    ``function`` and ``make_context`` must be module-level functions.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    results: list[Result] = []
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        for item in items:
            results.append(function(item, context))
            if progress:
                progress(len(results), len(items))
        return results
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    with process_pool(workers, _build_context, (make_context, context_args)) as pool:
        for chunk_results in pool.map(partial(_run_chunk, function), chunks):
            results.extend(chunk_results)
            if progress:
                progress(len(results), len(items))
    return results


def streamed_map(
    function: Callable[[Item, Context], Result],
    items: Iterable[Item],
    count: int,
    context: Context,
    make_context: Callable[..., Context],
    context_args: tuple[Any, ...],
    workers: int | None = None,
) -> Iterator[Result]:
    """``chunked_map`` of ``count`` items that come one at a time, each result as soon as its
    chunk is done, in order; only a few chunks are in flight, so the items need not all be in
    memory at once (nor be made before the first results)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or count < PARALLEL_THRESHOLD:
        for item in items:
            yield function(item, context)
        return
    iterator = iter(items)
    with process_pool(workers, _build_context, (make_context, context_args)) as pool:
        pending: deque[Future[list[Result]]] = deque()
        while chunk := list(itertools.islice(iterator, CHUNK)):
            pending.append(pool.submit(_run_chunk, function, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
