"""`compare`: read two masks and compute every statistic family in one call.

Overlap statistics always; boundary distances, per-class tables (label mode)
and per-object matching unless switched off. The result is a frozen
:class:`Comparison` whose :meth:`~Comparison.to_dict` is the CLI's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from . import __version__
from .connectivity import check_for, describe
from .errors import MaskError
from .masks import Interpretation, Kind, Mask
from .metrics import OverlapCounts, OverlapStatistics, overlap_counts, overlap_statistics
from .numbers import json_ready
from .pair import Options, Pair, read_pair
from .void import DEFAULT_VOID, VoidPolicy

if TYPE_CHECKING:
    from .class_distances import ClassDistanceTable
    from .classes import ClassComparison
    from .geometry import Geometry
    from .objects import ObjectComparison
    from .slices import SliceProfile
    from .surface import SurfaceDistances



@dataclass(frozen=True)
class Comparison:
    """Everything maskapp computed for one (reference, candidate) pair.

    ``reference`` / ``candidate`` say how each input was read; ``overlap``
    holds the overlap statistics; ``surface``, ``classes`` and ``objects``
    are None when that family was skipped (or, for ``classes``, in binary
    mode). ``options`` records every choice made, and :meth:`to_dict` states
    them in its ``conventions`` block.
    """

    reference: Interpretation
    candidate: Interpretation
    overlap: OverlapStatistics
    surface: SurfaceDistances | None
    classes: ClassComparison | None
    objects: ObjectComparison | None
    options: dict[str, Any] = field(default_factory=dict)
    #: The masks as compared and what was derived from them (foreground,
    #: confusion map): figures and downloads read them instead of rebuilding.
    pair: Pair | None = field(default=None, repr=False, compare=False)
    #: What other libraries would report (``compare(..., compat=...)``):
    #: library → key → float (NaN, ±inf included) or ``"raises <Exception>"``;
    #: None unless asked for. See :mod:`maskapp.compat`.
    compat: dict[str, dict[str, float | str]] | None = None
    #: library → key → why that value differs from maskapp's own, one sentence.
    compat_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Values that would silently reward an error in a dataset mean.
    compat_warnings: tuple[str, ...] = ()
    #: Label mode: boundary distances per class (volumes by default; 2-D when asked).
    class_distances: ClassDistanceTable | None = None
    #: Volumes: the grid compared on (spacing in force, orientation, affine); None in 2-D.
    geometry: Geometry | None = None
    #: The overlap counts (per-slice profiles of volumes are read from them).
    counts: OverlapCounts | None = field(default=None, repr=False, compare=False)

    def slice_profile(self, axis: int = 0) -> SliceProfile:
        """Areas and Dice of every slice of a volume pair along ``axis`` (no pass over voxels).

        See :mod:`maskapp.slices` for the viewer helpers (a slice of the
        confusion map, the Hausdorff pair's slices, per-class profiles).
        """
        if self.counts is None:
            raise ValueError("this Comparison keeps no overlap counts")
        from .slices import slice_profile

        return slice_profile(self.counts, axis)

    @property
    def confusion(self) -> np.ndarray:
        """uint8 codes 0 TN, 1 TP, 2 FP, 3 FN of the pair compared (read-only)."""
        if self.pair is None:
            raise ValueError("this Comparison keeps no pair (built by hand)")
        return self.pair.confusion

    @property
    def iou(self) -> float:
        return self.overlap.iou

    @property
    def dice(self) -> float:
        return self.overlap.dice

    @property
    def precision(self) -> float:
        return self.overlap.precision

    @property
    def recall(self) -> float:
        return self.overlap.recall

    @property
    def hd95(self) -> float | None:
        return None if self.surface is None else self.surface.hd95

    @property
    def undefined(self) -> dict[str, str]:
        """Every statistic without a finite value, with its reason."""
        out = dict(self.overlap.undefined)
        if self.surface is not None:
            out.update(self.surface.infinite)
        if self.classes is not None:
            out.update({f"classes.{k}": v for k, v in self.classes.undefined.items()})
        if self.objects is not None:
            out.update({f"objects.{k}": v for k, v in self.objects.undefined.items()})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: the CLI's ``--json`` output.

        Undefined or infinite values are ``None`` and their reasons are listed
        under ``undefined``; no NaN or Infinity ever appears.
        """
        o = self.overlap
        out: dict[str, Any] = {
            "shape": list(o.shape),
            "kind": self.reference.kind,
            "reference_area": o.reference_area,
            "candidate_area": o.candidate_area,
            "intersection": o.intersection,
            "union": o.union,
            "tp": o.tp,
            "fp": o.fp,
            "fn": o.fn,
            "tn": o.tn,
            "iou": o.iou,
            "dice": o.dice,
            "precision": o.precision,
            "recall": o.recall,
            "specificity": o.specificity,
            "accuracy": o.accuracy,
            "balanced_accuracy": o.balanced_accuracy,
            "mcc": o.mcc,
            "kappa": o.kappa,
            "volume_similarity": o.volume_similarity,
            "relative_area_difference": o.relative_area_difference,
            "centroid_reference": o.centroid_reference,
            "centroid_candidate": o.centroid_candidate,
            "centroid_offset": o.centroid_offset,
            "bbox_reference": o.bbox_reference,
            "bbox_candidate": o.bbox_candidate,
            "both_empty": o.both_empty,
            "reference_empty": o.reference_empty,
            "candidate_empty": o.candidate_empty,
        }
        if self.surface is not None:
            surface = self.surface.to_dict()
            surface.pop("infinite", None)  # reasons are merged under "undefined"
            surface["boundary_connectivity"] = surface.pop("connectivity")
            out.update(surface)
        if self.classes is not None:
            classes = self.classes.to_dict()
            out["per_class"] = classes.pop("per_class")
            out["mean_iou"] = self.classes.mean_iou
            out["mean_dice"] = self.classes.mean_dice
            out["classes"] = classes
        if self.objects is not None:
            out["objects"] = self.objects.to_dict(include_objects=False)
        if self.class_distances is not None:
            out["per_class_distances"] = self.class_distances.to_dict()["per_class"]
        if self.geometry is not None:
            g = self.geometry
            out["spacing"] = list(g.spacing) if g.spacing else None
            out["orientation"] = g.orientation
            out["distance_unit"] = g.unit
            out["geometry"] = g.to_dict()
            if self.surface is not None and self.surface.hausdorff_pair is not None:
                out["hausdorff_pair_world"] = [g.to_world(p) for p in self.surface.hausdorff_pair]
            if o.centroid_reference is not None:
                out["centroid_reference_world"] = g.to_world(o.centroid_reference)
            if o.centroid_candidate is not None:
                out["centroid_candidate_world"] = g.to_world(o.centroid_candidate)
        out["reference"] = self.reference.to_dict()
        out["candidate"] = self.candidate.to_dict()
        out["undefined"] = self.undefined
        out["conventions"] = conventions(self.options)
        if self.compat is not None:
            from .compat import compat_block

            out.update(compat_block(self))
        out["maskapp_version"] = __version__
        return json_ready(out)


def conventions(options: dict[str, Any]) -> dict[str, Any]:
    """The conventions block: every choice behind the numbers, in words and values."""
    kind = options.get("kind", "binary")
    out: dict[str, Any] = {
        "reference": "ground truth (A); candidate = prediction (B)",
        "precision": "|A∩B| / |B|",
        "recall": "|A∩B| / |A|",
        "both_empty": "IoU = Dice = 1.0 (flagged both_empty); every distance 0",
        "one_empty": (
            "IoU = Dice = 0.0; Hausdorff, HD95, ASSD, MASD infinite (null in JSON, "
            "reason under 'undefined')"
        ),
        "zero_denominator": "undefined: null in JSON with the reason under 'undefined'",
        "bbox": "(min_row, min_col, max_row, max_col), half-open",
        "axes": "(row, col); spacing = (row_spacing, col_spacing)",
        "kind": kind,
        "resize": (
            "candidate resized to the reference by nearest neighbour"
            if options.get("resized")
            else "none (sizes must match)"
        ),
    }
    if options.get("distances"):
        out.update(
            {
                "spacing": list(options["spacing"]),
                "boundary": (
                    "mask XOR its erosion by the "
                    + (
                        "4-connected cross"
                        if options["boundary_connectivity"] == 4
                        else "3×3 square"
                    )
                    + "; pixels outside the image count as background"
                ),
                "boundary_connectivity": options["boundary_connectivity"],
                "hd95_percentile": options.get("percentile", 95.0),
                "hd95": (
                    "max of the two directed 95th percentiles, linearly interpolated (as "
                    "MONAI and MetricsReloaded; DeepMind's surface-distance differs: it "
                    "weights each direction's percentile by surface-element area and does "
                    "not interpolate)"
                    if options["hd95"] == "max"
                    else "95th percentile of both directions pooled (as MedPy hd95; "
                    "seg-metrics only with boundary_connectivity=8 and no foreground on "
                    "the image frame)"
                ),
                "assd": "mean of all boundary distances of both directions pooled",
                "masd": "average of the two directed mean distances (MetricsReloaded)",
                "surface_dice_tolerance": options["tolerance"],
                "boundary_iou_width": options["boundary_width"],
                "boundary_iou_band": (
                    "pixels strictly closer than the width to the boundary (< d)"
                    if options.get("boundary_band") == "strict"
                    else "pixels within the width of the boundary (≤ d)"
                ),
            }
        )
    if kind == "labels":
        out.update(
            {
                "void": options.get("void"),
                "void_policy": (
                    "pixels where the reference is void are ignored (VOC)"
                    if options.get("void_policy") == "reference"
                    else "pixels where either map is void are ignored"
                ),
                "background": 0,
                "mean_over": (
                    "classes present in either map, background "
                    + ("included" if options.get("include_background") else "excluded")
                ),
                "absent_class": "undefined (not 0, not 1), left out of the means",
                "binary_statistics": (
                    "foreground = any class other than background 0, void ignored"
                ),
            }
        )
    if options.get("ndim") == 3:
        unit = options.get("distance_unit", "mm")
        out.update(
            {
                "axes": "array axes (k, j, i): the file's last axis first; shape, spacing, "
                "centroids, boxes and the Hausdorff pair are in that order; sizes written i×j×k",
                "spacing": list(options["spacing"]),
                "distance_unit": unit,
                "orientation": options.get("orientation"),
                "world_coordinates": "*_world values are RAS+ (nibabel's convention), in "
                f"{unit}, from the reference's affine",
                "bbox": "(min_k, min_j, min_i, max_k, max_j, max_i), half-open",
                "per_class_distances": "per class k: the distances of (reference == k) and "
                "(candidate == k), void removed; classes in one map only are infinite (null)",
            }
        )
        if options.get("distances"):
            out["boundary"] = (
                f"mask XOR its erosion by {describe(options['boundary_connectivity'], 3)}; "
                "voxels outside the volume count as background"
            )
    if options.get("objects"):
        out.update(
            {
                "object_connectivity": options["connectivity"],
                "object_matching": (f"one-to-one (Hungarian), IoU ≥ {options['match_iou']:g}"),
            }
        )
        if options.get("objects_from") == "labels":
            out["objects_from"] = (
                "each nonzero id of the label map is one object, connected or not (instance "
                "ids, as MONAI's panoptic quality takes them); the connectivity is not used"
            )
    return out


def compare(
    reference,
    candidate,
    *,
    kind: Kind = "binary",
    threshold: float | None = None,
    void: int | None = DEFAULT_VOID,
    void_policy: VoidPolicy = "reference",
    include_background: bool = False,
    class_names: Mapping[int, str] | None = None,
    resize: bool = False,
    volume: bool = False,
    reorient: bool = False,
    class_distances: bool | None = None,
    distances: bool = True,
    objects: bool = True,
    spacing: tuple[float, float] = (1.0, 1.0),
    hd95: Literal["max", "pooled"] = "max",
    boundary_connectivity: Literal[4, 8] = 4,
    tolerance: float = 1.0,
    boundary_width: float = 2.0,
    connectivity: Literal[4, 8] = 8,
    match_iou: float = 0.5,
    percentile: float = 95.0,
    boundary_band: Literal["inclusive", "strict"] = "inclusive",
    objects_from: Literal["components", "labels"] = "components",
    compat: str | Sequence[str] | None = None,
) -> Comparison:
    """Compare a reference mask (A, ground truth) with a candidate (B, prediction).

    Parameters
    ----------
    reference, candidate : path, bytes, file-like, Mask or array-like
        Anything :func:`maskapp.read_mask` reads.
    kind : {'binary', 'labels'}
        Binary masks, or multi-class label maps (adds the per-class family).
    threshold : float, optional
        Binary mode: foreground = value > threshold, for both inputs.
    void : int or None
        Label mode: void label (default 255), counted in no statistic.
    void_policy : {'reference', 'either'}
        Ignore pixels where the reference is void (VOC) or where either is.
    include_background : bool
        Label mode: include class 0 in the mean IoU / Dice.
    class_names : mapping of int to str, optional
        Label mode: names shown for classes in tables.
    resize : bool
        Resize the candidate to the reference by nearest neighbour when the
        sizes differ. Without it a size mismatch raises :class:`MaskError`.
        Volumes are never resized: they must share one grid.
    volume : bool
        Read 3-D arrays and ``.npy`` files as volumes (NIfTI and NRRD files
        always are). A volume's spacing comes from its header; three numbers
        in ``spacing`` override it (noted in ``Comparison.geometry``).
    reorient : bool
        Volumes: flip/permute the candidate's axes to the reference's
        orientation when their axis codes differ (noted); otherwise that is a
        :class:`MaskError` naming both grids.
    class_distances : bool, optional
        Label mode: boundary distances per class (``Comparison.class_distances``);
        by default on for volumes, off for 2-D label maps.
    distances : bool
        Compute the boundary-distance family (Hausdorff, HD95, ASSD …).
    objects : bool
        Compute the per-object family (connected components, matching, PQ).
    spacing : (float, float)
        Pixel size along rows and columns; distances are pixels × spacing.
    hd95 : {'max', 'pooled'}
        HD95 as the larger directed 95th percentile, or pooled (MedPy).
    boundary_connectivity : {4, 8}
        Erosion element for boundaries: the 4-connected cross or the square.
    tolerance : float
        Surface Dice tolerance τ, in spacing units.
    boundary_width : float
        Boundary IoU band width d, in spacing units.
    connectivity : {4, 8}
        Connectivity of objects (connected components).
    match_iou : float
        Object matching threshold (IoU ≥ match_iou).
    percentile : float
        Percentile p in (0, 100] of the robust Hausdorff distance held as
        ``hd95`` (and the directed values): 95 by default.
    boundary_band : {'inclusive', 'strict'}
        Boundary IoU band: pixels within ≤ d of the boundary (default) or
        < d (as MetricsReloaded).
    objects_from : {'components', 'labels'}
        Objects are connected components of the foreground (default), or —
        label maps only — each nonzero id of the map is one object, connected
        or not (instance ids, as MONAI's panoptic quality takes them).
    compat : str or sequence of str, optional
        Libraries whose numbers to reproduce for the pair (``'all'``, or
        any of ``'medpy'``, ``'monai'``, ``'deepmind'``, ``'metricsreloaded'``,
        ``'seg-metrics'``, ``'torchmetrics'``): fills ``Comparison.compat``,
        ``compat_notes`` and ``compat_warnings`` (see :mod:`maskapp.compat`).

    Returns
    -------
    Comparison

    Raises
    ------
    MaskError
        Unusable input, or a size mismatch without ``resize=True``.

    Examples
    --------
    >>> r = compare([[1, 1, 0, 0]], [[0, 1, 1, 0]], distances=False, objects=False)
    >>> round(r.iou, 4), r.dice
    (0.3333, 0.5)
    >>> compare([[0, 0]], [[0, 0]], distances=False, objects=False).overlap.both_empty
    True
    """
    opts = Options(
        kind=kind,
        threshold=threshold,
        void=void,
        void_policy=void_policy,
        include_background=include_background,
        class_names=class_names,
        resize=resize,
        volume=volume,
        reorient=reorient,
        class_distances=class_distances,
        distances=distances,
        objects=objects,
        spacing=spacing,
        hd95=hd95,
        boundary_connectivity=boundary_connectivity,
        tolerance=tolerance,
        boundary_width=boundary_width,
        connectivity=connectivity,
        match_iou=match_iou,
        percentile=percentile,
        boundary_band=boundary_band,
        objects_from=objects_from,
        compat=() if compat is None else compat,
    )
    return _compare(reference, candidate, opts, threshold, kind)


def _compare(reference, candidate, opts: Options, threshold, kind) -> Comparison:
    """:func:`compare` once the options are checked."""
    # 0/1 arrays (what decoding a PNG gives) skip the generic interpretation:
    # the fused counting pass verifies they are 0/1 on the fly.
    counts = None
    if kind == "binary" and threshold is None and _is_01_candidate(reference, candidate):
        counts = overlap_counts(reference, candidate)
        if counts.max_reference <= 1 and counts.max_candidate <= 1:
            pair = Pair(
                _fast_mask(reference, counts.reference_area),
                _fast_mask(candidate, counts.candidate_area),
                opts,
            )
            return compare_pair(pair, counts=counts)
    return compare_pair(read_pair(reference, candidate, opts))


def compare_pair(pair: Pair, *, counts: OverlapCounts | None = None) -> Comparison:
    """Every statistic family of a :class:`~maskapp.pair.Pair` (read and checked already).

    ``counts`` are the pair's overlap counts when the caller has them (the
    fast path of :func:`compare` counts while it verifies its input).
    """
    opts = pair.options
    ref_fg, cand_fg = pair.foreground
    # Volumes: spacing from the headers (or given), 4/8 read as 6/26 (maskapp.connectivity).
    spacing, ndim = pair.spacing, pair.ndim
    boundary_connectivity = check_for(opts.boundary_connectivity, ndim, "boundary connectivity")
    object_connectivity = check_for(opts.connectivity, ndim, "object connectivity")
    classes = None
    per_class_distances = None
    if pair.kind == "labels":
        from .classes import compare_classes

        classes = compare_classes(
            pair.reference.array,
            pair.candidate.array,
            void=pair.void,
            void_policy=opts.void_policy,
            include_background=opts.include_background,
            names=opts.class_names,
            volume=ndim == 3,
        )
        wanted = opts.class_distances if opts.class_distances is not None else ndim == 3
        if opts.distances and wanted:
            from .class_distances import class_distances

            per_class_distances = class_distances(
                pair.reference.array,
                pair.candidate.array,
                spacing=spacing,
                connectivity=boundary_connectivity,
                hd95=opts.hd95,
                tolerance=opts.tolerance,
                percentile=opts.percentile,
                void=pair.void,
                void_policy=opts.void_policy,
                include_background=opts.include_background,
                names=opts.class_names,
            )
    if counts is None:
        counts = overlap_counts(ref_fg, cand_fg)
    overlap = overlap_statistics(counts, spacing=spacing, ignored=pair.ignored_pixels)
    # Boundaries and objects live inside the box around both masks; the counts
    # know it already, so neither family scans the whole image to find it.
    box = counts.union_box() or (slice(0, 0),) * ndim

    surface = None
    if opts.distances:
        from .surface import surface_distances

        surface = surface_distances(
            ref_fg,
            cand_fg,
            spacing=spacing,
            connectivity=boundary_connectivity,
            hd95=opts.hd95,
            tolerance=opts.tolerance,
            boundary_width=opts.boundary_width,
            box=box,
            percentile=opts.percentile,
            band=opts.boundary_band,
        )
    object_result = None
    if opts.objects:
        from .objects import compare_objects

        ref_objects, cand_objects = ref_fg, cand_fg
        if opts.objects_from == "labels":  # instance ids; void and background are no object
            ref_objects = np.where(ref_fg, pair.reference.array, 0)
            cand_objects = np.where(cand_fg, pair.candidate.array, 0)
        object_result = compare_objects(
            ref_objects,
            cand_objects,
            connectivity=object_connectivity,
            match_iou=opts.match_iou,
            box=box,
            objects_from=opts.objects_from,
        )
    options = opts.to_dict()
    options.update(kind=pair.kind, void=pair.void, resized=pair.resized)
    geometry = pair.geometry
    if geometry is not None:
        options.update(
            spacing=spacing,
            boundary_connectivity=boundary_connectivity,
            connectivity=object_connectivity,
            ndim=ndim,
            distance_unit=geometry.unit,
            orientation=geometry.orientation,
        )
    result = Comparison(
        class_distances=per_class_distances,
        geometry=geometry,
        counts=counts,
        reference=pair.reference.info,
        candidate=pair.candidate.info,
        overlap=overlap,
        surface=surface,
        classes=classes,
        objects=object_result,
        options=options,
        pair=pair,
    )
    if opts.compat:
        from .compat import with_compat

        return with_compat(result, opts.compat)
    return result


def _is_01_candidate(reference, candidate) -> bool:
    """Both are same-shape 2-D bool/uint8 ndarrays, eligible for the fast path."""
    return (
        isinstance(reference, np.ndarray)
        and isinstance(candidate, np.ndarray)
        and reference.ndim == 2
        and reference.shape == candidate.shape
        and reference.size > 0
        and reference.dtype in (np.bool_, np.uint8)
        and candidate.dtype in (np.bool_, np.uint8)
    )


def _fast_mask(array: np.ndarray, area: int) -> Mask:
    """A binary Mask for a verified 0/1 array, described without another pass."""
    from .masks import MAX_PIXELS, _too_large

    if array.size > MAX_PIXELS:
        raise MaskError(_too_large(*array.shape))
    values: tuple = (0, 1) if 0 < area < array.size else ((1,) if area else (0,))
    bool_view = np.ascontiguousarray(array).view(np.bool_)
    if array.dtype == bool:
        values = tuple(bool(v) for v in values)
    info = Interpretation(
        source="numpy array",
        format=None,
        mode="array",
        dtype=str(array.dtype),
        shape=array.shape,
        kind="binary",
        rule="set pixels are foreground" if array.dtype == bool else "nonzero is foreground",
        values=values,
        n_values=len(values),
        foreground=area,
        value_range=(values[0], values[-1]),
    )
    return Mask(bool_view, info)
