"""Per-class comparison of two label maps from one confusion matrix.

:func:`compare_classes` counts every (reference label, candidate label) pair
in one blocked pass (a single ``np.bincount`` of a combined index), applies
the void policy to that joint histogram, and derives every per-class and
averaged statistic from the resulting confusion matrix without touching the
pixels again.

Conventions (also in ``ClassComparison.to_dict()["conventions"]``):

- a class absent from both maps → IoU, Dice, precision and recall are NaN
  (undefined; not 0, not 1) and the class is left out of every mean;
- a class present in one map only → IoU = Dice = 0;
- void pixels of the reference are ignored (``void_policy='reference'``, the
  PASCAL VOC rule) or void pixels of either map are (``'either'``); ignored
  pixels count in no statistic. Under ``'reference'`` a candidate void pixel
  on a non-void reference pixel is a *miss*: FN for the reference class, FP
  for no class, wrong in pixel accuracy (as scikit-learn counts a predicted
  label outside ``labels``);
- means are over classes present in either map, background (0) excluded by
  default: macro (plain mean), micro (pooled counts) and weighted (by
  reference area).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .numbers import safe_ratio
from .void import DEFAULT_VOID, VoidPolicy, check_void_policy

#: Most distinct values (void included) the joint histogram may hold; it
#: grows with the square (4096² int64 counts = 128 MB).
MAX_VALUES = 4096

# Pixels per block: the combined index of a block and bincount's intp copy of
# it stay in L2 cache while numpy's per-call overhead stays small. Measured on
# 4096² int32 maps: 2**18 is ~2× faster than one whole-image bincount.
_BLOCK_PIXELS = 1 << 18

# Labels in [0, 256) are counted raw, without a discovery pass: the raw pair
# index fits uint16 and the 256×256 histogram is compressed afterwards.
_RAW_LIMIT = 256

# Labels spanning fewer than 2**16 values are discovered with a bincount
# instead of a sort.
_BINCOUNT_LIMIT = 1 << 16


@dataclass(frozen=True)
class ClassStats:
    """Overlap statistics of one class, read from the confusion matrix.

    A is the reference's pixels of this class, B the candidate's; void
    pixels the policy ignores are in neither.

    Attributes
    ----------
    label : int
        The class value in the label maps.
    name : str
        ``str(label)`` unless a name was given.
    reference_area, candidate_area : int
        |A| and |B| in pixels. |A| includes reference pixels the candidate
        marked void (``candidate_void``).
    intersection, union : int
        |A∩B| = TP and |A∪B| = TP+FP+FN.
    iou : float
        |A∩B| / |A∪B|; 0.0 if the class is in one map only; NaN if it is in
        neither.
    dice : float
        2|A∩B| / (|A|+|B|) = 2·IoU / (1+IoU); same conventions as ``iou``.
    precision : float
        |A∩B| / |B|; NaN if the candidate has no pixel of the class.
    recall : float
        |A∩B| / |A|; NaN if the reference has no pixel of the class.
    present : bool
        The class has a (non-ignored) pixel in either map.
    candidate_void : int
        Reference pixels of this class the candidate marked void (FN).
    undefined : dict of str to str
        Statistic name → why it is NaN.
    """

    label: int
    name: str
    reference_area: int
    candidate_area: int
    intersection: int
    union: int
    iou: float
    dice: float
    precision: float
    recall: float
    present: bool
    candidate_void: int = 0
    undefined: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dictionary; NaN becomes None (its reason is in ``undefined``)."""
        return {
            "label": self.label,
            "name": self.name,
            "reference_area": self.reference_area,
            "candidate_area": self.candidate_area,
            "intersection": self.intersection,
            "union": self.union,
            "iou": _json_float(self.iou),
            "dice": _json_float(self.dice),
            "precision": _json_float(self.precision),
            "recall": _json_float(self.recall),
            "present": self.present,
            "candidate_void": self.candidate_void,
            "undefined": dict(self.undefined),
        }


@dataclass(frozen=True)
class ClassComparison:
    """Per-class and averaged statistics of two label maps.

    Everything is derived from ``confusion`` (plus ``candidate_void``), so
    the numbers always agree with each other.

    Attributes
    ----------
    classes : tuple of ClassStats
        One per label, in ``labels`` order.
    labels : tuple of int
        Every value found in either map except void — including values seen
        only on ignored pixels — plus any requested ``labels``, ascending.
        The row / column order of ``confusion``.
    confusion : ndarray of int64, shape (K, K)
        ``confusion[i, j]`` = non-ignored pixels whose reference label is
        ``labels[i]`` and candidate label is ``labels[j]``.
    mean_iou, mean_dice : float
        Macro mean: the plain mean over ``averaged_labels``.
    micro_iou, micro_dice : float
        Pooled over ``averaged_labels``: ΣTP / Σ(TP+FP+FN) and
        2ΣTP / Σ(|A|+|B|).
    weighted_iou, weighted_dice : float
        Mean over ``averaged_labels`` weighted by reference area (support);
        classes absent from the reference weigh 0.
    background : int or None
        The background label (None: no class is background).
    include_background : bool
        Whether the background class is in the means.
    void : int or None
        The void label (None: no pixel is ignored).
    void_policy : {'reference', 'either'}
        Ignore pixels where the reference is void, or where either map is.
    ignored_pixels : int
        Pixels left out of every statistic.
    pixel_accuracy : float
        trace(confusion) / non-ignored pixels, over all classes including
        background; candidate void pixels count as wrong.
    undefined : dict of str to str
        Averaged statistic → why it is NaN (per-class reasons are on each
        :class:`ClassStats`).
    candidate_void : ndarray of int64, shape (K,)
        Per reference class, pixels the candidate marked void; all zero
        unless ``void_policy='reference'``.
    averaged_labels : tuple of int
        The classes the means are over: present in either map, background
        excluded unless ``include_background``.
    """

    classes: tuple[ClassStats, ...]
    labels: tuple[int, ...]
    confusion: np.ndarray = field(repr=False)
    mean_iou: float
    mean_dice: float
    micro_iou: float
    micro_dice: float
    weighted_iou: float
    weighted_dice: float
    background: int | None
    include_background: bool
    void: int | None
    void_policy: VoidPolicy
    ignored_pixels: int
    pixel_accuracy: float
    undefined: dict[str, str]
    candidate_void: np.ndarray = field(repr=False)
    averaged_labels: tuple[int, ...]

    @property
    def counted_pixels(self) -> int:
        """Non-ignored pixels (the denominator of ``pixel_accuracy``)."""
        return int(self.confusion.sum() + self.candidate_void.sum())

    def table(self) -> list[dict]:
        """One row per class for CSV or a dataframe; NaN becomes None.

        Columns: the :class:`ClassStats` fields, ``averaged`` (in the means)
        and ``note`` (the reasons for any empty cell).
        """
        averaged = set(self.averaged_labels)
        rows = []
        for c in self.classes:
            row = c.to_dict()
            reasons = row.pop("undefined")
            row["averaged"] = c.label in averaged
            row["note"] = "; ".join(f"{k}: {v}" for k, v in reasons.items())
            rows.append(row)
        return rows

    def to_dict(self) -> dict:
        """JSON-ready dictionary: per-class list, means, confusion, conventions.

        NaN becomes None, with its reason under ``undefined``.
        """
        return {
            "per_class": [c.to_dict() for c in self.classes],
            "labels": list(self.labels),
            "confusion": self.confusion.tolist(),
            "candidate_void": self.candidate_void.tolist(),
            "averaged_labels": list(self.averaged_labels),
            "mean_iou": _json_float(self.mean_iou),
            "mean_dice": _json_float(self.mean_dice),
            "micro_iou": _json_float(self.micro_iou),
            "micro_dice": _json_float(self.micro_dice),
            "weighted_iou": _json_float(self.weighted_iou),
            "weighted_dice": _json_float(self.weighted_dice),
            "pixel_accuracy": _json_float(self.pixel_accuracy),
            "counted_pixels": self.counted_pixels,
            "ignored_pixels": self.ignored_pixels,
            "background": self.background,
            "include_background": self.include_background,
            "void": self.void,
            "void_policy": self.void_policy,
            "undefined": dict(self.undefined),
            "conventions": self.conventions(),
        }

    def conventions(self) -> dict[str, str]:
        """Every choice behind these numbers, in words."""
        if self.background is None:
            background = "no class is background; every class is averaged"
        elif self.include_background:
            background = f"class {self.background} is background, included in the means"
        else:
            background = f"class {self.background} is background, excluded from the means"
        if self.void is None:
            void = "no void label: every pixel is counted"
        elif self.void_policy == "reference":
            void = (
                f"pixels where the reference is {self.void} (void) are ignored (VOC); a "
                "candidate void pixel on a non-void reference pixel is a miss: FN for the "
                "reference class, FP for no class, wrong in pixel accuracy, counted in "
                "candidate_void (scikit-learn's treatment of a label outside `labels`)"
            )
        else:
            void = f"pixels where either map is {self.void} (void) are ignored"
        averaged = "classes present in either map" + (
            "" if self.background is None or self.include_background
            else f" except background {self.background}"
        )
        return {
            "confusion": (
                "rows = reference class, columns = candidate class, in `labels` order, "
                "counted over non-ignored pixels"
            ),
            "labels": (
                "every value in either map except void (also values seen only on ignored "
                "pixels), plus requested labels, ascending"
            ),
            "void": void,
            "ignored_pixels": "counted in no statistic, not even pixel accuracy",
            "background": background,
            "iou": "TP / (TP+FP+FN) = |A∩B| / |A∪B| per class",
            "dice": "2TP / (2TP+FP+FN) = 2|A∩B| / (|A|+|B|) = 2·IoU / (1+IoU)",
            "precision": "TP / |B| (candidate area); undefined if the candidate lacks the class",
            "recall": "TP / |A| (reference area); undefined if the reference lacks the class",
            "absent_class": (
                "a class absent from both maps has undefined IoU, Dice, precision and recall "
                "(null, not 0, not 1) and is left out of every mean"
            ),
            "one_sided_class": "a class present in one map only has IoU = Dice = 0",
            "mean": f"macro: plain mean over {averaged}",
            "micro": f"pooled: ΣTP / Σ(TP+FP+FN) and 2ΣTP / Σ(|A|+|B|) over {averaged}",
            "weighted": (
                f"mean over {averaged}, weighted by reference area (support); classes absent "
                "from the reference weigh 0"
            ),
            "pixel_accuracy": "trace / non-ignored pixels, every class including background",
        }


def compare_classes(
    reference: np.ndarray,
    candidate: np.ndarray,
    *,
    void: int | None = DEFAULT_VOID,
    void_policy: VoidPolicy = "reference",
    background: int | None = 0,
    include_background: bool = False,
    labels: Sequence[int] | None = None,
    names: Mapping[int, str] | None = None,
    volume: bool = False,
) -> ClassComparison:
    """Compare two label maps class by class.

    One blocked pass counts every (reference, candidate) label pair; the void
    policy is applied to those counts and every statistic below is read from
    the resulting K×K confusion matrix (TP = diagonal, FP = column sum − TP,
    FN = row sum − TP).

    Parameters
    ----------
    reference, candidate : ndarray of int or bool, shape (rows, cols)
        Label maps of the same shape: ground truth (A) and prediction (B).
    void : int or None, default 255
        Void / ignore label; None counts every pixel.
    void_policy : {'reference', 'either'}, default 'reference'
        ``'reference'`` ignores pixels where the reference is void (PASCAL
        VOC, torchmetrics, scikit-image); a candidate void pixel on a
        non-void reference pixel is then a miss (FN for the reference class,
        FP for none). ``'either'`` ignores pixels where either map is void
        (symmetric, for annotator agreement).
    background : int or None, default 0
        The background class; None means there is none.
    include_background : bool, default False
        Average the background class too. By default it is excluded, because
        a large background makes every mean look better than the objects are.
    labels : sequence of int, optional
        Classes to report even if absent from both maps (they come out NaN
        and stay out of the means). Classes found in the maps are always
        reported.
    names : mapping of int to str, optional
        Display names; ``str(label)`` for classes not in it.
    volume : bool, default False
        The maps are 3-D label volumes (counted the same way, in blocks of
        2¹⁸ voxels, so the temporaries stay a few MB at any size).

    Returns
    -------
    ClassComparison
        See its attributes for every formula and convention.

    Raises
    ------
    ValueError
        Maps that are not 2-D integer arrays of one shape, an unknown
        ``void_policy``, ``void`` among ``labels`` or equal to
        ``background``, or more than ``MAX_VALUES`` distinct values.

    Examples
    --------
    >>> reference = np.array([[0, 1, 1], [2, 2, 255]])
    >>> candidate = np.array([[0, 1, 2], [2, 255, 1]])
    >>> result = compare_classes(reference, candidate)
    >>> result.labels, result.ignored_pixels
    ((0, 1, 2), 1)
    >>> result.confusion.tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    >>> [(c.label, c.iou, c.dice) for c in result.classes]
    [(0, 1.0, 1.0), (1, 0.5, 0.6666666666666666), (2, 0.3333333333333333, 0.5)]
    >>> round(result.mean_iou, 4), result.pixel_accuracy
    (0.4167, 0.6)
    """
    reference = np.asarray(reference)
    candidate = np.asarray(candidate)
    if reference.shape != candidate.shape or reference.ndim != (3 if volume else 2):
        raise ValueError(
            "compare_classes needs two 2-D label maps of the same shape, not "
            f"{reference.shape} and {candidate.shape}"
        )
    for array in (reference, candidate):
        if not (np.issubdtype(array.dtype, np.integer) or array.dtype == bool):
            raise ValueError(f"label maps must be integer arrays, not {array.dtype}")
    void_policy = check_void_policy(void_policy)
    void = None if void is None else int(void)
    background = None if background is None else int(background)
    requested = [int(v) for v in labels] if labels is not None else []
    if void is not None and void in requested:
        raise ValueError(f"the void label {void} cannot be a requested class")
    if void is not None and background is not None and void == background:
        raise ValueError(f"background and void are both {void}")

    values, joint = _joint_histogram(reference, candidate)
    # Positions in `values`; `v` is void's, if void occurs at all.
    where = {int(x): i for i, x in enumerate(values)}
    v = where.get(void) if void is not None else None
    ignored = 0
    candidate_void_all = np.zeros(len(values), np.int64)
    if v is not None:
        ignored = int(joint[v].sum())
        if void_policy == "either":
            ignored += int(joint[:, v].sum() - joint[v, v])
        else:
            candidate_void_all = joint[:, v].copy()
            candidate_void_all[v] = 0

    class_labels = sorted((set(where) - {void}) | set(requested))
    k = len(class_labels)
    found = [i for i, label in enumerate(class_labels) if label in where]
    source = [where[class_labels[i]] for i in found]
    confusion = np.zeros((k, k), np.int64)
    confusion[np.ix_(found, found)] = joint[np.ix_(source, source)]
    candidate_void = np.zeros(k, np.int64)
    candidate_void[found] = candidate_void_all[source]

    classes = class_stats_of(class_labels, confusion, candidate_void, names)

    excluded = None if include_background else background
    averaged = [c for c in classes if c.present and c.label != excluded]
    undefined: dict[str, str] = {}
    counted = int(confusion.sum() + candidate_void.sum())
    means = _averages(averaged, no_mean_reason(counted, excluded), undefined)
    pixel_accuracy = safe_ratio(
        int(np.trace(confusion)), counted, "pixel_accuracy", "every pixel is void", undefined
    )
    return ClassComparison(
        classes=classes,
        labels=tuple(class_labels),
        confusion=confusion,
        **means,
        background=background,
        include_background=bool(include_background),
        void=void,
        void_policy=void_policy,
        ignored_pixels=ignored,
        pixel_accuracy=pixel_accuracy,
        undefined=undefined,
        candidate_void=candidate_void,
        averaged_labels=tuple(c.label for c in averaged),
    )


def _class_stats(
    label: int, name: str, area_a: int, area_b: int, tp: int, candidate_void: int
) -> ClassStats:
    """One class's statistics from its areas and TP."""
    union = area_a + area_b - tp
    undefined: dict[str, str] = {}
    if union == 0:
        iou = dice = math.nan
        undefined["iou"] = undefined["dice"] = "the class is absent from both maps"
    else:
        iou = tp / union
        dice = 2 * tp / (area_a + area_b)
    precision = safe_ratio(
        tp, area_b, "precision", "the candidate has no pixel of this class", undefined
    )
    recall = safe_ratio(tp, area_a, "recall", "the reference has no pixel of this class", undefined)
    return ClassStats(
        label=label,
        name=name,
        reference_area=area_a,
        candidate_area=area_b,
        intersection=tp,
        union=union,
        iou=iou,
        dice=dice,
        precision=precision,
        recall=recall,
        present=union > 0,
        candidate_void=candidate_void,
        undefined=undefined,
    )


def class_stats_of(
    labels: Sequence[int],
    confusion: np.ndarray,
    candidate_void: np.ndarray,
    names: Mapping[int, str] | None = None,
) -> tuple[ClassStats, ...]:
    """Per-class statistics read from a confusion matrix (one case's or a dataset's sum).

    ``confusion[i, j]``: non-ignored pixels of reference ``labels[i]`` read as
    ``labels[j]``; ``candidate_void[i]``: pixels of ``labels[i]`` the candidate
    marked void (misses under the 'reference' policy).
    """
    tp = np.diagonal(confusion)
    reference_area = confusion.sum(axis=1) + candidate_void
    candidate_area = confusion.sum(axis=0)
    names = names or {}
    return tuple(
        _class_stats(
            label,
            str(names.get(label, label)),
            int(reference_area[i]),
            int(candidate_area[i]),
            int(tp[i]),
            int(candidate_void[i]),
        )
        for i, label in enumerate(labels)
    )


def no_mean_reason(counted: int, excluded: int | None) -> str:
    """Why a mean over classes is undefined: every pixel void, or no class averaged."""
    if counted == 0:
        return "every pixel is void"
    if excluded is not None:
        return f"no class other than background {excluded} is present"
    return "no class is present"


def _averages(averaged: list[ClassStats], none_reason: str, undefined: dict) -> dict:
    """Macro, micro and support-weighted IoU and Dice over the averaged classes."""
    out = {}
    if not averaged:
        for name in (
            "mean_iou", "mean_dice", "micro_iou", "micro_dice", "weighted_iou", "weighted_dice"
        ):
            out[name] = math.nan
            undefined[name] = none_reason
        return out
    n = len(averaged)
    out["mean_iou"] = math.fsum(c.iou for c in averaged) / n
    out["mean_dice"] = math.fsum(c.dice for c in averaged) / n
    tp = sum(c.intersection for c in averaged)
    out["micro_iou"] = tp / sum(c.union for c in averaged)
    out["micro_dice"] = 2 * tp / sum(c.reference_area + c.candidate_area for c in averaged)
    support = sum(c.reference_area for c in averaged)
    reason = "no averaged class is in the reference (weights are reference areas)"
    out["weighted_iou"] = safe_ratio(
        math.fsum(c.reference_area * c.iou for c in averaged), support,
        "weighted_iou", reason, undefined,
    )
    out["weighted_dice"] = safe_ratio(
        math.fsum(c.reference_area * c.dice for c in averaged), support,
        "weighted_dice", reason, undefined,
    )
    return out


def _json_float(x: float) -> float | None:
    return None if math.isnan(x) else x


def _joint_histogram(reference: np.ndarray, candidate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted values found in either map and the V×V int64 counts of (ref, cand) pairs."""
    a = reference.reshape(-1)
    b = candidate.reshape(-1)
    if a.size == 0:
        return np.zeros(0, np.int64), np.zeros((0, 0), np.int64)
    if a.dtype in (np.bool_, np.uint8) and b.dtype in (np.bool_, np.uint8):
        lo, hi = 0, 255  # no need to scan for the range
    else:
        lo = min(int(a.min()), int(b.min()))
        hi = max(int(a.max()), int(b.max()))

    if lo >= 0 and hi < _RAW_LIMIT:
        # Count raw pairs in one pass, then keep the values that occur.
        base = hi + 1
        counts = _pair_counts(a, b, base, _identity, np.uint16).reshape(base, base)
        values = np.flatnonzero(counts.any(axis=1) | counts.any(axis=0))
        return values, counts[np.ix_(values, values)]

    if hi - lo < _BINCOUNT_LIMIT:
        seen = np.zeros(hi - lo + 1, bool)
        for array in (a, b):
            for start in range(0, array.size, _BLOCK_PIXELS):
                block = _shifted(array[start : start + _BLOCK_PIXELS], lo)
                seen |= np.bincount(block, minlength=len(seen)) > 0
        values = np.flatnonzero(seen)
        _check_count(len(values))
        dtype = _index_dtype(len(values))
        lut = np.zeros(len(seen), dtype)
        lut[values] = np.arange(len(values), dtype=dtype)
        values = values + lo

        def mapper(block: np.ndarray) -> np.ndarray:
            return lut.take(_shifted(block, lo))

    else:
        if np.issubdtype(a.dtype, np.unsignedinteger) and hi > np.iinfo(np.int64).max:
            raise ValueError(f"labels must fit in int64, not {hi}")
        values = np.union1d(np.unique(a), np.unique(b)).astype(np.int64)
        _check_count(len(values))
        dtype = _index_dtype(len(values))

        def mapper(block: np.ndarray) -> np.ndarray:
            return np.searchsorted(values, block.astype(np.int64, copy=False)).astype(dtype)

    k = len(values)
    return values, _pair_counts(a, b, k, mapper, dtype).reshape(k, k)


def _pair_counts(a, b, base, mapper, dtype) -> np.ndarray:
    """Flat bincount of ``mapper(a) * base + mapper(b)``, block by block."""
    bins = base * base
    # Large histograms make every per-block bincount allocate `bins` counts;
    # growing the block with them keeps that overhead a small fraction.
    block = max(_BLOCK_PIXELS, 4 * bins)
    buffer = np.empty(min(block, a.size), dtype)
    counts = np.zeros(bins, np.int64)
    for start in range(0, a.size, block):
        stop = min(start + block, a.size)
        index = buffer[: stop - start]
        # Values were checked to lie in range, so the narrowing casts are exact.
        np.copyto(index, mapper(a[start:stop]), casting="unsafe")
        index *= base
        np.add(index, mapper(b[start:stop]), out=index, casting="unsafe")
        counts += np.bincount(index, minlength=bins)
    return counts


def _shifted(block: np.ndarray, lo: int) -> np.ndarray:
    """``block - lo`` as valid bincount / take indices (a no-op when lo is 0)."""
    return block if lo == 0 else block.astype(np.int64) - lo


def _identity(block: np.ndarray) -> np.ndarray:
    return block


def _index_dtype(k: int) -> type:
    """Smallest unsigned dtype that holds every combined index below k²."""
    if k * k <= 1 << 16:
        return np.uint16
    if k * k <= 1 << 32:
        return np.uint32
    return np.uint64


def _check_count(k: int) -> None:
    if k > MAX_VALUES:
        raise ValueError(
            f"the label maps hold {k} distinct values; at most {MAX_VALUES} are supported"
        )
