"""A validated pair of masks and the options every statistic is computed with.

:class:`Options` checks every choice once, when it is made, and says what is
wrong in one sentence (:class:`MaskError`), so no shell ever shows a
traceback for an option value. :class:`Pair` holds the two masks as read
and computes, once, what every family and every figure reads: the binary
foreground of each mask (void removed), the number of ignored pixels and
the TP/FP/FN/TN confusion map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np

from .connectivity import check_connectivity
from .errors import MaskError
from .geometry import Geometry, check_same_geometry, reorient
from .masks import Kind, Mask, check_same_shape, resized_mask
from .overlap import confusion_map
from .void import DEFAULT_VOID, VoidPolicy, check_void, check_void_policy, label_foreground
from .volumes import label_volume_foreground, volume_confusion_map

Connectivity = Literal[4, 8, "face", "edge", "vertex"]
HD95Variant = Literal["max", "pooled"]
Band = Literal["inclusive", "strict"]
ObjectsFrom = Literal["components", "labels"]


@dataclass(frozen=True)
class Options:
    """Every choice behind a comparison, validated on construction.

    Parameters are those of :func:`maskapp.compare` (which builds one from its
    keyword arguments); see its docstring for their meaning.

    Raises
    ------
    MaskError
        Any value out of its range, naming the option and the value.

    Examples
    --------
    >>> Options(tolerance=2).tolerance
    2.0
    >>> Options(tolerance=-1)
    Traceback (most recent call last):
    ...
    maskapp.errors.MaskError: The surface Dice tolerance must be a finite number ≥ 0, not -1; ...
    """

    kind: Kind = "binary"
    threshold: float | None = None
    void: int | None = DEFAULT_VOID
    void_policy: VoidPolicy = "reference"
    include_background: bool = False
    class_names: Mapping[int, str] | None = field(default=None, compare=False)
    resize: bool = False
    volume: bool = False
    reorient: bool = False
    class_distances: bool | None = None
    distances: bool = True
    objects: bool = True
    spacing: tuple[float, float] = (1.0, 1.0)
    hd95: HD95Variant = "max"
    boundary_connectivity: Connectivity = 4
    tolerance: float = 1.0
    boundary_width: float = 2.0
    connectivity: Connectivity = 8
    match_iou: float = 0.5
    percentile: float = 95.0
    boundary_band: Band = "inclusive"
    objects_from: ObjectsFrom = "components"
    #: Libraries whose numbers are reproduced too (:mod:`maskapp.compat`): names or 'all'.
    compat: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise in place once
        if self.kind not in ("binary", "labels"):
            raise MaskError(f"The kind must be 'binary' or 'labels', not {self.kind!r}.")
        if self.threshold is not None:
            set_(self, "threshold", _finite(self.threshold, "threshold", "a finite number"))
        set_(self, "void", check_void(self.void))
        set_(self, "void_policy", check_void_policy(self.void_policy))
        if self.hd95 not in ("max", "pooled"):
            raise MaskError(
                f"The HD95 variant must be 'max' or 'pooled', not {self.hd95!r}; choose one."
            )
        for name, what in (
            ("connectivity", "object connectivity"),
            ("boundary_connectivity", "boundary connectivity"),
        ):
            set_(self, name, check_connectivity(getattr(self, name), what))
        set_(self, "spacing", check_spacing(self.spacing))
        tolerance = _finite(self.tolerance, "surface Dice tolerance", "a finite number ≥ 0")
        if tolerance < 0:
            raise MaskError(
                f"The surface Dice tolerance must be a finite number ≥ 0, not {self.tolerance:g}; "
                "0 counts only boundary pixels that coincide."
            )
        set_(self, "tolerance", tolerance)
        width = _finite(self.boundary_width, "Boundary IoU width", "a finite number > 0")
        if width <= 0:
            raise MaskError(
                f"The Boundary IoU width must be a finite number > 0, not {self.boundary_width:g}; "
                "2 pixels is common."
            )
        set_(self, "boundary_width", width)
        match = _finite(self.match_iou, "matching IoU", "a number between 0 and 1")
        if not 0.0 <= match <= 1.0:
            raise MaskError(
                f"The matching IoU must be between 0 and 1, not {self.match_iou:g}; "
                "0.5 makes the matching unique."
            )
        set_(self, "match_iou", match)
        percentile = _finite(self.percentile, "HD percentile", "a number in (0, 100]")
        if not 0 < percentile <= 100:
            raise MaskError(
                f"The HD percentile must be a number in (0, 100], not {self.percentile:g}; "
                "95 gives HD95, 100 the Hausdorff distance."
            )
        set_(self, "percentile", percentile)
        if self.boundary_band not in ("inclusive", "strict"):
            raise MaskError(
                f"The Boundary IoU band must be 'inclusive' (≤ d) or 'strict' (< d), not "
                f"{self.boundary_band!r}; choose one."
            )
        if self.objects_from not in ("components", "labels"):
            raise MaskError(
                f"Objects come from 'components' (connected components) or 'labels' (an "
                f"instance-id map), not {self.objects_from!r}; choose one."
            )
        if self.objects_from == "labels" and self.kind != "labels":
            raise MaskError(
                "Objects from an instance-id map need the masks read as label maps; pass "
                "kind='labels' (--labels), and void=None (--void none) if 255 is an id."
            )
        if isinstance(self.compat, str) or self.compat:
            from .compat import resolve  # the one home of the library names

            set_(self, "compat", resolve(self.compat))
        else:
            set_(self, "compat", ())
        if self.class_names is not None:
            set_(self, "class_names", {int(k): str(v) for k, v in self.class_names.items()})
        if self.class_distances is not None:
            set_(self, "class_distances", bool(self.class_distances))
        for name in ("include_background", "resize", "volume", "reorient", "distances", "objects"):
            set_(self, name, bool(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """The options as plain values (class names left out: they change no number)."""
        # Shallow: every value is immutable (asdict's deep copy cost 0.15 ms a comparison).
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.pop("class_names")
        out["spacing"] = tuple(self.spacing)
        if not self.compat:
            out.pop("compat")  # the single-pair JSON names the libraries only when asked
        else:
            out["compat"] = tuple(self.compat)
        return out


def _finite(value: object, what: str, expected: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or isinstance(value, bool):
        raise MaskError(f"The {what} must be {expected}, not {value!r}; give a number.")
    return number


def check_spacing(spacing: object) -> tuple[float, ...]:
    """``(row_spacing, col_spacing)`` as two positive finite floats, else :class:`MaskError`.

    Volumes take three, along the array axes (k, j, i).

    >>> check_spacing([0.5, "2"]), check_spacing((2.5, 0.8, 0.8))
    ((0.5, 2.0), (2.5, 0.8, 0.8))
    """
    try:
        values = tuple(float(s) for s in spacing)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as err:
        raise MaskError(
            f"The pixel spacing must be two numbers (row, column), not {spacing!r}."
        ) from err
    if len(values) not in (2, 3):
        raise MaskError(
            f"The pixel spacing must be two numbers (row, column), or three for a volume, "
            f"not {len(values)} ({spacing!r})."
        )
    if not all(math.isfinite(v) and v > 0 for v in values):
        shown = ", ".join(f"{v:g}" for v in values)
        raise MaskError(
            f"The pixel spacing must be {'two' if len(values) == 2 else 'three'} positive "
            f"numbers, not ({shown}); use 1 1 for pixels."
        )
    return values


@dataclass(frozen=True, eq=False)
class Pair:
    """Two masks of one size, read the same way, and what is derived from them once.

    ``candidate`` is already resized to the reference when ``resized`` is True.
    The derived arrays are computed on first use, kept, and read-only.
    """

    reference: Mask
    candidate: Mask
    options: Options
    resized: bool = False

    @property
    def kind(self) -> Kind:
        return self.reference.info.kind

    @property
    def void(self) -> int | None:
        """The void label in force: the one the reference was read with (label mode)."""
        return self.reference.info.void if self.kind == "labels" else None

    @property
    def ndim(self) -> int:
        """2 for images, 3 for volumes."""
        return self.reference.array.ndim

    @property
    def geometry(self) -> Geometry | None:
        """The reference volume's grid (both share it), with the spacing in force; None in 2-D."""
        info = self.reference.info.geometry
        if info is None:
            return None
        spacing, unit, note = self._spacing
        notes = info.notes + ((note,) if note else ())
        return replace(info, spacing=spacing, unit=unit, notes=notes)

    @property
    def spacing(self) -> tuple[float, ...]:
        """The spacing every distance is measured with, one number per array axis.

        Images: ``options.spacing``. Volumes: the header's, unless
        ``options.spacing`` has three numbers (then it overrides, with a note
        in :attr:`geometry`); a volume without one (``.npy``) uses 1 per axis.
        """
        return self._spacing[0]

    @cached_property
    def _spacing(self) -> tuple[tuple[float, ...], str, str | None]:
        given = tuple(self.options.spacing)
        info = self.reference.info.geometry
        if info is None:
            if len(given) != 2:
                raise MaskError(
                    f"The spacing has {len(given)} numbers but the masks are 2-D images; "
                    "give two (row, column)."
                )
            return given, "px", None
        if len(given) == 3:
            if info.spacing is None:
                return given, "mm", None
            shown = "×".join(f"{v:g}" for v in given[::-1])
            return given, info.unit, f"spacing {shown} given, overriding the header's"
        if info.spacing is None:
            return (1.0, 1.0, 1.0), "voxel", "no spacing known: 1 voxel per axis"
        return info.spacing, info.unit, None

    @cached_property
    def _foreground(self) -> tuple[np.ndarray, np.ndarray, int]:
        if self.kind == "labels":
            # Volumes: worked out in the labels' box, resident only there (maskapp.volumes).
            find = label_volume_foreground if self.reference.array.ndim == 3 else label_foreground
            ref, cand, n = find(
                self.reference.array, self.candidate.array, self.void, self.options.void_policy
            )
            ref.flags.writeable = cand.flags.writeable = False
            return ref, cand, n
        return self.reference.array, self.candidate.array, 0

    @property
    def foreground(self) -> tuple[np.ndarray, np.ndarray]:
        """Bool foreground of reference and candidate; label maps: any class, void removed."""
        ref, cand, _ = self._foreground
        return ref, cand

    @property
    def ignored_pixels(self) -> int:
        """Pixels the void policy leaves out of every statistic."""
        return self._foreground[2]

    @cached_property
    def confusion(self) -> np.ndarray:
        """uint8 codes 0 TN, 1 TP, 2 FP, 3 FN of the foreground (read-only)."""
        fg = self.foreground
        codes = volume_confusion_map(*fg) if fg[0].ndim == 3 else confusion_map(*fg)
        codes.flags.writeable = False
        return codes


def read_pair(reference: object, candidate: object, options: Options) -> Pair:
    """Read both inputs with ``options`` and check they can be compared.

    Raises
    ------
    MaskError
        Unreadable input, inputs read as different kinds, or a size mismatch
        without ``options.resize``.
    """
    from .io import read_mask

    reading = dict(
        kind=options.kind, threshold=options.threshold, void=options.void, volume=options.volume
    )
    ref = read_mask(reference, **reading)
    cand = read_mask(candidate, **reading)
    return pair_of(ref, cand, options)


def pair_of(reference: Mask, candidate: Mask, options: Options) -> Pair:
    """A :class:`Pair` of two masks already read (each with its own reading options)."""
    if reference.info.kind != candidate.info.kind:
        raise MaskError(
            f"The reference is a {reference.info.kind} mask but the candidate is a "
            f"{candidate.info.kind} mask; read both the same way."
        )
    if reference.info.geometry is not None or candidate.info.geometry is not None:
        return _volume_pair(reference, candidate, options)
    if reference.shape == candidate.shape:
        return Pair(reference, candidate, options)
    if not options.resize:
        check_same_shape(reference.array, candidate.array)
    return Pair(reference, resized_mask(candidate, reference.shape), options, resized=True)


def _volume_pair(reference: Mask, candidate: Mask, options: Options) -> Pair:
    """Two volumes on one grid (:func:`~maskapp.geometry.check_same_geometry`).

    ``options.reorient`` flips/permutes the candidate's axes to the
    reference's orientation first (noted in its interpretation); nothing is
    ever resampled or resized.
    """
    ref_g, cand_g = reference.info.geometry, candidate.info.geometry
    if ref_g is None or cand_g is None:
        image, name = ("reference", "candidate") if ref_g is None else ("candidate", "reference")
        raise MaskError(
            f"The {name} is a volume but the {image} is a 2-D image; compare two volumes "
            "or two images."
        )
    if options.reorient and ref_g.orientation and cand_g.orientation != ref_g.orientation:
        array, cand_g = reorient(candidate.array, cand_g, ref_g.orientation)
        info = replace(
            candidate.info,
            shape=array.shape,
            geometry=cand_g,
            notes=(*candidate.info.notes, cand_g.notes[-1]),
        )
        candidate = Mask(array, info)
    check_same_geometry(ref_g, cand_g, remedy="pass reorient=True (--reorient)")
    return Pair(reference, candidate, options)
