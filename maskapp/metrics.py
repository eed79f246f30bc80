"""Overlap counts from one fused pass, and the statistics derived from them.

:func:`overlap_counts` reads each mask once, in cache-sized row blocks spread
over two threads, and returns every sum the statistics need (areas, TP, row
and column profiles). :func:`overlap_statistics` turns those counts into IoU,
Dice and the rest without touching the pixels again.

Conventions (also in the README's "Conventions" table):

- both masks empty → IoU = Dice = 1.0, flagged ``both_empty``;
- exactly one empty → IoU = Dice = 0.0;
- any other zero denominator → NaN, with the reason in ``undefined``.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .numbers import safe_ratio
from .parallel import threads

# Rows per block: ~1 MB per mask keeps both blocks and the scratch buffer in
# L2 while numpy's per-call overhead stays small. Column sums are accumulated
# in uint8, so a block may not exceed 255 rows.
_BLOCK_BYTES = 1 << 20
_PARALLEL_MIN_PIXELS = 1 << 20
_executor: ThreadPoolExecutor | None = None


@dataclass(frozen=True)
class OverlapCounts:
    """Everything one pass over a (reference, candidate) pair counts.

    ``row_*`` / ``col_*`` are foreground pixels per row / column, from which
    areas, centroids and bounding boxes follow. ``max_*`` are the largest raw
    values seen (1 for 0/1 data), so callers can verify a fast path.

    Volumes (k, j, i) are counted as the image (k·j rows, i columns): ``row_*``
    hold one count per (k, j) line, and ``row_tp`` / ``col_tp`` the TP of each
    line and column, so :meth:`profile` gives areas and TP per slice along
    any axis with no further pass (2-D images leave them None).
    """

    shape: tuple[int, ...]
    tp: int
    row_reference: np.ndarray = field(repr=False)
    row_candidate: np.ndarray = field(repr=False)
    col_reference: np.ndarray = field(repr=False)
    col_candidate: np.ndarray = field(repr=False)
    max_reference: int = 1
    max_candidate: int = 1
    row_tp: np.ndarray | None = field(default=None, repr=False)
    col_tp: np.ndarray | None = field(default=None, repr=False)

    @property
    def reference_area(self) -> int:
        return int(self.row_reference.sum())

    def profile(self, axis: int, which: str) -> np.ndarray:
        """Counts per index along ``axis``: ``which`` is 'reference', 'candidate' or 'tp'.

        >>> c = overlap_counts(np.eye(3, dtype=bool), np.ones((3, 3), bool))
        >>> c.profile(0, "candidate").tolist(), c.profile(1, "reference").tolist()
        ([3, 3, 3], [1, 1, 1])
        """
        if which == "tp" and self.row_tp is None:
            raise ValueError("TP profiles are counted for volumes only")
        rows = {"reference": self.row_reference, "candidate": self.row_candidate}.get(
            which, self.row_tp
        )
        cols = {"reference": self.col_reference, "candidate": self.col_candidate}.get(
            which, self.col_tp
        )
        if axis == len(self.shape) - 1:
            return np.asarray(cols, np.int64)
        if len(self.shape) == 2:
            return np.asarray(rows, np.int64)
        lines = np.asarray(rows, np.int64).reshape(self.shape[0], self.shape[1])
        return lines.sum(axis=1 - axis)

    def union_box(self) -> tuple[slice, ...] | None:
        """:func:`maskapp.overlap.union_box` read from the profiles (no pass over pixels)."""
        if len(self.shape) != 2:
            box = []
            for axis in range(len(self.shape)):
                hits = np.flatnonzero(
                    (self.profile(axis, "reference") > 0) | (self.profile(axis, "candidate") > 0)
                )
                if hits.size == 0:
                    return None
                box.append(slice(int(hits[0]), int(hits[-1]) + 1))
            return tuple(box)
        rows = np.flatnonzero((self.row_reference > 0) | (self.row_candidate > 0))
        if rows.size == 0:
            return None
        cols = np.flatnonzero((self.col_reference > 0) | (self.col_candidate > 0))
        return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)

    @property
    def candidate_area(self) -> int:
        return int(self.row_candidate.sum())


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1))
    return _executor


def overlap_counts(reference: np.ndarray, candidate: np.ndarray) -> OverlapCounts:
    """Count a pair of 0/1 masks in one fused, blocked pass.

    Parameters
    ----------
    reference, candidate : ndarray of bool or uint8, shape (rows, cols)
        Foreground is 1 / True. ``uint8`` inputs are counted as they are; check
        ``max_reference`` / ``max_candidate`` ≤ 1 to know they were 0/1.

    Returns
    -------
    OverlapCounts

    Examples
    --------
    >>> c = overlap_counts(np.eye(3, dtype=bool), np.ones((3, 3), bool))
    >>> c.tp, c.reference_area, c.candidate_area
    (3, 3, 9)
    """
    if reference.shape != candidate.shape or reference.ndim not in (2, 3):
        raise ValueError("overlap_counts needs two 2-D or 3-D arrays of the same shape")
    a = _as_bytes(reference)
    b = _as_bytes(candidate)
    shape = a.shape
    volume = a.ndim == 3
    if volume:  # (k, j, i) counted as k·j lines of i voxels
        a = a.reshape(-1, shape[2])
        b = b.reshape(-1, shape[2])
    rows, cols = a.shape
    block = max(1, min(255, _BLOCK_BYTES // max(cols, 1)))
    row_dtype = np.uint16 if cols < 1 << 16 else np.uint32
    row_a = np.empty(rows, row_dtype)
    row_b = np.empty(rows, row_dtype)
    row_tp = np.empty(rows, row_dtype) if volume else None
    if a.size >= _PARALLEL_MIN_PIXELS and rows >= 2 * block and threads() >= 2:
        half = (rows // 2 // block) * block
        parts = [(0, half), (half, rows)]
        futures = [
            _pool().submit(_count_rows, a, b, lo, hi, block, row_a, row_b, row_tp)
            for lo, hi in parts
        ]
        results = [f.result() for f in futures]
    else:
        results = [_count_rows(a, b, 0, rows, block, row_a, row_b, row_tp)]
    tp = sum(r[0] for r in results)
    col_a = sum(r[1] for r in results)
    col_b = sum(r[2] for r in results)
    return OverlapCounts(
        shape=tuple(int(n) for n in shape),
        tp=int(tp),
        row_reference=row_a,
        row_candidate=row_b,
        col_reference=col_a,
        col_candidate=col_b,
        max_reference=max(r[3] for r in results),
        max_candidate=max(r[4] for r in results),
        row_tp=row_tp,
        col_tp=sum(r[5] for r in results) if volume else None,
    )


def _as_bytes(mask: np.ndarray) -> np.ndarray:
    if mask.dtype not in (np.bool_, np.uint8):
        mask = mask != 0
    mask = np.ascontiguousarray(mask)
    return mask.view(np.uint8)


def _count_rows(a, b, lo, hi, block, row_a, row_b, row_tp=None):
    """One thread's share: rows [lo, hi) in blocks (numpy releases the GIL)."""
    cols = a.shape[1]
    scratch = np.empty((block, cols), np.uint8)
    col_block = np.empty(cols, np.uint8)
    col_a = np.zeros(cols, np.int64)
    col_b = np.zeros(cols, np.int64)
    col_tp = np.zeros(cols, np.int64) if row_tp is not None else None
    tp = 0
    max_a = max_b = 0
    for start in range(lo, hi, block):
        stop = min(start + block, hi)
        ab, bb = a[start:stop], b[start:stop]
        k = stop - start
        # bool inputs too: a bool buffer (Pillow's mode "1", a bool .npy) can hold
        # any byte, which numpy shows as True but sums as 255.
        max_a = max(max_a, int(ab.max()))
        max_b = max(max_b, int(bb.max()))
        np.add.reduce(ab, axis=1, dtype=row_a.dtype, out=row_a[start:stop])
        np.add.reduce(bb, axis=1, dtype=row_b.dtype, out=row_b[start:stop])
        np.add.reduce(ab, axis=0, out=col_block)
        col_a += col_block
        np.add.reduce(bb, axis=0, out=col_block)
        col_b += col_block
        np.bitwise_and(ab, bb, out=scratch[:k])
        tp += np.count_nonzero(scratch[:k])
        if row_tp is not None:  # volumes: TP per line and column, for slice profiles
            np.add.reduce(scratch[:k], axis=1, dtype=row_tp.dtype, out=row_tp[start:stop])
            np.add.reduce(scratch[:k], axis=0, out=col_block)
            col_tp += col_block
    return tp, col_a, col_b, max_a, max_b, col_tp


@dataclass(frozen=True)
class OverlapStatistics:
    """Overlap statistics of a reference (A, ground truth) and a candidate (B).

    Every ratio is a Python float; an undefined one is NaN and its reason is
    in ``undefined``. Areas and counts are pixels.

    Attributes
    ----------
    iou : float
        |A∩B| / |A∪B|; 1.0 if both masks are empty.
    dice : float
        2|A∩B| / (|A|+|B|); 1.0 if both masks are empty.
    precision : float
        |A∩B| / |B|; NaN if the candidate is empty.
    recall : float
        |A∩B| / |A|; NaN if the reference is empty.
    specificity : float
        TN / (TN+FP); NaN if the reference covers the whole image.
    accuracy : float
        (TP+TN) / N.
    balanced_accuracy : float
        (recall + specificity) / 2.
    mcc : float
        Matthews correlation (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)).
    kappa : float
        Cohen's κ = (p_o − p_e) / (1 − p_e).
    volume_similarity : float
        1 − |FN−FP| / (2TP+FP+FN) (Taha & Hanbury).
    relative_area_difference : float
        (|B| − |A|) / |A|, signed: positive when the candidate is larger.
    centroid_reference, centroid_candidate : tuple of float or None
        (row, col) centre of mass — volumes (k, j, i); None for an empty mask.
    centroid_offset : float
        Euclidean distance between the centroids, in pixels × spacing.
    bbox_reference, bbox_candidate : tuple of int or None
        (min_row, min_col, max_row, max_col), half-open as in scikit-image;
        volumes (min_k, min_j, min_i, max_k, max_j, max_i).
    """

    shape: tuple[int, int]
    reference_area: int
    candidate_area: int
    intersection: int
    union: int
    tp: int
    fp: int
    fn: int
    tn: int
    iou: float
    dice: float
    precision: float
    recall: float
    specificity: float
    accuracy: float
    balanced_accuracy: float
    mcc: float
    kappa: float
    volume_similarity: float
    relative_area_difference: float
    centroid_reference: tuple[float, float] | None
    centroid_candidate: tuple[float, float] | None
    centroid_offset: float
    bbox_reference: tuple[int, int, int, int] | None
    bbox_candidate: tuple[int, int, int, int] | None
    both_empty: bool
    reference_empty: bool
    candidate_empty: bool
    undefined: dict[str, str] = field(default_factory=dict)

    @property
    def shape_text(self) -> str:
        return "×".join(str(n) for n in self.shape[::-1])


def _profile_stats(profiles: list[np.ndarray], area: int):
    """Centroid and half-open bbox (mins…, maxs…) from one count profile per axis."""
    if area == 0:
        return None, None
    hits = [np.flatnonzero(p) for p in profiles]
    centroid = tuple(
        float(np.dot(np.arange(len(p), dtype=np.float64), p) / area) for p in profiles
    )
    bbox = tuple(int(h[0]) for h in hits) + tuple(int(h[-1]) + 1 for h in hits)
    return centroid, bbox


def overlap_statistics(
    counts: OverlapCounts,
    *,
    spacing: tuple[float, float] = (1.0, 1.0),
    ignored: int = 0,
) -> OverlapStatistics:
    """Derive every overlap statistic from :class:`OverlapCounts`.

    See :class:`OverlapStatistics` for the formulas and conventions.
    ``ignored`` pixels (void) were set to background in both masks by the
    caller; they are taken out of TN so they count in no statistic.

    Examples
    --------
    >>> a = np.array([[1, 1, 0, 0]], bool); b = np.array([[0, 1, 1, 0]], bool)
    >>> s = overlap_statistics(overlap_counts(a, b))
    >>> round(s.iou, 4), s.dice, s.precision, s.recall
    (0.3333, 0.5, 0.5, 0.5)
    """
    n = math.prod(counts.shape) - ignored
    area_a, area_b, tp = counts.reference_area, counts.candidate_area, counts.tp
    fp, fn = area_b - tp, area_a - tp
    tn = n - tp - fp - fn
    undefined: dict[str, str] = {}
    both_empty = area_a == 0 and area_b == 0
    if both_empty:
        iou = dice = 1.0
    else:
        iou = tp / (tp + fp + fn)
        dice = 2 * tp / (2 * tp + fp + fn)
    precision = safe_ratio(tp, area_b, "precision", "the candidate is empty", undefined)
    recall = safe_ratio(tp, area_a, "recall", "the reference is empty", undefined)
    specificity = safe_ratio(
        tn, tn + fp, "specificity", "the reference covers the whole image", undefined
    )
    accuracy = safe_ratio(tp + tn, n, "accuracy", "every pixel is void", undefined)
    if math.isnan(recall) or math.isnan(specificity):
        balanced = math.nan
        undefined["balanced_accuracy"] = "recall or specificity is undefined"
    else:
        balanced = (recall + specificity) / 2
    mcc_den = math.sqrt(float(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = safe_ratio(
        float(tp * tn - fp * fn),
        mcc_den,
        "mcc",
        "a mask is empty or covers the whole image",
        undefined,
    )
    p_o = (tp + tn) / n if n else math.nan
    p_e = ((tp + fn) * (tp + fp) + (fp + tn) * (fn + tn)) / (n * n) if n else 1.0
    kappa = safe_ratio(
        p_o - p_e,
        1 - p_e,
        "kappa",
        "both masks are the same constant image (chance agreement is 1)",
        undefined,
    )
    volume_similarity = safe_ratio(
        float(2 * tp + fp + fn - abs(fn - fp)),
        2 * tp + fp + fn,
        "volume_similarity",
        "both masks are empty",
        undefined,
    )
    relative = safe_ratio(
        area_b - area_a,
        area_a,
        "relative_area_difference",
        "the reference is empty",
        undefined,
    )
    axes = range(len(counts.shape))
    c_a, bbox_a = _profile_stats([counts.profile(i, "reference") for i in axes], area_a)
    c_b, bbox_b = _profile_stats([counts.profile(i, "candidate") for i in axes], area_b)
    if c_a is None or c_b is None:
        offset = math.nan
        undefined["centroid_offset"] = (
            "both masks are empty"
            if both_empty
            else "the reference is empty"
            if c_a is None
            else "the candidate is empty"
        )
    else:
        offset = math.hypot(*((a - b) * s for a, b, s in zip(c_a, c_b, spacing, strict=True)))
    return OverlapStatistics(
        shape=counts.shape,
        reference_area=area_a,
        candidate_area=area_b,
        intersection=tp,
        union=tp + fp + fn,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        iou=iou,
        dice=dice,
        precision=precision,
        recall=recall,
        specificity=specificity,
        accuracy=accuracy,
        balanced_accuracy=balanced,
        mcc=mcc,
        kappa=kappa,
        volume_similarity=volume_similarity,
        relative_area_difference=relative,
        centroid_reference=c_a,
        centroid_candidate=c_b,
        centroid_offset=offset,
        bbox_reference=bbox_a,
        bbox_candidate=bbox_b,
        both_empty=both_empty,
        reference_empty=area_a == 0,
        candidate_empty=area_b == 0,
        undefined=undefined,
    )
