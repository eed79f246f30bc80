"""Process resources of a comparison: threads, and how freed arrays are kept.

How many threads one ``compare`` may use has its one home here.

A single comparison spreads its overlap pass over two threads and queries its
KD-trees on every core, which is what one pair in the app or the CLI wants.
Inside a pool of worker processes (``maskapp.batch``) each worker must use one
thread, or two workers on two cores run four busy threads and lose to one.
Worker initialisers call :func:`set_threads`; ``MASKAPP_THREADS`` sets it for
a whole process from outside.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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


#: glibc's mallopt parameters.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def set_mmap_threshold(size: int) -> bool:
    """Serve allocations of ``size`` bytes and more from their own mappings (glibc).

    A mask-sized array above the threshold is unmapped when freed; below it, it
    comes from the heap, which keeps freed memory for the next array. Setting it
    turns off glibc's moving threshold. The app sets 128 kB (a server's memory
    must go back to the OS); batch workers set 32 MB (glibc's largest), because Dask's nannies
    start workers with ``MALLOC_TRIM_THRESHOLD_`` set, which pins the
    threshold at 128 kB and makes every 1-MP array a fresh mapping to fault
    in: a 1,000-pair run took 11 s instead of 7.4 s. Returns False off glibc.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, int(size)))
        if ok and size > 128 * 1024:
            # Keep the heap's freed top for the next case instead of trimming it.
            libc.mallopt(_M_TRIM_THRESHOLD, int(4 * size))
        return ok
    except (OSError, AttributeError):
        return False
