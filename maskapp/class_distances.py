"""Boundary distances per class of two label maps or volumes: the table challenges report.

For every class k, A_k = reference pixels of class k and B_k = candidate pixels
of class k (void removed by the void policy, as in :mod:`maskapp.classes`), and
:func:`maskapp.surface.surface_distances` runs once on the pair — cropped to the
box around A_k ∪ B_k, so each class costs what its own extent costs, not the
whole volume. Every distance statistic (Hausdorff, HD95, ASSD, MASD, surface
Dice at τ, the directed values, the Hausdorff pair) is read from that one pass.

Conventions (also in :meth:`ClassDistanceTable.conventions`):

- a class absent from both maps is not measured (no row; it has no boundary);
- a class in one map only has infinite distances (null in JSON, reason under
  ``infinite``) and surface Dice 0 — a missed organ is never a distance of 0;
- background (0) is left out unless ``include_background``;
- distances are in the unit of ``spacing`` (millimetres for NIfTI/NRRD).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from scipy import ndimage

from .numbers import json_ready
from .surface import SurfaceDistances, surface_distances
from .void import DEFAULT_VOID, VoidPolicy, check_void_policy

_FIELDS = (
    "hausdorff",
    "hd95",
    "assd",
    "masd",
    "surface_dice",
    "directed_hausdorff_reference_to_candidate",
    "directed_hausdorff_candidate_to_reference",
    "directed_hd95_reference_to_candidate",
    "directed_hd95_candidate_to_reference",
    "directed_mean_reference_to_candidate",
    "directed_mean_candidate_to_reference",
    "reference_boundary_pixels",
    "candidate_boundary_pixels",
    "hausdorff_pair",
    "infinite",
)


@dataclass(frozen=True)
class ClassDistances:
    """The boundary distances of one class (see :class:`~maskapp.surface.SurfaceDistances`).

    ``box`` is the class's box (A_k ∪ B_k) in array coordinates; ``surface``
    the full result of its one pass (``hausdorff_pair`` in array coordinates).
    """

    label: int
    name: str
    surface: SurfaceDistances = field(repr=False)
    box: tuple[slice, ...] = field(repr=False)

    def __getattr__(self, name: str) -> Any:
        if name in _FIELDS:
            return getattr(self.surface, name)
        raise AttributeError(name)

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready row: label, name, every distance, reasons under ``infinite``."""
        row: dict[str, Any] = {"label": self.label, "name": self.name}
        row.update({f: getattr(self.surface, f) for f in _FIELDS})
        row["infinite"] = dict(self.surface.infinite)
        return json_ready(row)


@dataclass(frozen=True)
class ClassDistanceTable:
    """Per-class boundary distances, one :class:`ClassDistances` per measured class."""

    classes: tuple[ClassDistances, ...]
    spacing: tuple[float, ...]
    connectivity: int
    hd95_variant: str
    tolerance: float
    percentile: float = 95.0

    def __getitem__(self, label: int) -> ClassDistances:
        for c in self.classes:
            if c.label == label:
                return c
        raise KeyError(label)

    def table(self) -> list[dict[str, Any]]:
        """One row per class for CSV or a dataframe (None for infinite values)."""
        rows = []
        for c in self.classes:
            row = c.to_dict()
            reasons = row.pop("infinite")
            row["note"] = "; ".join(sorted(set(reasons.values())))
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rows, the options used, conventions."""
        return json_ready(
            {
                "per_class": [c.to_dict() for c in self.classes],
                "spacing": list(self.spacing),
                "boundary_connectivity": self.connectivity,
                "hd95_variant": self.hd95_variant,
                "percentile": self.percentile,
                "tolerance": self.tolerance,
                "conventions": self.conventions(),
            }
        )

    def conventions(self) -> dict[str, str]:
        """The choices behind the table, in words."""
        return {
            "classes": "every class in either map except void (and background unless included)",
            "mask": "A_k = reference == k, B_k = candidate == k, void removed as in per_class",
            "crop": "each class measured inside the box around A_k ∪ B_k (exact: outside is "
            "background)",
            "one_sided_class": "infinite distances (null), surface Dice 0",
            "absent_class": "not measured (no row)",
            "hd95": f"{self.hd95_variant} variant, as the binary distances",
        }


def class_distances(
    reference: np.ndarray,
    candidate: np.ndarray,
    *,
    spacing: tuple[float, ...] | None = None,
    connectivity: int = 4,
    hd95: Literal["max", "pooled"] = "max",
    tolerance: float = 1.0,
    percentile: float = 95.0,
    void: int | None = DEFAULT_VOID,
    void_policy: VoidPolicy = "reference",
    background: int | None = 0,
    include_background: bool = False,
    labels: Sequence[int] | None = None,
    names: Mapping[int, str] | None = None,
) -> ClassDistanceTable:
    """Hausdorff, HD95, ASSD, MASD and surface Dice of every class of two label maps.

    Parameters
    ----------
    reference, candidate : ndarray of int, shape (rows, cols) or (k, j, i)
        Label maps or volumes of one shape.
    spacing : tuple of float, optional
        One number per axis (default 1 per axis); distances are in its unit.
    connectivity : int
        Boundary definition, as :func:`maskapp.surface.boundary` (4/8 in 2-D,
        6/18/26 in 3-D).
    hd95, tolerance, percentile
        As :func:`maskapp.surface.surface_distances`.
    void, void_policy
        As :func:`maskapp.classes.compare_classes`: ignored pixels belong to
        no class.
    background, include_background
        The background class and whether it is measured (not by default).
    labels : sequence of int, optional
        Measure only these classes (those absent from both maps are skipped).
    names : mapping of int to str, optional
        Display names.

    Returns
    -------
    ClassDistanceTable

    Examples
    --------
    >>> a = np.zeros((6, 8), np.uint8); a[1:4, 1:4] = 1; a[1:4, 5:7] = 2
    >>> b = np.zeros((6, 8), np.uint8); b[1:4, 2:5] = 1
    >>> t = class_distances(a, b)
    >>> [(c.label, c.hausdorff, c.infinite.get("hausdorff")) for c in t.classes]
    [(1, 1.0, None), (2, inf, 'the candidate is empty')]
    """
    reference = np.asarray(reference)
    candidate = np.asarray(candidate)
    if reference.shape != candidate.shape or reference.ndim not in (2, 3):
        raise ValueError(
            "class_distances needs two 2-D or 3-D label maps of the same shape, not "
            f"{reference.shape} and {candidate.shape}"
        )
    void_policy = check_void_policy(void_policy)
    ndim = reference.ndim
    spacing = tuple(float(s) for s in (spacing or (1.0,) * ndim))
    zero = include_background and background == 0
    ref_boxes = _boxes(reference, zero)
    cand_boxes = _boxes(candidate, zero)
    present = set(ref_boxes) | set(cand_boxes)
    present.discard(void)
    if not include_background and background is not None:
        present.discard(background)
    if labels is not None:
        present &= {int(v) for v in labels}
    names = names or {}
    rows = []
    for label in sorted(present):
        box = _union(ref_boxes.get(label), cand_boxes.get(label))
        ref = reference[box] == label
        cand = candidate[box] == label
        if void is not None:
            # A candidate pixel on an ignored pixel counts nowhere (either policy:
            # the reference is void there; 'either' also drops candidate void,
            # which is never class `label` anyway).
            cand &= reference[box] != void
            if void_policy == "either":
                ref &= candidate[box] != void
        result = surface_distances(
            ref,
            cand,
            spacing=spacing,
            connectivity=connectivity,
            hd95=hd95,
            tolerance=tolerance,
            percentile=percentile,
            with_boundary_iou=False,
            box=tuple(slice(0, n) for n in ref.shape),
        )
        if result.hausdorff_pair is not None:
            origin = [b.start for b in box]
            shifted = tuple(
                tuple(int(v) + o for v, o in zip(point, origin, strict=True))
                for point in result.hausdorff_pair
            )
            result = replace(result, hausdorff_pair=shifted)
        rows.append(ClassDistances(label, str(names.get(label, label)), result, box))
    return ClassDistanceTable(
        classes=tuple(rows),
        spacing=spacing,
        connectivity=connectivity,
        hd95_variant=hd95,
        tolerance=float(tolerance),
        percentile=float(percentile),
    )


def _boxes(labels: np.ndarray, with_zero: bool) -> dict[int, tuple[slice, ...]]:
    """Bounding box of every label present, from one :func:`scipy.ndimage.find_objects` pass."""
    if labels.dtype == bool:
        labels = labels.view(np.uint8)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"label maps must be integer arrays, not {labels.dtype}")
    top = int(labels.max()) if labels.size else 0
    if top == 0:
        return {}
    if labels.dtype.kind == "i" and int(labels.min()) < 0:
        raise ValueError("label maps must not hold negative labels")
    found = ndimage.find_objects(labels, max_label=top)
    out = {i: box for i, box in enumerate(found, start=1) if box is not None}
    if with_zero:  # background's box is (almost always) the whole map
        out[0] = tuple(slice(0, n) for n in labels.shape)
    return out


def _union(a: tuple[slice, ...] | None, b: tuple[slice, ...] | None) -> tuple[slice, ...]:
    if a is None:
        return b  # type: ignore[return-value]
    if b is None:
        return a
    return tuple(
        slice(min(x.start, y.start), max(x.stop, y.stop)) for x, y in zip(a, b, strict=True)
    )
