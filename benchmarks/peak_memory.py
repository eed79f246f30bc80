"""Peak resident memory of one call on Linux: reset the high-water mark, run, read it.

Shared by ``bad_inputs.py`` (the README's bad-input table) and the memory-budget
tests in ``tests/test_fuzz.py``. Elsewhere :func:`reset_peak` returns False and
:class:`PeakMemory` reports None.
"""

from __future__ import annotations


def reset_peak() -> bool:
    """Reset this process's peak RSS (``VmHWM``) to its current RSS; False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def status_mb(key: str) -> float:
    """A ``/proc/self/status`` memory line (``VmRSS``, ``VmHWM``) in MiB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


class PeakMemory:
    """``with PeakMemory() as peak: ...`` sets ``peak.extra_mb``: the peak RSS above the start.

    ``extra_mb`` is None where the peak cannot be reset (not Linux).
    """

    def __init__(self) -> None:
        self.extra_mb: float | None = None
        self._before = 0.0
        self._measured = False

    def __enter__(self) -> PeakMemory:
        self._measured = reset_peak()
        if self._measured:
            self._before = status_mb("VmRSS")
        return self

    def __exit__(self, *exc) -> None:
        if self._measured:
            self.extra_mb = max(0.0, status_mb("VmHWM") - self._before)
