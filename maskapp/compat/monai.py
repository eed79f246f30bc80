"""MONAI 1.6: what ``monai.metrics`` returns for a (1, 1, H, W) float32 pair.

Calls reproduced (``include_background=True``, ``spacing=[row, col]``)::

    compute_dice(y_pred=C, y=R, ignore_empty=True)
    compute_iou(y_pred=C, y=R, ignore_empty=True)
    compute_hausdorff_distance(..., percentile=None)      # hausdorff
    compute_hausdorff_distance(..., percentile=p)         # hd95 (p = 95 by default)
    compute_average_surface_distance(..., symmetric=True)   # assd
    compute_average_surface_distance(..., symmetric=False)  # asd, over y_pred's edges
    compute_surface_dice(..., class_thresholds=[τ])

Conventions: edges are the mask XOR its erosion by the cross (the frame is
background); distances are float32; the percentile is ``torch.quantile``
(linear interpolation, in float32) of each direction, then the larger.
``ignore_empty=True`` makes Dice and IoU NaN whenever the reference is empty.
With one mask empty every distance is inf, and the percentile of all-inf
distances interpolates inf − inf = NaN (MONAI#9095): HD95 is NaN for a
missed prediction, and MONAI's means drop NaN. Both empty: every value NaN.
"""

from __future__ import annotations

import math

import numpy as np

from .context import Inputs

NAME = "monai"
TITLE = "MONAI 1.6"
KEYS = ("dice", "iou", "hausdorff", "hd95", "assd", "asd", "surface_dice")
CALLS = (
    "monai.metrics on (1, 1, H, W) float32 tensors, include_background=True, "
    "spacing=[row, col]: compute_dice / compute_iou (ignore_empty=True), "
    "compute_hausdorff_distance (percentile=None and p), compute_average_surface_distance "
    "(symmetric=True and False), compute_surface_dice (class_thresholds=[τ])"
)

_F32 = np.float32


def values(inputs: Inputs) -> dict[str, float | str]:
    """What MONAI returns for each key."""
    ref_area, cand_area, inter = inputs.reference_area, inputs.candidate_area, inputs.intersection
    out: dict[str, float | str] = {}
    if ref_area == 0:
        out["dice"] = out["iou"] = math.nan
    else:
        out["dice"] = float(_F32(2 * inter) / _F32(ref_area + cand_area))
        out["iou"] = float(_F32(inter) / _F32(inputs.union))
    if ref_area == 0 and cand_area == 0:
        out.update(dict.fromkeys(KEYS[2:], math.nan))
        return out
    if ref_area == 0 or cand_area == 0:
        out.update(hausdorff=math.inf, hd95=math.nan, assd=math.inf, asd=math.inf)
        out["surface_dice"] = 0.0
        return out
    d = inputs.cross
    pred_gt = d.candidate_to_reference.astype(_F32)
    gt_pred = d.reference_to_candidate.astype(_F32)
    out["hausdorff"] = float(max(pred_gt.max(), gt_pred.max()))
    p = inputs.percentile
    out["hd95"] = float(max(quantile(pred_gt, p), quantile(gt_pred, p)))
    both = np.concatenate([pred_gt, gt_pred])
    out["assd"] = float(both.mean(dtype=np.float64).astype(_F32))
    out["asd"] = float(pred_gt.mean(dtype=np.float64).astype(_F32))
    tau = _F32(inputs.tolerance)
    close = np.count_nonzero(pred_gt <= tau) + np.count_nonzero(gt_pred <= tau)
    out["surface_dice"] = float(_F32(close) / _F32(len(both)))
    return out


def quantile(values: np.ndarray, percentile: float) -> np.float32:
    """``torch.quantile(values, percentile / 100)`` on float32 values (linear, in float32).

    >>> float(quantile(np.array([0, 1, 2, 10], np.float32), 95))
    8.799999237060547
    """
    ordered = np.sort(values.astype(_F32))
    rank = _F32(percentile / 100) * _F32(len(ordered) - 1)
    below = int(np.floor(rank))
    above = int(np.ceil(rank))
    weight = rank - _F32(below)
    start, end = ordered[below], ordered[above]
    with np.errstate(invalid="ignore"):
        # torch.lerp: the two formulas that keep the ends exact.
        if weight < 0.5:
            return _F32(start + weight * (end - start))
        return _F32(end - (end - start) * (_F32(1) - weight))
