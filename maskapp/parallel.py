"""How many threads one ``compare`` may use: the one home of that choice.

A single comparison spreads its overlap pass over two threads and queries its
KD-trees on every core, which is what one pair in the app or the CLI wants.
Inside a pool of worker processes (``maskapp.batch``) each worker must use one
thread, or two workers on two cores run four busy threads and lose to one.
Worker initialisers call :func:`set_threads`; ``MASKAPP_THREADS`` sets it for
a whole process from outside.
"""

from __future__ import annotations

import os

_threads: int | None = None


def set_threads(count: int | None) -> None:
    """Limit every later comparison in this process to ``count`` threads.

    Parameters
    ----------
    count : int or None
        At least 1; None restores the default (``MASKAPP_THREADS``, else all cores).
    """
    global _threads
    if count is not None and (isinstance(count, bool) or int(count) != count or count < 1):
        raise ValueError(f"threads must be a whole number ≥ 1 or None, got {count!r}")
    _threads = None if count is None else int(count)


def threads() -> int:
    """The number of threads a comparison may use now (≥ 1).

    Examples
    --------
    >>> set_threads(1); threads()
    1
    >>> set_threads(None)
    """
    if _threads is not None:
        return _threads
    try:
        from_env = int(os.environ.get("MASKAPP_THREADS", "0"))
    except ValueError:
        from_env = 0
    if from_env >= 1:
        return from_env
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
