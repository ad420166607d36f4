"""Pools of worker processes that end with the run that started them.

A worker forked by ``ProcessPoolExecutor`` waits on a pipe whose writing end it holds itself,
so when its parent is killed it never sees the end of input and lives on, idle, for good. Each
worker here watches its parent and exits as soon as the parent is gone.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

POLL_SECONDS = 0.2


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
