"""Safe ratios and JSON-ready numbers: the one home of "undefined" arithmetic.

Every statistic family divides counts and must say *why* a ratio has no value
(torchmetrics keeps its ``_safe_divide`` in one place for the same reason), and
every JSON writer must turn NaN and ±inf into ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def safe_ratio(num: float, den: float, name: str, reason: str, undefined: dict[str, str]) -> float:
    """``num / den``, or NaN with ``undefined[name] = reason`` when ``den`` is 0.

    Examples
    --------
    >>> why = {}
    >>> safe_ratio(1, 4, "iou", "no pixels", why), safe_ratio(0, 0, "dice", "both empty", why)
    (0.25, nan)
    >>> why
    {'dice': 'both empty'}
    """
    if den == 0:
        undefined[name] = reason
        return math.nan
    return num / den


def finite_or_none(value: float) -> float | None:
    """The value if it is finite, else None (how JSON says "no number").

    >>> finite_or_none(2.5), finite_or_none(float("inf")), finite_or_none(float("nan"))
    (2.5, None, None)
    """
    return value if math.isfinite(value) else None


def json_ready(obj: Any) -> Any:
    """Recursively turn numpy values into Python ones, tuples into lists and NaN/inf into None.

    >>> json_ready({"a": (np.float32(0.5), float("nan")), 1: np.arange(2)})
    {'a': [0.5, None], '1': [0, 1]}
    """
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_ready(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return finite_or_none(obj)
    return obj
