"""Why another library's number differs from maskapp's: one sentence per difference.

:func:`explain` compares each library value with maskapp's own value of the
same statistic (as defined by the options of the comparison) and, where they
differ, names the convention that causes it. :func:`warnings` lists the
values that would silently reward a miss in a dataset mean (HD95 of 0, or a
NaN that the library's mean drops).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .context import UNSUPPORTED, Inputs

#: The maskapp statistic (``Comparison`` attribute path) behind each key.
OWN = {
    "dice": "overlap.dice",
    "iou": "overlap.iou",
    "hausdorff": "surface.hausdorff",
    "hd95": "surface.hd95",
    "assd": "surface.assd",
    "asd": "surface.directed_mean_candidate_to_reference",
    "masd": "surface.masd",
    "mean_reference_to_candidate": "surface.directed_mean_reference_to_candidate",
    "mean_candidate_to_reference": "surface.directed_mean_candidate_to_reference",
    "surface_dice": "surface.surface_dice",
    "boundary_iou": "surface.boundary_iou",
}

#: Relative tolerance within which a value counts as maskapp's: float32 libraries round.
_RTOL = {"monai": 1e-5, "torchmetrics": 1e-5, "seg-metrics": 1e-5}
_ATOL = {"seg-metrics": 1e-4}

_DISTANCES = ("hausdorff", "hd95", "assd", "asd", "masd")
_MEANS = ("mean_reference_to_candidate", "mean_candidate_to_reference")
_OVERLAP = ("dice", "iou")

_CROSS = "it erodes with the 4-connected cross (maskapp was asked for the 3×3 square)"
_THICK = (
    "its boundary is every pixel with a background pixel among its 8 neighbours (a thick "
    "line), and the image frame does not count as background"
)
_SURFELS = (
    "it measures between surface elements on the lattice of pixel corners, each weighted "
    "by its contour length (maskapp: between boundary pixel centres, each counted once)"
)
_THICK_3D = (
    "its boundary is every voxel with a background voxel among its 26 neighbours (a thick "
    "surface), and the volume's frame does not count as background"
)
_SURFELS_3D = (
    "it measures between surface elements on the lattice of voxel corners, each weighted "
    "by the area of its marching-cubes triangles (maskapp: between boundary voxel centres, "
    "each counted once)"
)


@dataclass(frozen=True)
class Situation:
    """What about the pair and the options decides which convention shows."""

    reference_empty: bool
    candidate_empty: bool
    shape: tuple[int, int]
    spacing: tuple[float, float] = (1.0, 1.0)
    boundary_connectivity: int = 4
    hd95: str = "max"
    percentile: float = 95.0
    touches_frame: bool = False
    fills_image: bool = False

    @property
    def both_empty(self) -> bool:
        return self.reference_empty and self.candidate_empty

    @property
    def one_empty(self) -> bool:
        return self.reference_empty != self.candidate_empty

    @property
    def volume(self) -> bool:
        return len(self.shape) == 3

    @property
    def missing(self) -> str:
        return "prediction" if self.candidate_empty else "reference"


def situation(inputs: Inputs, options: Mapping) -> Situation:
    """The :class:`Situation` of a pair compared with ``options`` (``Comparison.options``)."""
    ref, cand = inputs.reference, inputs.candidate
    frame = any(
        np.take(mask, [0, -1], axis=axis).any() for mask in (ref, cand) for axis in range(ref.ndim)
    )
    return Situation(
        reference_empty=inputs.reference_area == 0,
        candidate_empty=inputs.candidate_area == 0,
        shape=tuple(ref.shape),
        spacing=tuple(inputs.spacing),
        boundary_connectivity=int(options.get("boundary_connectivity", 4)),
        hd95=str(options.get("hd95", "max")),
        percentile=float(options.get("percentile", 95.0)),
        touches_frame=bool(frame),
        fills_image=inputs.reference_area == ref.size or inputs.candidate_area == cand.size,
    )


def same(library: str, value: float | str, own: float | None) -> bool:
    """Whether a library value is maskapp's value (NaN = NaN, inf = inf, floats within rounding)."""
    if own is None or isinstance(value, str):
        return False
    if math.isnan(value) or math.isnan(own):
        return math.isnan(value) and math.isnan(own)
    if math.isinf(value) or math.isinf(own):
        return value == own
    rtol, atol = _RTOL.get(library, 1e-9), _ATOL.get(library, 1e-12)
    return abs(value - own) <= atol + rtol * abs(own)


def explain(
    values: Mapping[str, Mapping[str, float | str]],
    own: Mapping[str, float | None],
    where: Situation,
) -> dict[str, dict[str, str]]:
    """One sentence for each library value that differs from maskapp's own (``own[key]``)."""
    out: dict[str, dict[str, str]] = {}
    for library, library_values in values.items():
        notes = {
            key: why(library, key, value, where)
            for key, value in library_values.items()
            if key in own and not same(library, value, own[key])
        }
        if notes:
            out[library] = notes
    return out


def why(library: str, key: str, value: float | str, s: Situation) -> str:
    """The convention behind ``library``'s ``value`` for ``key``, in one sentence."""
    if value == UNSUPPORTED:
        from . import LIBRARIES

        sentence = getattr(
            LIBRARIES[library], "VOLUME_REASON", f"{library} is not reproduced on a volume"
        )
        return sentence[0].upper() + sentence[1:] + "."
    sentence = _RULES[library](key, value, s)
    if not sentence.startswith("torchmetrics"):  # the one name written in lower case
        sentence = sentence[0].upper() + sentence[1:]
    return sentence + ("" if sentence.endswith(".") else ".")


def warnings(values: Mapping[str, Mapping[str, float | str]], s: Situation) -> list[str]:
    """Values that silently reward an error in a dataset mean, one sentence each."""
    out = []
    if s.both_empty:
        return out
    what = "missed prediction" if s.candidate_empty else "false prediction on an empty reference"
    for library, library_values in values.items():
        hd95 = library_values.get("hd95")
        if s.one_empty and isinstance(hd95, float) and hd95 == 0.0:
            out.append(
                f"{library} reports HD95 = 0 for this {what}: in a dataset mean the error "
                "counts as a perfect boundary."
            )
        elif s.one_empty and isinstance(hd95, float) and math.isnan(hd95):
            mean = "MONAI's mean" if library == "monai" else "a NaN-dropping mean"
            out.append(
                f"{library} reports HD95 = NaN for this {what}: {mean} leaves the case out, "
                "so the error improves the average instead of worsening it."
            )
        dice = library_values.get("dice")
        if (
            s.reference_empty
            and not s.candidate_empty
            and isinstance(dice, float)
            and math.isnan(dice)
        ):
            out.append(
                f"{library} reports Dice = NaN when the reference is empty: a NaN-dropping "
                "mean leaves this false prediction out, so it costs nothing."
            )
        hausdorff = library_values.get("hausdorff")
        if library == "torchmetrics" and not s.one_empty and not s.both_empty and (
            len(s.shape) == 2
        ):
            rows, cols = s.shape
            if rows < cols and isinstance(hausdorff, float):
                out.append(
                    "torchmetrics' Hausdorff distance is wrong on this image (fewer rows than "
                    "columns, torchmetrics#3300): do not compare with it."
                )
    return out


# --- one rule per library ----------------------------------------------------


def _empty_distance(s: Situation) -> str:
    return "maskapp gives 0 for two empty masks" if s.both_empty else "maskapp gives ∞"


def _empty_overlap(s: Situation) -> str:
    return "maskapp gives 1 for two empty masks" if s.both_empty else "maskapp gives 0"


def _not_the_cross(s: Situation) -> bool:
    """maskapp's boundaries were not eroded with the face-connected cross the peers use."""
    return s.boundary_connectivity not in ((4, 6) if s.volume else (4,))


def _cross(s: Situation) -> str:
    if s.volume:
        return (
            "it erodes with the 6-connected cross (maskapp was asked for the "
            f"{s.boundary_connectivity}-connected neighbourhood)"
        )
    return _CROSS


def _cross_or(s: Situation, otherwise: str) -> str:
    if _not_the_cross(s):
        return _cross(s)
    return otherwise.replace("pixel-centre", "voxel-centre") if s.volume else otherwise


def _hd95_variant(s: Situation, pooled: bool, fixed95: bool) -> str:
    """Why an HD95 differs when only the percentile definition can explain it."""
    parts = []
    if fixed95 and s.percentile != 95:
        parts.append("its HD95 is always the 95th percentile")
    if pooled and s.hd95 == "max":
        parts.append(
            "it pools both directions' distances before taking the percentile (maskapp: "
            "the larger of the two directed percentiles)"
        )
    if not pooled and s.hd95 == "pooled":
        parts.append(
            "it takes the larger of the two directed percentiles (maskapp was asked to pool "
            "both directions)"
        )
    if _not_the_cross(s):
        parts.append(_cross(s))
    return "; ".join(parts) or "its percentile is interpolated in float32"


def _medpy(key: str, value, s: Situation) -> str:
    if isinstance(value, str):
        return (
            "MedPy raises RuntimeError when either mask is empty "
            f"({_empty_distance(s)})"
        )
    if key == "dice" and math.isnan(value):
        return (
            "MedPy 0.5.2 divides 0 by 0 under NumPy 2 (its ZeroDivisionError guard never "
            "fires), so two empty masks give NaN; maskapp gives 1"
        )
    if key == "hd95":
        return _hd95_variant(s, pooled=True, fixed95=True)
    return _cross_or(s, "MedPy measures between pixel-centre boundaries like maskapp")


def _monai(key: str, value, s: Situation) -> str:
    if key in _OVERLAP and isinstance(value, float) and math.isnan(value):
        return (
            "with ignore_empty=True it is NaN whenever the reference is empty, and a MONAI "
            f"mean drops NaN ({_empty_overlap(s)})"
        )
    if s.both_empty:
        maskapp = _empty_overlap(s) if key == "surface_dice" else _empty_distance(s)
        return f"no edges in either mask give NaN, dropped from a MONAI mean ({maskapp})"
    if s.one_empty and key == "hd95":
        return (
            f"NaN on an empty {s.missing}: the percentile of all-infinite distances "
            "interpolates ∞ − ∞ (MONAI#9095) and a MONAI mean drops it; maskapp gives ∞"
        )
    if key == "hd95":
        return _hd95_variant(s, pooled=False, fixed95=False)
    if key == "surface_dice":
        return _cross_or(s, "it compares float32 distances with τ, without maskapp's slack")
    return _cross_or(s, "it computes distances in float32")


def _deepmind(key: str, value, s: Situation) -> str:
    if s.both_empty:
        if key in ("hausdorff", "hd95"):
            return "with no surface elements the percentile of nothing is ∞; maskapp gives 0"
        overlap = key in ("dice", "surface_dice")
        maskapp = _empty_overlap(s) if overlap else _empty_distance(s)
        return f"two empty masks give 0/0 = NaN ({maskapp})"
    if s.one_empty and isinstance(value, float) and math.isnan(value):
        return "the mean over an empty surface is 0/0 = NaN; maskapp gives ∞"
    surfels, weight = (_SURFELS_3D, "area") if s.volume else (_SURFELS, "length")
    if key == "hd95":
        return (
            surfels + f"; its percentile is the first distance whose cumulative {weight} "
            "reaches p % (nearest rank, no interpolation)"
        )
    if key == "dice":
        return "two empty masks give NaN; maskapp gives 1"
    return surfels


def _metricsreloaded(key: str, value, s: Situation) -> str:
    if key == "iou" and s.both_empty:
        return (
            "MetricsReloaded leaves the IoU of two empty masks undefined (NaN) while its "
            "Dice is 1; maskapp gives 1"
        )
    if s.one_empty and isinstance(value, float) and math.isnan(value):
        return (
            "MetricsReloaded gives NaN when exactly one mask is empty, leaving the worst value "
            "to the aggregation; maskapp gives ∞"
        )
    if key == "boundary_iou":
        if s.spacing != (1.0, 1.0):
            return (
                "its band keeps the pixels strictly closer than d to the border, d counted "
                "in pixels whatever the spacing (maskapp: d in spacing units)"
            )
        return "its band keeps the pixels strictly closer than d to the border (maskapp: ≤ d)"
    if key == "hd95":
        return _hd95_variant(s, pooled=False, fixed95=False)
    if key == "surface_dice":
        return _cross_or(s, "it counts distances ≤ τ exactly, without maskapp's rounding slack")
    return _cross_or(s, "MetricsReloaded measures between pixel-centre borders like maskapp")


def _segmetrics(key: str, value, s: Situation) -> str:
    if s.one_empty and key in _DISTANCES:
        return (
            "an empty mask's distance map is all zeros, so every distance is 0: a missed "
            f"structure looks perfect ({_empty_distance(s)})"
        )
    image = "volume" if s.volume else "image"
    if key in _DISTANCES and s.fills_image:
        return (
            f"a mask that fills the whole {image} has no contour for seg-metrics (the frame is "
            "not background), so its distance map holds float32(2⁶⁴)"
        )
    thick = _THICK_3D if s.volume else _THICK
    if key == "hd95":
        pooled = "; it pools both directions' distances" if s.hd95 == "max" else ""
        fixed = "; its HD95 is always the 95th percentile" if s.percentile != 95 else ""
        return thick + pooled + fixed
    if key in _DISTANCES:
        return thick
    return "seg-metrics gives Dice = Jaccard = 1 for two empty masks"


def _torchmetrics(key: str, value, s: Situation) -> str:
    if key in _OVERLAP and isinstance(value, float) and math.isnan(value):
        return "two empty masks give 0/0 = NaN (zero_division='nan'); maskapp gives 1"
    if value == "raises RuntimeError":
        return (
            "its hausdorff_distance takes the max of no distances and raises RuntimeError; "
            "maskapp gives 0"
        )
    if value == "raises ValueError":
        return (
            "torchmetrics 1.9's distance_transform takes 2-D tensors only, so "
            "hausdorff_distance raises ValueError on a volume"
        )
    if value == "raises IndexError":
        return (
            "torchmetrics 1.9 lays out its distance map with the row count as the row stride "
            "and raises IndexError on images with more rows than columns (torchmetrics#3300)"
        )
    if key == "hausdorff" and len(s.shape) == 2 and s.shape[0] < s.shape[1]:
        return (
            "torchmetrics 1.9 lays out its distance map with the row count as the row stride: "
            "on images with fewer rows than columns the value is wrong (torchmetrics#3300)"
        )
    return _cross_or(s, "it computes distances in float32")


_RULES = {
    "medpy": _medpy,
    "monai": _monai,
    "deepmind": _deepmind,
    "metricsreloaded": _metricsreloaded,
    "seg-metrics": _segmetrics,
    "torchmetrics": _torchmetrics,
}

__all__ = ["OWN", "Situation", "explain", "same", "situation", "warnings", "why"]
