"""The chunked parallel map over a stream: results in order, from worker processes, while
items still come."""

from __future__ import annotations

import os
from collections.abc import Iterator

from scanrepo.fs.workers import CHUNK, PARALLEL_THRESHOLD, chunked_imap


def _times(item: int, context: int) -> tuple[int, int]:
    return item * context, os.getpid()


def _context(factor: int) -> int:
    return factor


def test_results_come_in_order_from_workers_before_every_item_is_made() -> None:
    made: list[int] = []
    count = PARALLEL_THRESHOLD + 10 * CHUNK

    def items() -> Iterator[int]:
        for n in range(count):
            made.append(n)
            yield n

    results = chunked_imap(_times, items(), 3, _context, (3,), workers=2)
    first = next(results)
    assert first[0] == 0 and first[1] != os.getpid()  # a worker computed it
    assert len(made) < count  # items were still to come when the first result arrived
    rest = list(results)
    assert [value for value, _ in [first, *rest]] == [3 * n for n in range(count)]


def test_few_items_or_one_worker_run_here() -> None:
    assert list(chunked_imap(_times, iter([1, 2]), 5, _context, (5,), workers=2)) == [
        (5, os.getpid()),
        (10, os.getpid()),
    ]
    assert list(chunked_imap(_times, range(300), 1, _context, (1,), workers=1))[-1] == (
        299,
        os.getpid(),
    )
