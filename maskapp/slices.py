"""Slices of a volume comparison: the per-slice profile and what a slice viewer shows.

A viewer of a 3-D comparison needs, for a chosen axis, (1) the Dice and areas
of every slice (a strip to click, a worst slice to jump to), (2) one slice's
TP/FP/FN overlay and (3) the slice holding the Hausdorff pair. (1) comes from
the overlap counts with no pass over the voxels (:func:`slice_profile`); (2)
is a view of the pair's confusion map (:func:`slice_of`); (3) is one index of
the pair (:func:`pair_slice`). Per class, :func:`class_slice_profile` counts
one class's two masks (one pass over its box).

Conventions: a slice where both masks are empty has Dice NaN (undefined, null
in JSON) and is never the worst slice; a slice with pixels in one mask only
has Dice 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .metrics import OverlapCounts, overlap_counts
from .numbers import json_ready

#: Plane names of the array axes (k, j, i) of a NIfTI/NRRD volume read by
#: maskapp: for the usual RAS/LPS storage, k runs head–foot (axial slices),
#: j front–back (coronal), i left–right (sagittal).
PLANES = {"axial": 0, "coronal": 1, "sagittal": 2}

#: World direction letter (RAS+ codes) → the plane a slice across that axis shows.
_PLANE_OF = {"S": "axial", "I": "axial", "A": "coronal", "P": "coronal",
             "L": "sagittal", "R": "sagittal"}  # fmt: skip


def axis_directions(orientation: str | None) -> tuple[str, str, str] | None:
    """The world direction (RAS+ letter) each array axis (k, j, i) increases towards.

    ``orientation`` is nibabel's codes of the file axes i, j, k; the array
    axes are in the reverse order. None without an orientation.

    >>> axis_directions("LPS")
    ('S', 'P', 'L')
    """
    if not orientation or len(orientation) != 3:
        return None
    return orientation[2], orientation[1], orientation[0]


def planes(orientation: str | None) -> dict[str, int]:
    """Plane name → the array axis slices of that plane are taken across.

    Derived from the orientation codes (a volume stored sagittally has its
    axial slices across another axis than a CT); without an orientation, or
    with an oblique one that maps two axes to one plane, :data:`PLANES`.

    >>> planes("RAS")
    {'axial': 0, 'coronal': 1, 'sagittal': 2}
    >>> planes("ASL")  # i anterior, j superior, k left: a sagittal stack
    {'axial': 1, 'coronal': 2, 'sagittal': 0}
    """
    directions = axis_directions(orientation)
    if directions is None:
        return dict(PLANES)
    found = {_PLANE_OF.get(letter): axis for axis, letter in enumerate(directions)}
    if set(found) != set(PLANES):
        return dict(PLANES)
    return {name: found[name] for name in PLANES}


def display_flips(orientation: str | None, axis: int) -> tuple[bool, bool]:
    """Whether to flip a slice's rows and columns to show it the way radiologists do.

    A slice across ``axis`` has the other two array axes as (rows, columns).
    Rows go superior → inferior (coronal, sagittal) or anterior → posterior
    (axial), top to bottom; columns go patient's right → left (axial,
    coronal: the radiological convention) or anterior → posterior (sagittal).
    No orientation: no flips (array order).

    >>> display_flips("RAS", 0)  # axial of a RAS volume: j runs P→A, i runs L→R
    (True, True)
    >>> display_flips("LPS", 1)  # coronal of an LPS volume: k runs I→S, i runs R→L
    (True, False)
    """
    directions = axis_directions(orientation)
    if directions is None:
        return False, False
    row_axis, col_axis = (a for a in range(3) if a != axis)
    sagittal = _PLANE_OF.get(directions[axis]) == "sagittal"
    # An index increasing towards the side shown first (top / left) is shown reversed.
    first_row = {"S", "A", "R"}
    first_column = {"A", "S", "L"} if sagittal else {"R", "S", "A"}
    return directions[row_axis] in first_row, directions[col_axis] in first_column


@dataclass(frozen=True)
class SliceProfile:
    """Areas and Dice of every slice along one axis.

    Attributes
    ----------
    axis : int
        The array axis the slices are taken across (0 = k for volumes).
    reference_area, candidate_area, intersection : ndarray of int64
        Per slice: |A|, |B|, |A∩B| in pixels.
    dice : ndarray of float64
        2|A∩B| / (|A| + |B|) per slice; NaN where both are empty.
    """

    axis: int
    reference_area: np.ndarray = field(repr=False)
    candidate_area: np.ndarray = field(repr=False)
    intersection: np.ndarray = field(repr=False)
    dice: np.ndarray = field(repr=False)

    @property
    def errors(self) -> np.ndarray:
        """FP + FN per slice."""
        return self.reference_area + self.candidate_area - 2 * self.intersection

    def worst(self) -> int | None:
        """The slice with the lowest Dice (most FP + FN among ties); None if all are empty.

        >>> a = np.zeros((3, 2, 2), bool); a[:, 0, 0] = True
        >>> b = a.copy(); b[1, 1, 1] = True
        >>> slice_profile(overlap_counts(a, b), 0).worst()
        1
        """
        defined = np.flatnonzero(~np.isnan(self.dice))
        if defined.size == 0:
            return None
        order = np.lexsort((-self.errors[defined], self.dice[defined]))
        return int(defined[order[0]])

    def to_dict(self) -> dict:
        """JSON-ready lists (NaN → None)."""
        return json_ready(
            {
                "axis": self.axis,
                "reference_area": self.reference_area,
                "candidate_area": self.candidate_area,
                "intersection": self.intersection,
                "dice": self.dice,
                "worst": self.worst(),
            }
        )


def _profile(axis: int, ref: np.ndarray, cand: np.ndarray, tp: np.ndarray) -> SliceProfile:
    ref, cand, tp = (np.asarray(x, np.int64) for x in (ref, cand, tp))
    total = ref + cand
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(total > 0, 2 * tp / np.maximum(total, 1), np.nan)
    return SliceProfile(axis, ref, cand, tp, dice)


def slice_profile(counts: OverlapCounts, axis: int = 0) -> SliceProfile:
    """Per-slice areas and Dice of a volume pair, read from its overlap counts (no pass).

    Parameters
    ----------
    counts : OverlapCounts
        :func:`maskapp.metrics.overlap_counts` of two volumes (its per-line TP).
    axis : int
        0, 1 or 2 (see :data:`PLANES`).

    Raises
    ------
    ValueError
        Counts of a 2-D pair (they hold no per-line TP), or a bad axis.

    Examples
    --------
    >>> a = np.zeros((2, 3, 4), bool); a[0, :, :2] = True
    >>> p = slice_profile(overlap_counts(a, a), axis=0)
    >>> p.dice.tolist(), p.reference_area.tolist()
    ([1.0, nan], [6, 0])
    """
    if len(counts.shape) != 3 or counts.row_tp is None:
        raise ValueError("slice profiles need the overlap counts of two volumes")
    if axis not in (0, 1, 2):
        raise ValueError(f"axis must be 0, 1 or 2, not {axis!r}")
    return _profile(
        axis,
        counts.profile(axis, "reference"),
        counts.profile(axis, "candidate"),
        counts.profile(axis, "tp"),
    )


def class_slice_profile(
    reference: np.ndarray,
    candidate: np.ndarray,
    label: int,
    axis: int = 0,
    *,
    box: tuple[slice, ...] | None = None,
) -> SliceProfile:
    """:func:`slice_profile` of one class of two label volumes (void is not removed).

    ``box`` (e.g. ``ClassDistances.box``) is a box holding every voxel of the
    class in both volumes: only it is counted (no pass over the whole
    volumes), slices outside it are empty.

    >>> r = np.zeros((3, 4, 4), np.uint8); r[1, 1:3, 1:3] = 2
    >>> c = r.copy(); c[2, 0, 0] = 2
    >>> class_slice_profile(r, c, 2, 0, box=(slice(1, 3), slice(0, 3), slice(0, 3))).dice
    array([nan,  1.,  0.])
    """
    if box is None:
        return slice_profile(overlap_counts(reference == label, candidate == label), axis)
    inner = slice_profile(overlap_counts(reference[box] == label, candidate[box] == label), axis)
    n, start = reference.shape[axis], box[axis].start or 0

    def padded(values: np.ndarray) -> np.ndarray:
        out = np.zeros(n, np.int64)
        out[start : start + len(values)] = values
        return out

    return _profile(axis, padded(inner.reference_area), padded(inner.candidate_area),
                    padded(inner.intersection))  # fmt: skip


def slice_of(array: np.ndarray, axis: int, index: int) -> np.ndarray:
    """Slice ``index`` across ``axis`` of a volume, as a 2-D view (no copy).

    Feed the pair's confusion map (``Comparison.confusion``) to get the slice's
    TP/FP/FN codes for the existing overlay figure.

    >>> slice_of(np.arange(24).reshape(2, 3, 4), 2, 1).tolist()
    [[1, 5, 9], [13, 17, 21]]
    """
    return array[(slice(None),) * axis + (index,)]


def pair_slice(hausdorff_pair, axis: int) -> tuple[int, int] | None:
    """The slices along ``axis`` of the (reference point, candidate point) Hausdorff pair.

    >>> pair_slice(((4, 10, 12), (7, 10, 30)), 0)
    (4, 7)
    """
    if hausdorff_pair is None:
        return None
    return int(hausdorff_pair[0][axis]), int(hausdorff_pair[1][axis])
