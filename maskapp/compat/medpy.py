"""MedPy 0.5.2 (``medpy.metric.binary``): what dc, jc, hd, hd95, assd and asd return.

Calls reproduced (``result`` = candidate, ``reference`` = reference,
``voxelspacing`` = spacing, ``connectivity=1``)::

    dc(candidate, reference)  jc(candidate, reference)
    hd(...)  hd95(...)  assd(...)  asd(candidate, reference, ...)

Conventions: boundaries are the mask XOR its erosion by the cross (the frame
is background), distances from a Euclidean distance transform; ``hd95`` is
the 95th percentile of both directions' distances *pooled* (always 95: the
call takes no percentile); ``assd`` the mean of both directions pooled;
``asd`` the mean over the candidate's boundary. Every distance raises
``RuntimeError`` when either mask is empty. Under NumPy 2, ``dc`` of two
empty masks is 0/0 = NaN (its ``except ZeroDivisionError`` never fires),
while ``jc`` wraps both counts in ``float`` and returns 1.
"""

from __future__ import annotations

import math

import numpy as np

from .context import Inputs

NAME = "medpy"
TITLE = "MedPy 0.5.2"
KEYS = ("dice", "iou", "hausdorff", "hd95", "assd", "asd")
CALLS = (
    "medpy.metric.binary: dc(candidate, reference), jc, hd, hd95, assd, asd(candidate, "
    "reference) with voxelspacing=spacing, connectivity=1"
)


def values(inputs: Inputs) -> dict[str, float | str]:
    """What MedPy returns for each key."""
    ref_area, cand_area, inter = inputs.reference_area, inputs.candidate_area, inputs.intersection
    out: dict[str, float | str] = {
        "dice": 2.0 * inter / (ref_area + cand_area) if ref_area + cand_area else math.nan,
        "iou": inter / inputs.union if inputs.union else 1.0,
    }
    if ref_area == 0 or cand_area == 0:
        out.update(dict.fromkeys(KEYS[2:], "raises RuntimeError"))
        return out
    d = inputs.cross
    pooled = np.concatenate([d.candidate_to_reference, d.reference_to_candidate])
    out["hausdorff"] = float(pooled.max())
    out["hd95"] = float(np.percentile(pooled, 95))
    out["assd"] = float(pooled.mean())
    out["asd"] = float(d.candidate_to_reference.mean())
    return out
