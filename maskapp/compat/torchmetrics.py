"""torchmetrics 1.9, ``torchmetrics.functional.segmentation`` on one-hot (1, 1, H, W) tensors.

Calls reproduced (``num_classes=1, include_background=True, input_format="one-hot"``)::

    dice_score(preds=C, target=R)[0]   mean_iou(preds=C, target=R)[0]
    hausdorff_distance(preds=C, target=R, spacing=[row, col])[0, 0]

Conventions: edges are the mask XOR its erosion by the cross on the image
padded by one background pixel; distances in float32. Dice and IoU of two
empty masks are 0/0 = NaN; ``hausdorff_distance`` is inf with one mask empty
and raises ``RuntimeError`` (max of nothing) when both are. On a volume
whose masks both have edges it raises ``ValueError``: its
``distance_transform`` takes rank-2 tensors only.

``hausdorff_distance`` has a known bug (torchmetrics#3300): its distance
transform writes the distance of pixel (i, j) of the padded H' × W' image to
flat index ``i·H' + j`` instead of ``i·W' + j``. On images with fewer rows
than columns it silently returns wrong numbers (reproduced here, so they
match); with more rows than columns it raises ``IndexError``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from .context import Inputs

NAME = "torchmetrics"
TITLE = "torchmetrics 1.9"
KEYS = ("dice", "iou", "hausdorff")
CALLS = (
    "torchmetrics.functional.segmentation on one-hot (1, 1, H, W) tensors, num_classes=1, "
    "include_background=True, input_format='one-hot': dice_score, mean_iou, "
    "hausdorff_distance(spacing=[row, col])"
)

_F32 = np.float32


def values(inputs: Inputs) -> dict[str, float | str]:
    """What torchmetrics returns for each key."""
    ref_area, cand_area, inter = inputs.reference_area, inputs.candidate_area, inputs.intersection
    total = ref_area + cand_area
    out: dict[str, float | str] = {
        "dice": float(_F32(2 * inter) / _F32(total)) if total else math.nan,
        "iou": float(_F32(inter) / _F32(inputs.union)) if total else math.nan,
    }
    if total == 0:
        out["hausdorff"] = "raises RuntimeError"
    elif ref_area == 0 or cand_area == 0:
        out["hausdorff"] = math.inf
    else:
        out["hausdorff"] = _hausdorff(inputs)
    return out


def _hausdorff(inputs: Inputs) -> float | str:
    if inputs.ndim == 3:
        # Its distance_transform takes rank-2 tensors only ("Expected argument `x` to be of
        # rank 2"), reached whenever both masks have edges.
        return "raises ValueError"
    rows, cols = inputs.shape
    d = inputs.cross
    if rows == cols:
        return float(
            max(
                d.candidate_to_reference.astype(_F32).max(),
                d.reference_to_candidate.astype(_F32).max(),
            )
        )
    if rows > cols:
        return "raises IndexError"
    # Points in the padded image (one pixel of background all round).
    ref = d.reference_points + 1
    cand = d.candidate_points + 1
    shape = (rows + 2, cols + 2)
    return float(
        max(
            _miswritten(cand, ref, shape, inputs.spacing).max(),
            _miswritten(ref, cand, shape, inputs.spacing).max(),
        )
    )


def _miswritten(points: np.ndarray, edges: np.ndarray, shape, spacing) -> np.ndarray:
    """The distance map of ``edges`` as torchmetrics 1.9 lays it out, read at ``points``.

    The value at flat index ``k = r·W + c`` is the one last written there:
    by the non-edge pixel (i, j) with ``i·H + j = k`` and the largest i
    (``torch.where`` order), or 0 when none was.
    """
    height, width = shape
    is_edge = np.zeros(shape, bool)
    is_edge[edges[:, 0], edges[:, 1]] = True
    k = points[:, 0] * width + points[:, 1]
    # Writers of index k have i·H ≤ k < i·H + W: at most W // H + 2 rows, largest first.
    top = np.minimum(k // height, height - 1)
    writer = np.full((len(points), 2), -1, np.int64)
    for step in range(width // height + 2):
        i = top - step
        j = k - i * height
        open_ = (writer[:, 0] < 0) & (i >= 0) & (j >= 0) & (j < width)
        hit = np.zeros(len(points), bool)
        hit[open_] = ~is_edge[i[open_], j[open_]]
        writer[hit, 0] = i[hit]
        writer[hit, 1] = j[hit]
    out = np.zeros(len(points), _F32)
    written = writer[:, 0] >= 0
    if written.any():
        src = writer[written]
        out[written] = _float32_distance(src, edges, spacing)
    return out


def _float32_distance(points: np.ndarray, edges: np.ndarray, spacing) -> np.ndarray:
    """Each point's distance to the nearest edge pixel, rounded as torch computes it in float32."""
    scale = np.asarray(spacing, dtype=np.float64)
    _, index = cKDTree(edges * scale).query(points * scale)
    delta = np.abs(points - edges[index])
    row = _F32(spacing[0]) * delta[:, 0].astype(_F32)
    col = _F32(spacing[1]) * delta[:, 1].astype(_F32)
    return np.sqrt(row * row + col * col, dtype=_F32)

