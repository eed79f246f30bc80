"""Set operations on two binary masks: intersection, union, differences, confusion map.

Each function accepts :class:`~maskapp.masks.Mask` objects or array-likes
(interpreted with the binary rules of :func:`maskapp.masks.interpret`) and
returns a ``bool`` array, except :func:`confusion_map`, which returns codes.
"""

from __future__ import annotations

import numpy as np

from .masks import as_mask, check_same_shape

#: Codes of :func:`confusion_map`, ordered so that a block maximum keeps errors:
#: when a display pixel covers several mask pixels, FN > FP > TP > TN wins.
TN, TP, FP, FN = 0, 1, 2, 3
CONFUSION_NAMES = {TN: "TN", TP: "TP", FP: "FP", FN: "FN"}


def _pair(mask_a, mask_b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _bool_volume(mask_a), _bool_volume(mask_b)
    a = as_mask(mask_a).array if a is None else a
    b = as_mask(mask_b).array if b is None else b
    check_same_shape(a, b)
    return a, b


def _bool_volume(mask) -> np.ndarray | None:
    """A 3-D bool array (a volume's foreground) as it is; None for anything else."""
    if isinstance(mask, np.ndarray) and mask.ndim == 3 and mask.dtype == bool:
        return mask
    return None


def union_box(reference: np.ndarray, candidate: np.ndarray) -> tuple[slice, slice] | None:
    """Bounding box (row slice, column slice) of the union of two bool masks.

    Statistics that only care about foreground (boundaries, objects) work
    inside it: outside the box both masks are background, as outside the image.

    Examples
    --------
    >>> a = np.zeros((4, 5), bool); a[1, 1] = True
    >>> b = np.zeros((4, 5), bool); b[2, 3] = True
    >>> union_box(a, b)
    (slice(1, 3, None), slice(1, 4, None))
    >>> union_box(a & False, b & False) is None
    True
    """
    if reference.ndim != 2:  # volumes: the extent along each axis
        box = []
        for axis in range(reference.ndim):
            rest = tuple(i for i in range(reference.ndim) if i != axis)
            hits = np.flatnonzero(reference.any(axis=rest) | candidate.any(axis=rest))
            if hits.size == 0:
                return None
            box.append(slice(int(hits[0]), int(hits[-1]) + 1))
        return tuple(box)
    rows = np.flatnonzero(reference.any(axis=1) | candidate.any(axis=1))
    if rows.size == 0:
        return None
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(reference[r0:r1].any(axis=0) | candidate[r0:r1].any(axis=0))
    return slice(r0, r1), slice(int(cols[0]), int(cols[-1]) + 1)


def intersection(mask_a, mask_b) -> np.ndarray:
    """Pixels set in both masks, A ∩ B.

    Examples
    --------
    >>> mask1 = [[1, 0, 1], [0, 1, 0], [1, 1, 0]]
    >>> mask2 = [[1, 1, 1], [0, 1, 0], [1, 0, 0]]
    >>> intersection(mask1, mask2).astype(int).tolist()
    [[1, 0, 1], [0, 1, 0], [1, 0, 0]]
    """
    a, b = _pair(mask_a, mask_b)
    return np.logical_and(a, b)


def union(mask_a, mask_b) -> np.ndarray:
    """Pixels set in either mask, A ∪ B."""
    a, b = _pair(mask_a, mask_b)
    return np.logical_or(a, b)


def symmetric_difference(mask_a, mask_b) -> np.ndarray:
    """Pixels set in exactly one mask, A △ B (every disagreement)."""
    a, b = _pair(mask_a, mask_b)
    return np.logical_xor(a, b)


def reference_only(reference, candidate) -> np.ndarray:
    """Pixels of the reference the candidate missed, A ∖ B (false negatives)."""
    a, b = _pair(reference, candidate)
    return a & ~b


def candidate_only(reference, candidate) -> np.ndarray:
    """Pixels the candidate added outside the reference, B ∖ A (false positives)."""
    a, b = _pair(reference, candidate)
    return b & ~a


def confusion_map(reference, candidate) -> np.ndarray:
    """Per-pixel agreement codes: 0 TN, 1 TP, 2 FP, 3 FN (``uint8``).

    TP = in both, FP = candidate only, FN = reference only, TN = in neither.

    Examples
    --------
    >>> confusion_map([[1, 1, 0, 0]], [[1, 0, 1, 0]]).tolist()
    [[1, 3, 2, 0]]
    """
    a, b = _pair(reference, candidate)
    # code = 2·b + a maps (a, b) → TN 0, FN 1, FP 2, TP 3; the lookup reorders.
    code = b.view(np.uint8) << 1
    code |= a.view(np.uint8)
    return np.array([TN, FN, FP, TP], dtype=np.uint8)[code]


def masks_from_confusion(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (reference, candidate) bool masks a confusion map was made from.

    Examples
    --------
    >>> codes = confusion_map([[1, 1, 0]], [[1, 0, 1]])
    >>> [m.astype(int).tolist() for m in masks_from_confusion(codes)]
    [[[1, 1, 0]], [[1, 0, 1]]]
    """
    codes = np.asarray(confusion)
    return (codes == TP) | (codes == FN), (codes == TP) | (codes == FP)
