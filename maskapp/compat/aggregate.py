"""Dataset means the way each library (or the scripts built on it) averages its per-case values.

A library's per-case value is what :mod:`maskapp.compat` reproduces; how a
paper's table averages those values decides what a missed structure costs.
:data:`RULES` says each library's rule in one sentence and
:func:`dataset_mean` applies it to the values of one key, in case-name order.

Examples
--------
>>> nan, inf = float("nan"), float("inf")
>>> dataset_mean("monai", "hd95", [1.0, nan, 3.0]).mean        # NaN dropped
2.0
>>> dataset_mean("medpy", "hd95", [1.0, "raises RuntimeError", 3.0]).n_failed
1
>>> dataset_mean("deepmind", "hd95", [1.0, inf]).mean
inf
>>> dataset_mean("torchmetrics", "hausdorff", [1.0, "raises RuntimeError"]).mean
'raises RuntimeError'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: How each library turns per-case values into a dataset mean, one sentence each.
RULES = {
    "maskapp": (
        "maskapp's summary: the mean of the finite values; ∞ (a structure missing on one "
        "side) and undefined values are left out and counted (n_infinite, n_undefined)."
    ),
    "medpy": (
        "MedPy has no dataset mean: a MedPy-based script takes the plain mean (np.mean) of "
        "the cases that did not raise; a case that raises (an empty mask) is a failed case "
        "left out, and one NaN or ∞ makes the mean NaN or ∞."
    ),
    "monai": (
        "MONAI's do_metric_reduction('mean') drops NaN (a missed prediction's HD95, any "
        "value with an empty reference under ignore_empty) and keeps ∞, so one ∞ makes the "
        "mean ∞."
    ),
    "deepmind": (
        "surface-distance has no dataset mean: the plain mean (np.mean) of the per-case "
        "values, where one ∞ (any empty mask) or NaN makes the mean ∞ or NaN."
    ),
    "metricsreloaded": (
        "ProcessEvaluation (@cb38dfc0) summarises the per-case table with pandas' "
        "describe(), whose mean skips NaN: a pair with one empty mask (distances NaN) is "
        "left out of the distance means."
    ),
    "seg-metrics": (
        "the mean of write_metrics' per-case column (pandas, NaN skipped; seg-metrics gives "
        "none): a missed prediction's HD95 = 0 enters it as a perfect case."
    ),
    "torchmetrics": (
        "the modular metrics' compute(): DiceScore and MeanIoU skip NaN (two empty masks), "
        "HausdorffDistance takes the plain mean (one ∞ makes it ∞), and one case that raises "
        "makes compute() raise."
    ),
}

Value = float | str


@dataclass(frozen=True)
class DatasetMean:
    """One library's dataset mean of one key, and what it left out.

    ``mean`` is a float (NaN and ±inf included) or ``"raises <Name>"`` when
    the library's aggregation raises; ``n`` values entered it, ``n_dropped``
    NaN values were skipped and ``n_failed`` cases raised and were left out.
    """

    library: str
    key: str
    mean: Value
    n: int
    n_dropped: int = 0
    n_failed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN and ±inf as strings (see :func:`maskapp.compat.encode`)."""
        from . import encode

        return {
            "mean": encode(self.mean),
            "n": self.n,
            "n_dropped": self.n_dropped,
            "n_failed": self.n_failed,
        }


def _plain(values: Sequence[float]) -> float:
    """np.mean's value, exactly rounded (order-free): NaN if any is NaN, ∞ if any is ∞."""
    if not values:
        return math.nan
    if any(math.isnan(v) for v in values):
        return math.nan
    if any(math.isinf(v) for v in values):
        return math.fsum(v for v in values if math.isinf(v))  # +∞ (no library gives −∞)
    return math.fsum(values) / len(values)


def dataset_mean(library: str, key: str, values: Sequence[Value]) -> DatasetMean:
    """``library``'s dataset mean of ``key`` over one value per summarised case.

    The rule of each library is :data:`RULES`; the mean itself is computed
    in float64 with exact rounding, so it does not depend on the case order.
    """
    unsupported = [v for v in values if isinstance(v, str) and v.startswith("unsupported")]
    if unsupported:  # not reproduced for these inputs (a volume): no mean to give
        return DatasetMean(library, key, unsupported[0], 0, 0, len(values))
    raised = [v for v in values if isinstance(v, str)]
    numbers = [float(v) for v in values if not isinstance(v, str)]
    if library == "torchmetrics" and key == "hausdorff" and raised:
        return DatasetMean(library, key, raised[0], 0, 0, len(raised))
    drops_nan = library in ("monai", "metricsreloaded", "seg-metrics") or (
        library == "torchmetrics" and key in ("dice", "iou")
    )
    kept = [v for v in numbers if not (drops_nan and math.isnan(v))]
    return DatasetMean(
        library, key, _plain(kept), len(kept), len(numbers) - len(kept), len(raised)
    )


__all__ = ["RULES", "DatasetMean", "dataset_mean"]
