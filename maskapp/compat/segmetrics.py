"""seg-metrics 1.2.8 (SimpleITK 2.5): what ``write_metrics`` reports for one label.

Call reproduced::

    write_metrics(labels=[1], gdth_img=reference, pred_img=candidate, csv_file=None,
                  spacing=[row, col], metrics=["dice", "jaccard", "hd", "hd95", "msd"])[0]

Conventions: the boundary is ``sitk.LabelContour(fullyConnected=True)``:
foreground pixels with a background pixel among their 8 neighbours (a
"thick" line), and the image frame is *not* background, so foreground on the
frame is no boundary there. Distances come from
``SignedMaurerDistanceMap`` in float32 and are pooled over both directions:
``hd95`` is their 95th percentile (always 95), ``msd`` their mean. An empty
mask's distance map is all zeros, so every distance is 0 whenever a mask is
empty (a missed structure scores HD95 = 0); a mask that fills the whole
image has no contour and its distance map holds float32(2⁶⁴ − 2⁴⁰).
Dice and Jaccard of two empty masks are 1.

In 3-D the contour is the same filter's 26-neighbour one (foreground voxels
with a background voxel among their 26 neighbours, the frame not
background), which is also what the Maurer map measures to
(:func:`maskapp.compat.volume.label_contour`); ``spacing`` is then
``[z, y, x]`` in array order.
"""

from __future__ import annotations

import numpy as np

from . import volume
from .context import Inputs, nearest

NAME = "seg-metrics"
TITLE = "seg-metrics 1.2.8"
KEYS = ("dice", "iou", "hausdorff", "hd95", "assd")
CALLS = (
    "seg_metrics.write_metrics(labels=[1], gdth_img=reference, pred_img=candidate, "
    "csv_file=None, spacing=[row, col], metrics=['dice', 'jaccard', 'hd', 'hd95', 'msd'])[0]: "
    "dice, iou = jaccard, hausdorff = hd, hd95, assd = msd"
)

#: What SimpleITK's Maurer distance map holds when the mask has no contour.
NO_CONTOUR = float(np.float32(2.0**64 - 2.0**40))


def values(inputs: Inputs) -> dict[str, float | str]:
    """What seg-metrics reports for each key."""
    ref_area, cand_area, inter = inputs.reference_area, inputs.candidate_area, inputs.intersection
    total = ref_area + cand_area
    out: dict[str, float | str] = {
        "dice": 2 * inter / total if total else 1.0,
        "iou": inter / inputs.union if total else 1.0,
    }
    if inputs.box is None:
        out.update(hausdorff=0.0, hd95=0.0, assd=0.0)
        return out
    if inputs.ndim == 3:
        box, spacing = inputs.box, inputs.spacing
        (ref, ref_on), (cand, cand_on) = (
            volume.label_contour_on(mask, box) for mask in (inputs.reference, inputs.candidate)
        )
        origin, ball = np.array([b.start for b in box]), volume.lattice_ball(spacing)

        def find(points, targets, on):
            return volume.nearest_on_lattice(points, targets, on, origin, spacing, ball)

        pooled = np.concatenate(
            [
                _towards(cand, ref, ref_area, spacing, lambda p, t: find(p, t, ref_on)),
                _towards(ref, cand, cand_area, spacing, lambda p, t: find(p, t, cand_on)),
            ]
        )
    else:
        (ref, _), (cand, _) = inputs.thick  # the frame is not background
        pooled = np.concatenate(
            [
                _towards(cand, ref, ref_area, inputs.spacing),
                _towards(ref, cand, cand_area, inputs.spacing),
            ]
        )
    if len(pooled) == 0:
        out.update(hausdorff=0.0, hd95=0.0, assd=0.0)
        return out
    out["hausdorff"] = float(pooled.max())
    out["hd95"] = float(np.percentile(pooled, 95))
    out["assd"] = float(pooled.mean())
    return out


def _towards(
    points: np.ndarray, target: np.ndarray, target_area: int, spacing, find=None
) -> np.ndarray:
    """Float32 distances of ``points`` read from the target's Maurer map (float64 for pooling).

    ``find(points, target)`` gives the exact nearest distances (default
    :func:`~maskapp.compat.context.nearest`).
    """
    if target_area == 0:
        return np.zeros(len(points))
    if len(target) == 0:
        return np.full(len(points), NO_CONTOUR)
    exact = (find or (lambda p, t: nearest(p, t, spacing)))(points, target)
    return exact.astype(np.float32).astype(np.float64)
