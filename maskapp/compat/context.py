"""What every library module reads: the pair, the options, and boundary distances computed once.

The libraries measure on three kinds of boundary:

- the *cross* boundary — mask XOR its erosion by the 4-connected cross, the
  image frame counting as background (MedPy connectivity 1, MONAI,
  MetricsReloaded, torchmetrics): maskapp's own default, so the distances
  maskapp's surface family computed are re-read (:attr:`Inputs.cross`);
- seg-metrics' *thick* boundary (:mod:`maskapp.compat.segmetrics`);
- DeepMind's surface elements on the pixel-corner lattice
  (:mod:`maskapp.compat.deepmind`).

Distances between boundary pixels are recomputed from the integer offsets to
the nearest pixel the way ``scipy.ndimage.distance_transform_edt`` forms
them, ``sqrt((Δrow·s_row)² + (Δcol·s_col)²)``, so a distance that equals τ
is τ to the last bit, as it is for the libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.spatial import cKDTree

from ..overlap import union_box
from ..parallel import threads
from ..surface import BoundaryDistances, _boundary

#: The value of a key a library module does not reproduce for a volume (why: in the notes).
UNSUPPORTED = "unsupported in 3-D"


@dataclass(frozen=True)
class Directed:
    """Distances of one pair of boundaries, both ways (float64, spacing units).

    ``reference_to_candidate[i]`` is the distance from reference boundary
    point ``i`` to the nearest candidate boundary point; empty arrays when a
    boundary has no points.
    """

    reference_to_candidate: np.ndarray
    candidate_to_reference: np.ndarray
    reference_points: np.ndarray
    candidate_points: np.ndarray


@dataclass(frozen=True, eq=False)
class Inputs:
    """One pair as the libraries receive it, with the options of the comparison.

    ``reference`` and ``candidate`` are the binary foregrounds (label maps:
    any class, void removed); ``percentile`` is the robust Hausdorff
    percentile, ``tolerance`` the surface-Dice τ, ``boundary_width`` the
    Boundary IoU band. ``surface`` is maskapp's own boundary data when it
    was computed with the cross boundary (connectivity 4): re-read, not
    recomputed.
    """

    reference: np.ndarray
    candidate: np.ndarray
    spacing: tuple[float, float] = (1.0, 1.0)
    tolerance: float = 1.0
    boundary_width: float = 2.0
    percentile: float = 95.0
    surface: BoundaryDistances | None = None

    @cached_property
    def reference_area(self) -> int:
        return int(np.count_nonzero(self.reference))

    @cached_property
    def candidate_area(self) -> int:
        return int(np.count_nonzero(self.candidate))

    @cached_property
    def intersection(self) -> int:
        box = self.box
        if box is None:
            return 0
        return int(np.count_nonzero(self.reference[box] & self.candidate[box]))

    @property
    def union(self) -> int:
        return self.reference_area + self.candidate_area - self.intersection

    @property
    def shape(self) -> tuple[int, int]:
        return self.reference.shape

    @cached_property
    def box(self) -> tuple[slice, slice] | None:
        """Bounding box of both masks' pixels; None when both are empty."""
        return union_box(self.reference, self.candidate)

    @cached_property
    def thick(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """:func:`thick_boundaries` of the reference and of the candidate."""
        cross = self.cross
        return (
            thick_boundaries(self.reference, cross.reference_points),
            thick_boundaries(self.candidate, cross.candidate_points),
        )

    @property
    def ndim(self) -> int:
        """2 for images, 3 for volumes."""
        return self.reference.ndim

    @cached_property
    def cross(self) -> Directed:
        """Distances between the cross boundaries (frame = background), EDT-exact.

        The cross is 4-connected in 2-D and 6-connected in 3-D (MedPy's
        connectivity 1, scipy's default erosion in MONAI and MetricsReloaded).
        """
        cross = 4 if self.ndim == 2 else 6
        if self.surface is not None and self.surface.connectivity == cross:
            s = self.surface
            ref_rc, cand_rc = s.reference_points, s.candidate_points
            return Directed(
                exact_distances(ref_rc, cand_rc[s.nearest_candidate], self.spacing),
                exact_distances(cand_rc, ref_rc[s.nearest_reference], self.spacing),
                ref_rc,
                cand_rc,
            )
        box = self.box
        if box is None:
            empty = np.zeros((0, self.ndim), np.int64)
            return nearest_both_ways(empty, empty, self.spacing)
        offset = np.array([b.start for b in box])
        ref_rc = np.argwhere(_boundary(self.reference[box], cross)) + offset
        cand_rc = np.argwhere(_boundary(self.candidate[box], cross)) + offset
        return nearest_both_ways(ref_rc, cand_rc, self.spacing)


_N4 = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]])
_N8 = np.array([[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]])


def unique_points(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The distinct (row, col) points that lie in ``shape`` (a margin of one allowed), sorted."""
    cols = shape[1] + 2
    keys = (points[:, 0] + 1) * cols + (points[:, 1] + 1)
    keys.sort()  # a sort and a comparison: several times faster than np.unique's hashing here
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return np.stack([keys // cols - 1, keys % cols - 1], axis=1)


def thick_boundary(
    mask: np.ndarray, cross: np.ndarray, *, frame_is_background: bool
) -> np.ndarray:
    """(row, col) of the mask's pixels with a background pixel among their 8 neighbours.

    Beyond the image counts as background if ``frame_is_background``, else as
    foreground (seg-metrics' ``LabelContour``). ``cross`` are the mask's
    cross-boundary pixels (see :func:`thick_boundaries`).

    >>> m = np.zeros((4, 5), bool); m[:, :3] = True
    >>> from maskapp.surface import _boundary
    >>> thick_boundary(m, np.argwhere(_boundary(m, 4)), frame_is_background=False).tolist()
    [[0, 2], [1, 2], [2, 2], [3, 2]]
    """
    inside, framed = thick_boundaries(mask, cross)
    return framed if frame_is_background else inside


def thick_boundaries(mask: np.ndarray, cross: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The thick boundary with the frame as foreground, and with the frame as background.

    Every pixel of the thick boundary is a cross-boundary pixel (a background
    4-neighbour, the frame counting as background) or a 4-neighbour of one (a
    pixel whose only background neighbour is diagonal has a 4-neighbour next
    to that pixel), so only those are tested — a few times the perimeter,
    never the whole image.
    """
    if len(cross) == 0:
        return cross, cross
    rows, cols = mask.shape
    near = unique_points(np.concatenate([cross, *(cross + step for step in _N4)]), mask.shape)
    inside = (near[:, 0] >= 0) & (near[:, 0] < rows) & (near[:, 1] >= 0) & (near[:, 1] < cols)
    near = near[inside]
    near = near[mask[near[:, 0], near[:, 1]]]
    background = np.zeros(len(near), bool)
    beyond_any = np.zeros(len(near), bool)
    for step in _N8:
        r, c = near[:, 0] + step[0], near[:, 1] + step[1]
        beyond = (r < 0) | (r >= rows) | (c < 0) | (c >= cols)
        beyond_any |= beyond
        r, c = np.clip(r, 0, rows - 1), np.clip(c, 0, cols - 1)
        background |= ~beyond & ~mask[r, c]
    return near[background], near[background | beyond_any]


def exact_distances(points: np.ndarray, targets: np.ndarray, spacing) -> np.ndarray:
    """``sqrt((Δrow·s_row)² + (Δcol·s_col)²)`` per row (a third axis first in 3-D), as
    scipy's EDT forms it."""
    delta = (targets - points).astype(np.float64)
    for axis, step in enumerate(spacing):
        delta[:, axis] *= step
    np.multiply(delta, delta, out=delta)
    total = delta[:, 0] + delta[:, 1]
    for axis in range(2, delta.shape[1]):
        total += delta[:, axis]
    return np.sqrt(total)


def nearest(points: np.ndarray, targets: np.ndarray, spacing) -> np.ndarray:
    """For each point, the EDT-exact distance to the nearest target point."""
    if len(points) == 0:
        return np.zeros(0)
    if len(targets) == 0:
        return np.full(len(points), np.inf)
    scale = np.asarray(spacing, dtype=np.float64)
    # Built for one query: an unbalanced tree builds ~2× faster and queries as fast.
    tree = cKDTree(targets * scale, leafsize=32, balanced_tree=False, compact_nodes=False)
    _, index = tree.query(points * scale, workers=threads())
    return exact_distances(points, targets[index], spacing)


def nearest_both_ways(ref_rc: np.ndarray, cand_rc: np.ndarray, spacing) -> Directed:
    """:class:`Directed` distances of two integer point sets."""
    return Directed(
        nearest(ref_rc, cand_rc, spacing),
        nearest(cand_rc, ref_rc, spacing),
        ref_rc,
        cand_rc,
    )
