"""MetricsReloaded (Project-MONAI/MetricsReloaded@cb38dfc0): ``BinaryPairwiseMeasures``.

Calls reproduced (float64 arrays, ``pixdim=spacing``)::

    m = BinaryPairwiseMeasures(pred=candidate, ref=reference, pixdim=spacing,
                               dict_args={"hd_perc": p, "nsd": τ, "boundary_dist": d})
    m.dsc()  m.intersection_over_union()  m.measured_hausdorff_distance()
    m.measured_hausdorff_distance_perc()  m.measured_average_distance()
    m.measured_masd()  m.normalised_surface_distance()  m.boundary_iou()

Conventions: borders are the mask minus its erosion by the cross (the frame
is background); ``measured_hausdorff_distance_perc`` is the larger of the two
directed ``np.percentile`` values (linear), ``measured_average_distance`` the
mean of both directions pooled (maskapp's ASSD), ``measured_masd`` the
average of the two directed means; NSD counts border pixels within ≤ τ.
``boundary_iou`` keeps the pixels *strictly* closer than ``boundary_dist`` to
the border, measured in pixels (it ignores ``pixdim``). Two empty masks:
distances 0, Dice 1, IoU NaN, NSD and Boundary IoU 1; one empty: every
distance NaN ("set the worst value in aggregation"), NSD and Boundary IoU 0.
"""

from __future__ import annotations

import math

import numpy as np

from ..surface import boundary_iou
from .context import Inputs

NAME = "metricsreloaded"
TITLE = "MetricsReloaded"
KEYS = ("dice", "iou", "hausdorff", "hd95", "assd", "masd", "surface_dice", "boundary_iou")
CALLS = (
    "MetricsReloaded (Project-MONAI/MetricsReloaded@cb38dfc0) BinaryPairwiseMeasures("
    "pred=candidate, ref=reference, pixdim=spacing, dict_args={'hd_perc': p, 'nsd': τ, "
    "'boundary_dist': d}): dsc, intersection_over_union, measured_hausdorff_distance, "
    "measured_hausdorff_distance_perc, measured_average_distance, measured_masd, "
    "normalised_surface_distance, boundary_iou"
)


def values(inputs: Inputs) -> dict[str, float | str]:
    """What MetricsReloaded returns for each key."""
    ref_area, cand_area, inter = inputs.reference_area, inputs.candidate_area, inputs.intersection
    total = ref_area + cand_area
    out: dict[str, float | str] = {
        "dice": 2 * inter / total if total else 1.0,
        "iou": inter / inputs.union if total else math.nan,
    }
    if total == 0:
        out.update(hausdorff=0.0, hd95=0.0, assd=0.0, masd=0.0, surface_dice=1.0, boundary_iou=1.0)
        return out
    if ref_area == 0 or cand_area == 0:
        out.update(dict.fromkeys(("hausdorff", "hd95", "assd", "masd"), math.nan))
        out.update(surface_dice=0.0, boundary_iou=0.0)
        return out
    d = inputs.cross
    pred_ref, ref_pred = d.candidate_to_reference, d.reference_to_candidate
    n = len(pred_ref) + len(ref_pred)
    out["hausdorff"] = float(max(pred_ref.max(), ref_pred.max()))
    out["hd95"] = float(
        max(np.percentile(pred_ref, inputs.percentile), np.percentile(ref_pred, inputs.percentile))
    )
    out["assd"] = float((pred_ref.sum() + ref_pred.sum()) / n)
    out["masd"] = float(0.5 * (pred_ref.sum() / len(pred_ref) + ref_pred.sum() / len(ref_pred)))
    tau = inputs.tolerance
    close = np.count_nonzero(pred_ref <= tau) + np.count_nonzero(ref_pred <= tau)
    out["surface_dice"] = float(close / n)
    volume = inputs.ndim == 3
    out["boundary_iou"] = boundary_iou(
        inputs.reference,
        inputs.candidate,
        width=inputs.boundary_width,
        spacing=(1.0,) * inputs.ndim,
        connectivity=6 if volume else 4,
        band="strict",
        box=inputs.box,
        # Known boundary pixels are placed in 2-D; a volume's are found again (one pass).
        boundary_points=None if volume else (d.reference_points, d.candidate_points),
    )
    return out
