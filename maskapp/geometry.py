"""Where a volume's voxels are: spacing, orientation, the voxel-to-world affine, axis order.

A 2-D image carries no geometry; a NIfTI or NRRD volume does, and two volumes
can only be compared voxel by voxel when they lie on the same grid. This module
is the one home of that rule (:func:`check_same_geometry`), of how a geometry is
written in a sentence (:meth:`Geometry.describe`) and of reorienting a volume to
another's axis directions (:func:`reorient`, opt-in, never silent).

Axis order. Arrays are C-ordered with the file's *last* axis first: a NIfTI or
NRRD volume stored as i × j × k (i fastest, e.g. 512 × 512 × 300) is the array
``volume[k, j, i]`` of shape (300, 512, 512), a zero-copy view of the file's
data, so ``volume[k]`` is slice k. ``spacing`` follows the array axes. Sizes and
spacings are *written* in file order, i × j × k (``512×512×300 at 0.8×0.8×2.5
mm``), the way 2-D sizes are written width × height. Orientation codes are
nibabel's: for the file axes i, j, k, the world direction (RAS+) each axis
increases towards — ``"RAS"`` for a typical NIfTI, ``"LPS"`` for a typical
DICOM-derived NRRD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .errors import MaskError

#: Relative difference under which two spacings count as equal (float32 headers
#: round 0.8 to 0.800000011920929).
SPACING_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Geometry:
    """The grid of a volume.

    Attributes
    ----------
    shape : tuple of int
        Array shape (k, j, i).
    spacing : tuple of float or None
        Voxel size along the array axes (k, j, i), in ``unit``; None when the
        file has none (a ``.npy``): the caller gives it.
    affine : tuple of 4 tuples of 4 floats, or None
        File-order voxel (i, j, k, 1) → world (RAS+, ``unit``) coordinates.
    orientation : str or None
        Axis codes of i, j, k (``"RAS"``, ``"LPS"`` …); None without an affine.
    unit : str
        Distance unit of ``spacing`` and of every distance (``"mm"``, or
        ``"voxel"`` when no spacing is known).
    notes : tuple of str
        Reorientation, squeezed axes, a spacing override …
    """

    shape: tuple[int, ...]
    spacing: tuple[float, ...] | None = None
    affine: tuple[tuple[float, ...], ...] | None = None
    orientation: str | None = None
    unit: str = "mm"
    notes: tuple[str, ...] = ()

    @property
    def axes(self) -> str:
        """The axis order in words."""
        return (
            "array axes (k, j, i): the file's last axis first, volume[k] is slice k; "
            "sizes and spacings written i×j×k"
        )

    def size_text(self) -> str:
        """``"512×512×300"``: the size in file order (i×j×k)."""
        return "×".join(str(n) for n in self.shape[::-1])

    def describe(self) -> str:
        """``"512×512×300 at 0.8×0.8×2.5 mm (RAS)"``."""
        text = self.size_text()
        if self.spacing is not None:
            text += " at " + "×".join(f"{s:g}" for s in self.spacing[::-1]) + f" {self.unit}"
        else:
            text += " (no spacing)"
        if self.orientation:
            text += f" ({self.orientation})"
        return text

    def to_world(self, index: tuple[int, ...] | tuple[float, ...]) -> tuple[float, ...] | None:
        """World (RAS+) coordinates of an array index (k, j, i); None without an affine.

        >>> g = Geometry((2, 3, 4), (2.0, 1.0, 0.5), affine=((0.5, 0, 0, 10), (0, 1, 0, 0),
        ...     (0, 0, 2, 0), (0, 0, 0, 1)), orientation="RAS")
        >>> g.to_world((1, 2, 3))
        (11.5, 2.0, 2.0)
        """
        if self.affine is None or index is None:
            return None
        ijk = np.array([*index[::-1], 1.0], np.float64)
        return tuple(float(v) for v in (np.asarray(self.affine) @ ijk)[:3])

    def to_dict(self) -> dict:
        """JSON-ready: shape, spacing, orientation, unit, affine, axes, notes."""
        return {
            "shape": list(self.shape),
            "spacing": None if self.spacing is None else list(self.spacing),
            "orientation": self.orientation,
            "unit": self.unit,
            "affine": None if self.affine is None else [list(r) for r in self.affine],
            "axes": self.axes,
            "size": self.size_text(),
            "notes": list(self.notes),
        }


def affine_geometry(
    shape: tuple[int, ...], affine: np.ndarray, *, unit: str = "mm", notes: tuple[str, ...] = ()
) -> Geometry:
    """A :class:`Geometry` from a file-order (i, j, k) affine and the array shape (k, j, i).

    Spacing is the length of each column of the affine's 3×3 part (as
    nibabel's zooms); orientation is :func:`nibabel.orientations.aff2axcodes`.
    """
    from nibabel.orientations import aff2axcodes

    affine = np.asarray(affine, np.float64)
    if affine.shape != (4, 4) or not np.all(np.isfinite(affine)):
        raise MaskError(
            "The volume's header has no valid voxel-to-world matrix (NaN or missing); "
            "write it again with a valid affine."
        )
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    if not np.all(zooms > 0):
        raise MaskError(
            f"The volume's header gives a voxel size of zero ({_join(zooms)}); write it "
            "again with its real spacing."
        )
    codes = aff2axcodes(affine)
    orientation = "".join(c if c is not None else "?" for c in codes)
    return Geometry(
        shape=tuple(int(n) for n in shape),
        spacing=tuple(float(z) for z in zooms[::-1]),
        affine=tuple(tuple(float(v) for v in row) for row in affine),
        orientation=orientation,
        unit=unit,
        notes=notes,
    )


def _join(values) -> str:
    return "×".join(f"{float(v):g}" for v in values)


def same_spacing(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Equal within :data:`SPACING_TOLERANCE` (relative)."""
    if len(a) != len(b):
        return False
    return all(
        math.isclose(x, y, rel_tol=SPACING_TOLERANCE, abs_tol=1e-9)
        for x, y in zip(a, b, strict=True)
    )


def check_same_geometry(reference: Geometry, candidate: Geometry, *, remedy: str = "") -> None:
    """Raise :class:`MaskError` naming both grids unless shape, spacing and orientation agree.

    ``remedy`` ends the sentence when only the orientation differs (how the
    caller asks for a reorientation, e.g. ``"pass reorient=True"``).

    >>> a = Geometry((3, 4, 5), (2.5, 0.8, 0.8), orientation="RAS")
    >>> check_same_geometry(a, replace(a, spacing=(2.5, 0.8, 0.9)))
    Traceback (most recent call last):
    ...
    maskapp.errors.MaskError: The volumes lie on different grids: 5×4×3 at 0.8×0.8×2.5 mm (RAS) ...
    """
    what = []
    if reference.shape != candidate.shape:
        what.append("sizes")
    if (
        reference.spacing is not None
        and candidate.spacing is not None
        and not same_spacing(reference.spacing, candidate.spacing)
    ):
        what.append("spacings")
    orientation_only = False
    if (
        reference.orientation
        and candidate.orientation
        and reference.orientation != candidate.orientation
    ):
        orientation_only = not what
        what.append("orientations")
    if not what:
        return
    text = (
        f"The volumes lie on different grids: {reference.describe()} (reference) vs "
        f"{candidate.describe()} (candidate) — the {' and '.join(what)} differ."
    )
    if orientation_only:
        text += (
            " The same voxels may be stored with flipped or permuted axes; "
            + (remedy or "reorient one volume to the other")
            + " to compare them."
        )
    else:
        text += " Resample the candidate onto the reference's grid (e.g. with SimpleITK) first."
    raise MaskError(text)


def reorient(array: np.ndarray, geometry: Geometry, target: str) -> tuple[np.ndarray, Geometry]:
    """Flip and permute a volume's axes so that its orientation codes become ``target``.

    Only axis flips and permutations are applied (no resampling), so every
    voxel keeps its value; the affine and spacing follow, and a note says so.

    >>> g = Geometry((1, 1, 2), (1.0, 1.0, 1.0), affine=((-1, 0, 0, 0), (0, -1, 0, 0),
    ...     (0, 0, 1, 0), (0, 0, 0, 1)), orientation="LPS")
    >>> a, g2 = reorient(np.array([[[1, 2]]]), g, "RAS")
    >>> a.tolist(), g2.orientation
    ([[[2, 1]]], 'RAS')
    """
    from nibabel.orientations import axcodes2ornt, inv_ornt_aff, ornt_transform

    if geometry.orientation is None or geometry.affine is None:
        raise MaskError(
            "The candidate has no orientation in its header, so it cannot be reoriented; "
            "write it with an affine (NIfTI or NRRD)."
        )
    if geometry.orientation == target:
        return array, geometry
    source = axcodes2ornt(tuple(geometry.orientation))
    transform = ornt_transform(source, axcodes2ornt(tuple(target)))
    # The array is (k, j, i): apply the file-order transform to its reversed view.
    file_order = array.T
    out = file_order
    # Flips first in the source axes, then the permutation (as apply_orientation).
    for axis, flip in enumerate(transform[:, 1]):
        if flip == -1:
            out = np.flip(out, axis)
    out = np.transpose(out, np.argsort(transform[:, 0]))
    shape_ijk = file_order.shape
    affine = np.asarray(geometry.affine) @ inv_ornt_aff(transform, shape_ijk)
    out = np.ascontiguousarray(out.T)
    new = affine_geometry(out.shape, affine, unit=geometry.unit, notes=geometry.notes)
    note = f"reoriented from {geometry.orientation} to {new.orientation} (axes flipped/permuted)"
    return out, replace(new, notes=(*geometry.notes, note))
