"""Dataset statistics of per-case metrics: summaries, pooled overlap, pooled classes.

Three ideas, each computed from values the evaluation already has:

- :func:`summarize` — one metric over the cases: counts of undefined and
  infinite values, mean and sample standard deviation of the finite values,
  median, quartiles and range of every defined value (∞ included), and a
  seeded percentile-bootstrap confidence interval of the mean;
- :func:`pooled_overlap` — micro IoU, Dice, precision and recall from the
  TP / FP / FN summed over the cases;
- :class:`ClassAccumulator` — the per-case confusion matrices summed over label
  sets that differ from case to case, read as the dataset per-class IoU (the
  PASCAL VOC / Cityscapes figure) beside the mean of the per-case IoUs.

Nothing here depends on the order in which cases finished or on how many
workers computed them: the caller passes values in case-name order and every
random draw comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..classes import _averages, class_stats_of, no_mean_reason
from ..numbers import json_ready, safe_ratio

if TYPE_CHECKING:
    from ..classes import ClassComparison

#: Metrics for which a larger value is better (overlaps); any ``class_iou.<label>``
#: and ``class_dice.<label>`` is too.
HIGHER_IS_BETTER: frozenset[str] = frozenset(
    {
        "iou",
        "dice",
        "precision",
        "recall",
        "surface_dice",
        "boundary_iou",
        "objects.f1",
        "objects.pq",
        "mean_iou",
        "mean_dice",
    }
)

#: Metrics for which a smaller value is better (boundary distances).
LOWER_IS_BETTER: frozenset[str] = frozenset({"hausdorff", "hd95", "assd", "masd"})

_HIGHER_PREFIXES = ("class_iou.", "class_dice.")

# Bootstrap indices drawn per chunk: 2**21 int64 indices and the values they
# gather are 32 MB together, whatever the number of cases. numpy's generator
# gives the same stream however the draws are chunked, so this constant does
# not change any result.
_CHUNK_ELEMENTS = 1 << 21

#: The summary fields that can be +∞ (medians and quartiles include ∞; the mean does not).
_ORDER_FIELDS = ("median", "q1", "q3", "min", "max")


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of ``metric`` is better (overlaps) or worse (distances).

    Raises
    ------
    ValueError
        A metric with no known direction (a count such as ``tp``, or a typo).

    Examples
    --------
    >>> higher_is_better("dice"), higher_is_better("class_iou.3"), higher_is_better("hd95")
    (True, True, False)
    """
    if metric in HIGHER_IS_BETTER or metric.startswith(_HIGHER_PREFIXES):
        return True
    if metric in LOWER_IS_BETTER:
        return False
    raise ValueError(f"the metric {metric!r} has no known direction (better when higher or lower)")


@dataclass(frozen=True)
class MetricSummary:
    """One metric summarised over the evaluated cases.

    Attributes
    ----------
    metric : str
        The row key (``"iou"``, ``"hd95"``, ``"class_iou.3"`` …).
    n : int
        Evaluated cases: one value each, defined or not.
    n_defined : int
        Cases whose value is a number (finite or +∞); ``n - n_defined`` are
        undefined (None or NaN, e.g. HD95 when both masks are empty). They are
        counted here, never dropped silently.
    n_infinite : int
        Cases whose value is +∞ (a distance to a structure that is missing).
    n_failed : int
        Cases that could not be evaluated at all (not in ``n``).
    mean : float or None
        Mean of the finite values; None when there is none.
    std : float or None
        Sample standard deviation (ddof = 1) of the finite values; None for
        fewer than 2.
    median, q1, q3 : float or None
        50th, 25th and 75th percentiles of every defined value *including* +∞,
        with numpy's default linear interpolation; +∞ when the interpolation
        reaches an infinite value with a non-zero weight. None when no value
        is defined.
    min, max : float or None
        Smallest and largest defined value (``max`` is +∞ when any value is).
    ci95 : (float, float) or None
        Percentile-bootstrap confidence interval of ``mean`` at ``confidence``
        (resampling the finite values); None for fewer than 2 finite values.
    confidence : float
        The interval's confidence level (0.95 unless asked otherwise).
    undefined : dict of str to str
        Field → why it is None.
    """

    metric: str
    n: int
    n_defined: int
    n_infinite: int
    n_failed: int
    mean: float | None
    std: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    ci95: tuple[float, float] | None
    confidence: float = 0.95
    undefined: dict[str, str] = field(default_factory=dict)

    @property
    def n_finite(self) -> int:
        """Cases with a finite value: what the mean, std and interval are over."""
        return self.n_defined - self.n_infinite

    @property
    def n_undefined(self) -> int:
        """Evaluated cases whose value is undefined (None or NaN)."""
        return self.n - self.n_defined

    def to_dict(self) -> dict:
        """JSON-ready dictionary: no NaN or Infinity literals.

        An infinite ``median``, ``q1``, ``q3``, ``min`` or ``max`` becomes null
        and is named in ``"infinite"``; any other null has its reason in
        ``"undefined"``. ``ci95`` is ``[low, high]``.
        """
        out = {
            "metric": self.metric,
            "n": self.n,
            "n_defined": self.n_defined,
            "n_undefined": self.n_undefined,
            "n_infinite": self.n_infinite,
            "n_finite": self.n_finite,
            "n_failed": self.n_failed,
            "mean": self.mean,
            "std": self.std,
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "min": self.min,
            "max": self.max,
            "ci95": self.ci95,
            "confidence": self.confidence,
            "infinite": [name for name in _ORDER_FIELDS if _is_infinite(getattr(self, name))],
            "undefined": dict(self.undefined),
        }
        return json_ready(out)


def summarize(
    metric: str,
    values: Sequence[float | None],
    *,
    n_failed: int = 0,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> MetricSummary:
    """Summarise one metric over the evaluated cases.

    The mean, the sample standard deviation (ddof = 1) and the bootstrap
    interval are over the *finite* values — an infinite distance has no place
    in a mean — and ``n_infinite`` says how many were left out. The median,
    quartiles, minimum and maximum are over every defined value *including*
    +∞: a missed structure is the worst case and moves them as it should.
    Undefined values (None or NaN) are in no statistic; they are counted as
    ``n - n_defined``.

    The interval is a percentile bootstrap of the mean: ``resamples`` resamples
    of the finite values with replacement, drawn by
    ``numpy.random.default_rng(seed)``, and the ``(1 ± confidence) / 2``
    percentiles of their means (numpy's linear method). It is clipped to the
    range of the values, which every resample mean lies in mathematically.
    The finite values are resampled in ascending order, so no statistic here
    depends on the order of ``values`` (nor on the order cases finished in).

    Parameters
    ----------
    metric : str
        The metric's name, kept in the result.
    values : sequence of float or None
        One value per evaluated case (in case-name order, by convention; the
        result does not depend on it). None or NaN = undefined; +inf = infinite.
    n_failed : int, default 0
        Cases that failed before producing values; reported, not used.
    seed : int, default 0
        Seed of the bootstrap generator.
    resamples : int, default 2000
        Bootstrap resamples.
    confidence : float, default 0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    MetricSummary

    Raises
    ------
    ValueError
        A value of -inf, a negative ``n_failed``, ``resamples`` < 1 or a
        ``confidence`` outside (0, 1).

    Examples
    --------
    >>> s = summarize("hd95", [1.0, 2.0, None, 3.0, float("inf")])
    >>> s.n, s.n_defined, s.n_infinite, s.mean, s.median, s.max
    (5, 4, 1, 2.0, 2.5, inf)
    >>> s.q3, s.to_dict()["infinite"]
    (inf, ['q3', 'max'])
    >>> summarize("iou", [None, None]).undefined["mean"]
    'no case has a defined value (2 undefined)'
    """
    if n_failed < 0:
        raise ValueError(f"n_failed must be 0 or more, not {n_failed}")
    _check_interval_options(resamples, confidence)
    data = _as_floats(values, metric)
    n = data.size
    defined = np.sort(data[~np.isnan(data)])
    infinite = np.isinf(defined)
    finite = defined[~infinite]
    n_infinite = int(infinite.sum())
    undefined: dict[str, str] = {}

    mean = std = None
    ci95 = None
    if finite.size == 0:
        reason = _no_finite_reason(n, defined.size, n_infinite)
        for name in ("mean", "std", "ci95"):
            undefined[name] = reason
    else:
        mean = math.fsum(finite.tolist()) / finite.size
        if finite.size < 2:
            undefined["std"] = undefined["ci95"] = "only one finite value"
        else:
            std = float(np.sqrt(np.sum((finite - mean) ** 2) / (finite.size - 1)))
            ci95 = bootstrap_mean_interval(
                finite, seed=seed, resamples=resamples, confidence=confidence
            )

    order: dict[str, float | None] = dict.fromkeys(_ORDER_FIELDS)
    if defined.size == 0:
        for name in _ORDER_FIELDS:
            undefined[name] = _no_finite_reason(n, 0, 0)
    else:
        order["q1"], order["median"], order["q3"] = _sorted_quantiles(defined, (0.25, 0.5, 0.75))
        order["min"], order["max"] = float(defined[0]), float(defined[-1])
    return MetricSummary(
        metric=metric,
        n=n,
        n_defined=int(defined.size),
        n_infinite=n_infinite,
        n_failed=int(n_failed),
        mean=mean,
        std=std,
        ci95=ci95,
        confidence=float(confidence),
        undefined=undefined,
        **order,
    )


def bootstrap_mean_interval(
    values: Sequence[float] | np.ndarray,
    *,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile-bootstrap confidence interval of the mean of finite ``values``.

    ``resamples`` resamples of ``values`` with replacement come from
    ``numpy.random.default_rng(seed)`` in chunks (so memory stays bounded for
    any number of values, and the chunking does not change the draws); the
    interval is the ``(1 ± confidence) / 2`` percentiles of the resample means
    (numpy's linear method), clipped to the range of ``values``. Resampling
    paired differences makes this the paired bootstrap.

    Returns
    -------
    (float, float) or None
        ``(low, high)``; None for fewer than 2 values.

    Raises
    ------
    ValueError
        A non-finite value, ``resamples`` < 1 or ``confidence`` outside (0, 1).

    Examples
    --------
    >>> bootstrap_mean_interval([2.0, 2.0, 2.0])
    (2.0, 2.0)
    >>> low, high = bootstrap_mean_interval([0.0, 1.0] * 50, seed=1)
    >>> 0.35 < low < 0.5 < high < 0.65
    True
    """
    _check_interval_options(resamples, confidence)
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.isfinite(data).all():
        raise ValueError("bootstrap_mean_interval needs finite values")
    n = data.size
    if n < 2:
        return None
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_ELEMENTS // n)
    means = np.empty(resamples)
    for start in range(0, resamples, rows):
        stop = min(start + rows, resamples)
        index = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = data.take(index).mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.percentile(means, [100.0 * tail, 100.0 * (1.0 - tail)])
    # A mean of resampled values lies in their range; rounding can step out by an ulp.
    lowest, highest = float(data.min()), float(data.max())
    return (min(max(float(low), lowest), highest), min(max(float(high), lowest), highest))


def pooled_overlap(tp: int, fp: int, fn: int) -> dict:
    """Micro (pooled) IoU, Dice, precision and recall from TP, FP and FN summed over cases.

    IoU = ΣTP / (ΣTP + ΣFP + ΣFN), Dice = 2ΣTP / (2ΣTP + ΣFP + ΣFN),
    precision = ΣTP / (ΣTP + ΣFP), recall = ΣTP / (ΣTP + ΣFN). Large cases
    weigh more than in the per-case mean; that is the point of pooling.

    Conventions as for one pair (:func:`maskapp.metrics.overlap_statistics`):
    when every reference and candidate is empty, IoU = Dice = 1 (nothing to
    find, nothing found); precision is undefined when no candidate has a
    foreground pixel and recall when no reference has one.

    Returns
    -------
    dict
        JSON-ready: ``tp``, ``fp``, ``fn``, ``iou``, ``dice``, ``precision``,
        ``recall`` (None when undefined) and ``undefined`` (statistic → why).

    Raises
    ------
    ValueError
        A negative count.

    Examples
    --------
    >>> p = pooled_overlap(6, 2, 2)
    >>> p["iou"], p["dice"], p["precision"], p["recall"]
    (0.6, 0.75, 0.75, 0.75)
    >>> p = pooled_overlap(0, 0, 3)
    >>> p["iou"], p["precision"], p["undefined"]
    (0.0, None, {'precision': 'no candidate has a foreground pixel'})
    """
    tp, fp, fn = int(tp), int(fp), int(fn)
    if min(tp, fp, fn) < 0:
        raise ValueError(f"pooled counts must be 0 or more, not tp={tp}, fp={fp}, fn={fn}")
    undefined: dict[str, str] = {}
    if tp + fp + fn == 0:
        iou = dice = 1.0
    else:
        iou = tp / (tp + fp + fn)
        dice = 2 * tp / (2 * tp + fp + fn)
    precision = safe_ratio(
        tp, tp + fp, "precision", "no candidate has a foreground pixel", undefined
    )
    recall = safe_ratio(tp, tp + fn, "recall", "no reference has a foreground pixel", undefined)
    return json_ready(
        {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "iou": iou,
            "dice": dice,
            "precision": precision,
            "recall": recall,
            "undefined": undefined,
        }
    )


class ClassAccumulator:
    """Streaming sum of per-case confusion matrices whose label sets differ.

    Each case brings its own ascending ``labels`` (those found in its maps,
    void excluded) and the K×K confusion over them, void pixels already left
    out as the single-pair void policy says (``ClassComparison.confusion``).
    The accumulator aligns them on the union of labels and sums them, so the
    dataset per-class IoU is read from one matrix — ΣTP / (ΣTP+ΣFP+ΣFN), the
    PASCAL VOC / Cityscapes figure — with exactly the per-class and averaging
    rules of :func:`maskapp.classes.compare_classes`. Beside it, the mean of
    the per-case IoUs over the cases where the class's IoU is defined.

    Examples
    --------
    >>> accumulator = ClassAccumulator()
    >>> accumulator.add([0, 1], np.array([[5, 1], [0, 2]]), {0: 5 / 6, 1: 2 / 3})
    >>> accumulator.add([0, 2], np.array([[4, 0], [2, 2]]), {0: 4 / 6, 2: 0.5})
    >>> accumulator.labels, accumulator.n_cases
    ((0, 1, 2), 2)
    >>> [(row["label"], row["tp"], row["fp"], row["fn"]) for row in accumulator.table()]
    [(0, 9, 2, 1), (1, 2, 1, 0), (2, 2, 0, 2), (None, 4, 1, 2)]
    >>> accumulator.means()["mean_iou"]  # (2/3 + 2/4) / 2, background 0 excluded
    0.5833333333333333
    """

    def __init__(self) -> None:
        self._labels: tuple[int, ...] = ()
        self._confusion = np.zeros((0, 0), np.int64)
        self._candidate_void = np.zeros(0, np.int64)
        self._case_iou: dict[int, list[float]] = {}
        self._cases = 0

    @property
    def labels(self) -> tuple[int, ...]:
        """Every label any case brought, ascending: the order of ``confusion``."""
        return self._labels

    @property
    def confusion(self) -> np.ndarray:
        """The summed confusion matrix (rows reference, columns candidate), a copy."""
        return self._confusion.copy()

    @property
    def n_cases(self) -> int:
        """Cases added."""
        return self._cases

    def add(
        self,
        labels: Sequence[int],
        confusion: np.ndarray,
        class_iou: Mapping[int, float | None],
        *,
        candidate_void: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        """Add one case.

        Parameters
        ----------
        labels : sequence of int
            The case's labels, the row / column order of ``confusion``
            (``ClassComparison.labels``).
        confusion : ndarray of int, shape (K, K)
            Its confusion over non-ignored pixels (``ClassComparison.confusion``).
        class_iou : mapping of int to float or None
            Its per-class IoU; None or NaN (a class absent from both maps) is
            left out of that class's per-case mean.
        candidate_void : sequence of int, shape (K,), optional
            Per reference class, the pixels the candidate marked void
            (``ClassComparison.candidate_void``): under the ``'reference'``
            void policy they are misses (FN), as for one pair. Omitted = none.

        Raises
        ------
        ValueError
            Repeated labels, a matrix or vector of the wrong shape, negative
            counts, or an IoU for a label not in ``labels``.
        """
        labels = tuple(int(v) for v in labels)
        k = len(labels)
        if len(set(labels)) != k:
            raise ValueError(f"a case's labels must be distinct, not {labels}")
        matrix = np.asarray(confusion)
        if matrix.shape != (k, k):
            raise ValueError(f"{k} labels need a {k}×{k} confusion matrix, not {matrix.shape}")
        misses = np.zeros(k, np.int64) if candidate_void is None else np.asarray(candidate_void)
        if misses.shape != (k,):
            raise ValueError(f"{k} labels need {k} candidate_void counts, not {misses.shape}")
        if (matrix < 0).any() or (misses < 0).any():
            raise ValueError("confusion and candidate_void counts must be 0 or more")
        unknown = set(class_iou) - set(labels)
        if unknown:
            raise ValueError(f"class_iou has labels {sorted(unknown)} that are not in {labels}")

        union = tuple(sorted(set(self._labels) | set(labels)))
        if union != self._labels:
            position = np.searchsorted(union, self._labels)
            grown = np.zeros((len(union), len(union)), np.int64)
            grown[np.ix_(position, position)] = self._confusion
            grown_void = np.zeros(len(union), np.int64)
            grown_void[position] = self._candidate_void
            self._labels, self._confusion, self._candidate_void = union, grown, grown_void
        position = np.searchsorted(self._labels, labels)
        self._confusion[np.ix_(position, position)] += matrix.astype(np.int64)
        self._candidate_void[position] += misses.astype(np.int64)
        for label, iou in class_iou.items():
            if iou is not None and not math.isnan(iou):
                self._case_iou.setdefault(int(label), []).append(float(iou))
        self._cases += 1

    def add_comparison(self, classes: ClassComparison) -> None:
        """Add one case from its :class:`~maskapp.classes.ClassComparison`."""
        self.add(
            classes.labels,
            classes.confusion,
            {c.label: c.iou for c in classes.classes},
            candidate_void=classes.candidate_void,
        )

    def table(
        self,
        *,
        include_background: bool = False,
        background: int | None = 0,
        class_names: Mapping[int, str] | None = None,
    ) -> list[dict]:
        """One row per label, then one row of means; JSON-ready (NaN becomes None).

        Class rows: ``label``, ``name``, ``tp``, ``fp``, ``fn``,
        ``reference_pixels`` (TP+FN, candidate-void misses included),
        ``candidate_pixels`` (TP+FP), ``pooled_iou`` and ``pooled_dice`` (from
        the summed matrix), ``mean_iou`` (mean of the per-case IoUs where
        defined) over ``n_cases`` cases, ``averaged`` (in the means) and
        ``note`` (why a cell is empty).

        The last row has ``label`` None and ``name`` ``"mean"``: its counts are
        summed over the averaged classes, ``pooled_iou`` / ``pooled_dice`` are
        the dataset mean IoU / Dice (the macro mean of the averaged classes'
        pooled figures, :meth:`means`), ``mean_iou`` the mean of their
        ``mean_iou`` column, ``n_cases`` every case added. No rows (an empty
        list) before any label was added.

        Parameters
        ----------
        include_background : bool, default False
            Average the background class too.
        background : int or None, default 0
            The background label; None means there is none.
        class_names : mapping of int to str, optional
            Display names; ``str(label)`` otherwise.
        """
        if not self._labels:
            return []
        names = class_names or {}
        stats = self._class_stats(names)
        averaged = {c.label for c in self._averaged(stats, include_background, background)}
        rows = []
        for c in stats:
            case_iou = self._case_iou.get(c.label, [])
            note = dict(c.undefined)
            note.pop("precision", None)
            note.pop("recall", None)
            if not case_iou:
                note["mean_iou"] = "no case has a defined IoU for this class"
            rows.append(
                {
                    "label": c.label,
                    "name": c.name,
                    "tp": c.intersection,
                    "fp": c.candidate_area - c.intersection,
                    "fn": c.reference_area - c.intersection,
                    "reference_pixels": c.reference_area,
                    "candidate_pixels": c.candidate_area,
                    "pooled_iou": c.iou,
                    "pooled_dice": c.dice,
                    "mean_iou": _mean(case_iou),
                    "n_cases": len(case_iou),
                    "averaged": c.label in averaged,
                    "note": "; ".join(f"{k}: {v}" for k, v in note.items()),
                }
            )
        means = self.means(include_background=include_background, background=background)
        chosen = [row for row in rows if row["averaged"]]
        class_means = [row["mean_iou"] for row in chosen if not math.isnan(row["mean_iou"])]
        rows.append(
            {
                "label": None,
                "name": "mean",
                **{
                    key: sum(row[key] for row in chosen)
                    for key in ("tp", "fp", "fn", "reference_pixels", "candidate_pixels")
                },
                "pooled_iou": means["mean_iou"],
                "pooled_dice": means["mean_dice"],
                "mean_iou": _mean(class_means),
                "n_cases": self._cases,
                "averaged": None,
                "note": _mean_note(len(chosen), include_background, background, means),
            }
        )
        return json_ready(rows)

    def means(self, *, include_background: bool = False, background: int | None = 0) -> dict:
        """The dataset means over the averaged classes, from the summed matrix.

        Averaged classes: present in some case (a pixel in either map), the
        background excluded unless ``include_background`` — the single-pair
        rule. ``mean_iou`` / ``mean_dice`` are the macro means of the pooled
        per-class IoU / Dice (the VOC / Cityscapes mIoU); ``micro_*`` and
        ``weighted_*`` as in :class:`~maskapp.classes.ClassComparison`.

        Returns
        -------
        dict
            JSON-ready: ``mean_iou``, ``mean_dice``, ``micro_iou``,
            ``micro_dice``, ``weighted_iou``, ``weighted_dice``,
            ``averaged_labels``, ``n_cases`` and ``undefined`` (field → why None).
        """
        stats = self._class_stats({})
        averaged = self._averaged(stats, include_background, background)
        excluded = None if include_background else background
        undefined: dict[str, str] = {}
        if self._cases == 0:
            none_reason = "no case was added"
        else:
            counted = int(self._confusion.sum() + self._candidate_void.sum())
            none_reason = no_mean_reason(counted, excluded)
        out = _averages(averaged, none_reason, undefined)
        out.update(
            averaged_labels=[c.label for c in averaged],
            n_cases=self._cases,
            undefined=undefined,
        )
        return json_ready(out)

    def _class_stats(self, names: Mapping[int, str]) -> list:
        """Per-class statistics of the summed matrix, by the single-pair definitions."""
        return list(class_stats_of(self._labels, self._confusion, self._candidate_void, names))

    @staticmethod
    def _averaged(stats: list, include_background: bool, background: int | None) -> list:
        excluded = None if include_background else background
        return [c for c in stats if c.present and c.label != excluded]


def _as_floats(values: Sequence[float | None], metric: str) -> np.ndarray:
    """Values as a float array with None → NaN; -inf is refused."""
    data = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    if np.isneginf(data).any():
        raise ValueError(f"the {metric} values hold -inf; only +inf (infinite) is meaningful")
    return data


def _sorted_quantiles(ordered: np.ndarray, quantiles: Sequence[float]) -> list[float]:
    """numpy's default (linear) percentiles of ascending values that may end in +inf.

    ``np.percentile`` computes ``a + (b - a)·t``, which is NaN when b is inf
    and t is 0 (inf·0) and when a and b are both inf (inf - inf); here a
    weight of 0 takes a, and any infinite neighbour with a non-zero weight
    gives inf. Finite neighbours use numpy's own interpolation formula, so
    finite results equal ``np.percentile``'s.
    """
    n = ordered.size
    out = []
    for q in quantiles:
        # (n - 1)·q is exact for q in {0.25, 0.5, 0.75}, so t == 0 is tested exactly.
        h = (n - 1) * q
        lo = math.floor(h)
        hi = min(lo + 1, n - 1)
        t = h - lo
        a, b = float(ordered[lo]), float(ordered[hi])
        if t == 0:
            out.append(a)
        elif math.isinf(b):
            out.append(math.inf)
        elif t < 0.5:
            out.append(a + (b - a) * t)
        else:
            out.append(b - (b - a) * (1 - t))
    return out


def _no_finite_reason(n: int, n_defined: int, n_infinite: int) -> str:
    if n == 0:
        return "no case was evaluated"
    if n_defined == 0:
        return f"no case has a defined value ({n} undefined)"
    return f"every defined value is infinite ({n_infinite} infinite, {n - n_defined} undefined)"


def _check_interval_options(resamples: int, confidence: float) -> None:
    if int(resamples) != resamples or resamples < 1:
        raise ValueError(f"resamples must be a positive whole number, not {resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence}")


def _is_infinite(value: float | None) -> bool:
    return value is not None and math.isinf(value)


def _mean(values: list[float]) -> float:
    """The exactly rounded mean (independent of order), NaN for no value."""
    return math.fsum(values) / len(values) if values else math.nan


def _mean_note(count: int, include_background: bool, background: int | None, means: dict) -> str:
    if background is None:
        rule = "no class is background"
    elif include_background:
        rule = f"background {background} included"
    else:
        rule = f"background {background} excluded"
    note = (
        f"means over the {count} averaged classes ({rule}); pooled_iou is the dataset mean IoU "
        "from the summed confusion matrix (PASCAL VOC / Cityscapes), mean_iou the mean of the "
        "classes' per-case means"
    )
    if means["undefined"]:
        note += "; " + "; ".join(f"{k}: {v}" for k, v in means["undefined"].items())
    return note
