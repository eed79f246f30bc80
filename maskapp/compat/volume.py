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

import numpy as np

from .surfel_areas import surface_areas


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
    if table is None:
        table = surface_areas(spacing)
    code = corner_codes(mask, box)
    flat = code.ravel()
    index = np.flatnonzero((flat != 0) & (flat != 255))
    points = np.stack(np.unravel_index(index, code.shape), axis=1)
    points += np.array([s.start for s in box])
    return points, table[flat[index]]


def label_contour(mask: np.ndarray, box: tuple[slice, ...]) -> np.ndarray:
    """(z, y, x) of the voxels with a background voxel among their 26 neighbours, the frame
    not background (``sitk.LabelContour(fullyConnected=True)``), sorted."""
    p = _padded(mask, box, frame=True)
    eroded = p
    for axis in range(3):  # the 3×3×3 cube as three lines
        index = [slice(None)] * 3
        lo, mid, hi = [], [], []
        for part, start, stop in ((lo, 0, -2), (mid, 1, -1), (hi, 2, None)):
            index[axis] = slice(start, stop)
            part.append(eroded[tuple(index)])
        eroded = lo[0] & mid[0] & hi[0]
    inner = p[1:-1, 1:-1, 1:-1]
    points = np.argwhere(inner & ~eroded)
    return points + np.array([s.start for s in box])


__all__ = ["corner_codes", "label_contour", "surfels"]
