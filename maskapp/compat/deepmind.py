"""DeepMind surface-distance (google-deepmind/surface-distance@1f805cea), images and volumes.

Calls reproduced::

    S = compute_surface_distances(mask_gt=reference, mask_pred=candidate, spacing_mm=spacing)
    compute_robust_hausdorff(S, 100)             # hausdorff
    compute_robust_hausdorff(S, p)               # hd95 (p = 95 by default)
    compute_average_surface_distance(S)          # (reference→candidate, candidate→reference)
    compute_surface_dice_at_tolerance(S, τ)
    compute_dice_coefficient(reference, candidate)

Conventions: the boundary is made of *surface elements* ("surfels") on the
lattice of pixel corners: each corner whose 2×2 neighbourhood of pixels is
neither all background nor all foreground, weighted by the length of the
contour through it (marching squares: half a pixel diagonal for one or three
foreground pixels, a pixel side for two side by side, a whole diagonal for
two opposite). Distances run between corners; every statistic weights a
surfel by its length, and the percentile is the first distance whose
cumulative length reaches p % — nearest rank, no interpolation. An empty
mask has no surfels: Hausdorff and HD95 are inf (also when both are empty),
the mean over the empty surface is 0/0 = NaN and the mean towards it inf;
surface Dice and Dice of two empty masks are NaN.

In 3-D the corners are those of the voxel lattice, coded by their 2×2×2
voxels, and a surfel is weighted by the area of the marching-cubes triangles
of its case (DeepMind's normals table, :mod:`maskapp.compat.surfel_areas`;
the corners from :func:`maskapp.compat.volume.surfels`); everything else is
as in 2-D.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import volume
from .context import Inputs, nearest, unique_points
from .surfel_areas import surface_areas

NAME = "deepmind"
TITLE = "DeepMind surface-distance"
KEYS = (
    "hausdorff",
    "hd95",
    "mean_reference_to_candidate",
    "mean_candidate_to_reference",
    "surface_dice",
    "dice",
)
CALLS = (
    "surface_distance (google-deepmind/surface-distance@1f805cea): "
    "compute_surface_distances(mask_gt=reference, mask_pred=candidate, spacing_mm=spacing), "
    "compute_robust_hausdorff(S, 100) and (S, p), compute_average_surface_distance(S), "
    "compute_surface_dice_at_tolerance(S, τ), compute_dice_coefficient(reference, candidate)"
)


@dataclass(frozen=True)
class Surfels:
    """One mask's surface elements: corner (row, col) points and their lengths (in 3-D:
    (z, y, x) corners and their areas)."""

    points: np.ndarray
    lengths: np.ndarray


def contour_lengths(spacing: tuple[float, float]) -> np.ndarray:
    """Contour length through a corner, by its neighbourhood code.

    The code of a corner is 8·top-left + 4·top-right + 2·bottom-left +
    bottom-right (1 = foreground), as DeepMind's ``lookup_tables``.

    >>> contour_lengths((1.0, 1.0))[[0b0001, 0b0011, 0b0101, 0b0110, 0b1111]].round(4).tolist()
    [0.7071, 1.0, 1.0, 1.4142, 0.0]
    """
    vertical, horizontal = spacing
    diag = 0.5 * math.sqrt(spacing[0] ** 2 + spacing[1] ** 2)
    table = np.zeros(16)
    table[[0b0001, 0b0010, 0b0100, 0b1000, 0b0111, 0b1011, 0b1101, 0b1110]] = diag
    table[[0b0011, 0b1100]] = horizontal
    table[[0b0101, 0b1010]] = vertical
    table[[0b0110, 0b1001]] = 2 * diag
    return table


def surfels(mask: np.ndarray, thick: np.ndarray, spacing) -> Surfels:
    """The surface elements of ``mask``: corner (row, col) points and contour lengths.

    ``thick`` is the mask's thick boundary with the frame as background
    (:func:`~maskapp.compat.context.thick_boundaries`). A corner on the
    surface has a foreground and a background pixel among its four,
    8-neighbours of each other, so it is a corner of a pixel of the thick
    boundary: only those corners are coded. Corner (i, j) is the top-left
    corner of pixel (i, j).
    """
    if len(thick) == 0:
        return Surfels(np.zeros((0, 2), np.int64), np.zeros(0))
    corners = unique_points(
        np.concatenate([thick + step for step in ((0, 0), (0, 1), (1, 0), (1, 1))]), mask.shape
    )
    rows, cols = mask.shape
    code = np.zeros(len(corners), np.uint8)
    for weight, (dr, dc) in ((8, (-1, -1)), (4, (-1, 0)), (2, (0, -1)), (1, (0, 0))):
        r, c = corners[:, 0] + dr, corners[:, 1] + dc
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        on = np.zeros(len(corners), bool)
        on[inside] = mask[r[inside], c[inside]]
        code[on] += weight
    on_surface = (code != 0) & (code != 15)
    return Surfels(corners[on_surface], contour_lengths(spacing)[code[on_surface]])


def values(inputs: Inputs) -> dict[str, float | str]:
    """What surface-distance returns for each key."""
    total = inputs.reference_area + inputs.candidate_area
    dice = 2 * inputs.intersection / total if total else math.nan
    if inputs.box is None:
        return {
            "hausdorff": math.inf,
            "hd95": math.inf,
            "mean_reference_to_candidate": math.nan,
            "mean_candidate_to_reference": math.nan,
            "surface_dice": math.nan,
            "dice": dice,
        }
    if inputs.ndim == 3:
        gt_pred, pred_gt = _volume_distances(inputs)
    else:
        (_, ref_thick), (_, cand_thick) = inputs.thick  # the frame is background
        ref = surfels(inputs.reference, ref_thick, inputs.spacing)
        cand = surfels(inputs.candidate, cand_thick, inputs.spacing)
        gt_pred = _sorted(nearest(ref.points, cand.points, inputs.spacing), ref.lengths)
        pred_gt = _sorted(nearest(cand.points, ref.points, inputs.spacing), cand.lengths)
    tau = inputs.tolerance
    with np.errstate(invalid="ignore", divide="ignore"):
        overlap = gt_pred[1][gt_pred[0] <= tau].sum() + pred_gt[1][pred_gt[0] <= tau].sum()
        surface_dice = overlap / (gt_pred[1].sum() + pred_gt[1].sum())
        return {
            "hausdorff": max(_robust(*gt_pred, 100.0), _robust(*pred_gt, 100.0)),
            "hd95": max(_robust(*gt_pred, inputs.percentile), _robust(*pred_gt, inputs.percentile)),
            "mean_reference_to_candidate": _mean(*gt_pred),
            "mean_candidate_to_reference": _mean(*pred_gt),
            "surface_dice": float(surface_dice),
            "dice": dice,
        }


def _volume_distances(inputs: Inputs) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Both directions' (distances, areas) of a volume pair's surfels, sorted."""
    box, spacing = inputs.box, inputs.spacing
    table = surface_areas(spacing)
    ref_points, ref_areas, ref_on = volume.surfels_on(inputs.reference, box, spacing, table)
    cand_points, cand_areas, cand_on = volume.surfels_on(inputs.candidate, box, spacing, table)
    origin, ball = np.array([b.start for b in box]), volume.lattice_ball(spacing)
    to_cand = volume.nearest_on_lattice(ref_points, cand_points, cand_on, origin, spacing, ball)
    to_ref = volume.nearest_on_lattice(cand_points, ref_points, ref_on, origin, spacing, ball)
    return _sorted(to_cand, ref_areas), _sorted(to_ref, cand_areas)


def _sorted(distances: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted by (distance, length), as ``_sort_distances_surfels``: cumulative sums match."""
    order = np.lexsort((lengths, distances))
    return distances[order], lengths[order]


def _robust(distances: np.ndarray, lengths: np.ndarray, percent: float) -> float:
    """``compute_robust_hausdorff`` of one direction: length-weighted nearest rank."""
    if len(distances) == 0:
        return math.inf
    cumulative = np.cumsum(lengths) / np.sum(lengths)
    index = int(np.searchsorted(cumulative, percent / 100.0))
    return float(distances[min(index, len(distances) - 1)])


def _mean(distances: np.ndarray, lengths: np.ndarray) -> float:
    """Length-weighted mean of one direction (0/0 = NaN over an empty surface)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.sum(distances * lengths) / np.sum(lengths))
