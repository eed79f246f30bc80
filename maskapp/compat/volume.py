"""The 3-D boundaries of DeepMind surface-distance and seg-metrics, on the box around both masks.

- :func:`corner_codes` and :func:`surfels`: DeepMind's surface elements — the
  corners of the voxel lattice whose 2×2×2 voxels are neither all background
  nor all foreground (beyond the box is background, as DeepMind's zero-padded
  crop), each weighted by the marching-cubes area of its case
  (:mod:`maskapp.compat.surfel_areas`).
- :func:`label_contour`: SimpleITK's ``LabelContour(fullyConnected=True)`` —
  the foreground voxels with a background voxel among their 26 neighbours,
  the image frame *not* counting as background — which is also the set
  ``SignedMaurerDistanceMap`` measures to (checked against SimpleITK in
  ``tests/test_compat_3d.py``).

Each is one pass of a few whole-array operations over the union box (a
voxel-sized margin added), never over the whole volume.
"""

from __future__ import annotations

import math

import numpy as np

from .context import nearest
from .surfel_areas import surface_areas

#: How many lattice offsets :func:`nearest_on_lattice` tries before a KD-tree.
BALL_OFFSETS = 160


def _padded(mask: np.ndarray, box: tuple[slice, ...], frame: bool) -> np.ndarray:
    """``mask[box]`` with a one-voxel margin: ``frame`` where the box meets the image's edge
    (True: beyond the image counts as foreground), background elsewhere (outside the union
    box there is none of either mask)."""
    crop = mask[box]
    out = np.zeros(tuple(n + 2 for n in crop.shape), bool)
    out[(slice(1, -1),) * crop.ndim] = crop
    if frame:
        for axis, (s, size) in enumerate(zip(box, mask.shape, strict=True)):
            index = [slice(None)] * crop.ndim
            if s.start == 0:
                index[axis] = 0
                out[tuple(index)] = True
            if s.stop == size:
                index[axis] = -1
                out[tuple(index)] = True
    return out


def corner_codes(mask: np.ndarray, box: tuple[slice, ...]) -> np.ndarray:
    """DeepMind's neighbour code of every voxel corner of the box (shape: box + 1 per axis).

    Corner ``(i, j, k)`` of the box is the corner shared by box voxels
    ``(i-1..i, j-1..j, k-1..k)``; its code is
    ``Σ 2^(7 − (4a + 2b + c)) · v[i−1+a, j−1+b, k−1+c]`` (``correlate`` with
    ``ENCODE_NEIGHBOURHOOD_3D_KERNEL``), built one axis at a time.
    """
    p = _padded(mask, box, frame=False).view(np.uint8)
    code = 2 * p[:, :, :-1] + p[:, :, 1:]  # 0…3: the pair along the last axis
    code = 4 * code[:, :-1] + code[:, 1:]  # 0…15
    return 16 * code[:-1] + code[1:]  # 0…255 (uint8 throughout)


def surfels(
    mask: np.ndarray, box: tuple[slice, ...], spacing, table: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """DeepMind's surface elements of ``mask``: corner (z, y, x) points and their areas.

    ``box`` is the box around both masks; points are in the volume's corner
    coordinates (corner ``(z, y, x)`` is the first corner of voxel
    ``(z, y, x)``), sorted. ``table`` is :func:`surface_areas` of ``spacing``.
    """
    points, areas, _ = surfels_on(mask, box, spacing, table)
    return points, areas


def surfels_on(
    mask: np.ndarray, box: tuple[slice, ...], spacing, table: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`surfels` and the corner lattice's surface mask (box + 1 per axis)."""
    if table is None:
        table = surface_areas(spacing)
    code = corner_codes(mask, box)
    on = (code != 0) & (code != 255)
    points = np.argwhere(on)
    areas = table[code[on]]
    points += np.array([s.start for s in box])
    return points, areas, on


def label_contour(mask: np.ndarray, box: tuple[slice, ...]) -> np.ndarray:
    """(z, y, x) of the voxels with a background voxel among their 26 neighbours, the frame
    not background (``sitk.LabelContour(fullyConnected=True)``), sorted."""
    return label_contour_on(mask, box)[0]


def label_contour_on(mask: np.ndarray, box: tuple[slice, ...]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`label_contour` and the contour as a mask of the box."""
    p = _padded(mask, box, frame=True)
    eroded = p
    for axis in range(3):  # the 3×3×3 cube as three lines
        index = [slice(None)] * 3
        lo, mid, hi = [], [], []
        for part, start, stop in ((lo, 0, -2), (mid, 1, -1), (hi, 2, None)):
            index[axis] = slice(start, stop)
            part.append(eroded[tuple(index)])
        eroded = lo[0] & mid[0] & hi[0]
    on = p[1:-1, 1:-1, 1:-1] & ~eroded
    return np.argwhere(on) + np.array([s.start for s in box]), on


def lattice_ball(spacing, count: int = BALL_OFFSETS) -> tuple[np.ndarray, np.ndarray]:
    """The integer offsets within the ball holding about ``count`` lattice points, and their
    lengths, nearest first (every offset no longer than the longest is included)."""
    s = np.asarray(spacing, np.float64)
    radius = (3 * count * float(np.prod(s)) / (4 * math.pi)) ** (1 / 3)
    reach = [math.ceil(radius / step) for step in s]
    grids = np.meshgrid(*(np.arange(-r, r + 1) for r in reach), indexing="ij")
    offsets = np.stack([g.ravel() for g in grids], axis=1)
    lengths = _lengths(offsets, s)
    keep = lengths <= radius
    order = np.argsort(lengths[keep], kind="stable")
    return offsets[keep][order], lengths[keep][order]


def _lengths(offsets: np.ndarray, spacing) -> np.ndarray:
    """``sqrt((Δz·s_z)² + (Δy·s_y)² + (Δx·s_x)²)`` summed in that order, as scipy's EDT and
    :func:`~maskapp.compat.context.exact_distances` form it."""
    delta = offsets.astype(np.float64) * np.asarray(spacing, np.float64)
    delta *= delta
    return np.sqrt(delta[:, 0] + delta[:, 1] + delta[:, 2])


def nearest_on_lattice(
    points: np.ndarray,
    targets: np.ndarray,
    on: np.ndarray,
    origin: np.ndarray,
    spacing,
    ball: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """For each point, the EDT-exact distance to the nearest target, like
    :func:`~maskapp.compat.context.nearest`, for points and targets on one lattice.

    ``on`` marks the targets on the lattice (``on[p − origin]``). The offsets
    of a small ball (:func:`lattice_ball`) are tried nearest first, one
    gather each over the points still unresolved: the first target met is a
    nearest one, at exactly that offset's length. Only points with no target
    inside the ball go to a KD-tree, so on two surfaces that lie close
    together (a segmentation and its reference) the tree is rarely built.
    """
    if len(points) == 0:
        return np.zeros(0)
    if len(targets) == 0:
        return np.full(len(points), np.inf)
    offsets, lengths = lattice_ball(spacing) if ball is None else ball
    margin = np.abs(offsets).max(axis=0)
    padded = np.zeros(tuple(n + 2 * m for n, m in zip(on.shape, margin, strict=True)), bool)
    padded[tuple(slice(m, m + n) for n, m in zip(on.shape, margin, strict=True))] = on
    strides = np.array([padded.shape[1] * padded.shape[2], padded.shape[2], 1], np.int64)
    flat = padded.ravel()
    index = (points - origin + margin) @ strides
    deltas = offsets @ strides
    out = np.empty(len(points))
    todo = np.arange(len(points))
    for delta, length in zip(deltas, lengths, strict=True):
        hit = flat[index + delta]
        if hit.any():
            out[todo[hit]] = length
            miss = ~hit
            todo, index = todo[miss], index[miss]
            if len(todo) == 0:
                return out
    out[todo] = nearest(points[todo], targets, spacing)
    return out


__all__ = [
    "corner_codes",
    "label_contour",
    "label_contour_on",
    "lattice_ball",
    "nearest_on_lattice",
    "surfels",
    "surfels_on",
]
