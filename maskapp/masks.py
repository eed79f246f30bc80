"""Turning decoded pixel arrays into masks: binary rules, label maps, shape checks.

Everything here is pure numpy. :mod:`maskapp.io` decodes files into a raw array
plus a little metadata (format, Pillow mode) and hands it to :func:`interpret`,
which applies one documented rule and records it in an :class:`Interpretation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from .errors import MaskError, SizeMismatch
from .void import DEFAULT_VOID

if TYPE_CHECKING:
    from .geometry import Geometry

Kind = Literal["binary", "labels"]

#: Largest mask accepted, in pixels (8192 × 8192). Two masks at the cap and the
#: whole comparison fit in well under 1 GB; larger inputs are refused before any
#: pixel is decoded.
MAX_PIXELS = 8192 * 8192

#: Most classes a label map may hold (void excluded); the class × class
#: confusion matrix grows with its square.
MAX_CLASSES = 1024

#: 8-bit grey masks with more distinct values than this are treated as soft
#: (thresholded) rather than as id maps (nonzero).
SOFT_MIN_VALUES = 64

_SHOWN_VALUES = 16


@dataclass(frozen=True)
class Interpretation:
    """How one input became a mask: what was read and which rule was applied.

    Attributes
    ----------
    source : str
        What was read, e.g. ``"PNG file"``, ``"numpy array"``, ``"tensor"``.
    format : str or None
        Decoded file format (``"PNG"``, ``"JPEG"``, ``"NPY"`` …); None for arrays.
    mode : str
        Pillow mode of the file (``"1"``, ``"L"``, ``"P"``, ``"I;16"`` …) or
        ``"array"``.
    dtype : str
        dtype of the raw pixel array before interpretation.
    shape : tuple of int
        ``(rows, cols)``.
    kind : {'binary', 'labels'}
        What the mask is.
    rule : str
        The rule applied, in words.
    values : tuple
        Up to 16 distinct raw values (or colours), smallest first.
    n_values : int
        Number of distinct raw values.
    threshold : float or None
        Threshold used (foreground = value > threshold), if any.
    classes : tuple of int
        Label mode: classes present, void excluded.
    void : int or None
        Label mode: the void label ignored in every statistic.
    void_pixels : int
        Label mode: number of void pixels.
    foreground : int
        Binary mode: number of foreground pixels; label mode: non-background,
        non-void pixels.
    notes : tuple of str
        Anything dropped, converted or worth knowing (alpha ignored, EXIF
        orientation applied, first frame of an animation used …).
    class_colors : tuple of (int, str)
        Colour-coded label maps: ``(label, "#rrggbb")`` pairs.
    value_range : (float, float) or None
        Binary mode, one channel: smallest and largest raw value (the range
        a threshold can be chosen in).
    geometry : Geometry or None
        Volumes: shape (k, j, i), spacing, affine, orientation codes and axis
        order (see :mod:`maskapp.geometry`); None for 2-D images.
    """

    source: str
    format: str | None
    mode: str
    dtype: str
    shape: tuple[int, int]
    kind: Kind
    rule: str
    values: tuple = ()
    n_values: int = 0
    threshold: float | None = None
    classes: tuple[int, ...] = ()
    void: int | None = None
    void_pixels: int = 0
    foreground: int = 0
    notes: tuple[str, ...] = ()
    class_colors: tuple[tuple[int, str], ...] = ()
    value_range: tuple[float, float] | None = None
    geometry: Geometry | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary of every field."""
        out = {
            "source": self.source,
            "format": self.format,
            "mode": self.mode,
            "dtype": self.dtype,
            "shape": list(self.shape),
            "kind": self.kind,
            "rule": self.rule,
            "values": [_plain(v) for v in self.values],
            "n_values": self.n_values,
            "threshold": self.threshold,
            "value_range": None if self.value_range is None else list(self.value_range),
            "foreground": self.foreground,
            "notes": list(self.notes),
        }
        if self.kind == "labels":
            out["classes"] = list(self.classes)
            out["void"] = self.void
            out["void_pixels"] = self.void_pixels
            if self.class_colors:
                out["class_colors"] = {str(k): c for k, c in self.class_colors}
        if self.geometry is not None:
            out["geometry"] = self.geometry.to_dict()
        return out

    def summary(self) -> str:
        """One line for a caption or a table: size, mode, values, rule."""
        fmt = f"{self.format} " if self.format else ""
        shown = ", ".join(str(_plain(v)) for v in self.values[:8])
        more = "…" if self.n_values > 8 else ""
        what = f"{len(self.classes)} classes" if self.kind == "labels" else "binary"
        size = size_text(self.shape) if self.geometry is None else self.geometry.describe()
        return (
            f"{size} {fmt}{self.mode} ({self.dtype}), {self.n_values} distinct "
            f"value(s) [{shown}{more}], {what}: {self.rule}"
        )


@dataclass(frozen=True)
class Mask:
    """A mask and how it was read.

    ``array`` is a 2-D ``bool`` array (binary) or a 2-D ``int32``/``int64``
    label array (labels, void pixels keep the void value).
    """

    array: np.ndarray = field(repr=False)
    info: Interpretation

    @property
    def shape(self) -> tuple[int, int]:
        return self.info.shape


def _plain(v):
    """numpy scalars → Python numbers for JSON and display."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    return v


# Pixels per histogram block: bincount casts its input to intp (8 bytes a pixel),
# so a whole 8192² uint8 image would cost 512 MB; a block costs 8 MB.
_HISTOGRAM_BLOCK = 1 << 20


def histogram(raw: np.ndarray, lo: int, bins: int) -> np.ndarray:
    """Counts of each integer value ``lo … lo + bins - 1``, in bounded memory.

    Examples
    --------
    >>> histogram(np.array([[3, 4], [4, 4]], np.uint8), 3, 2).tolist()
    [1, 3]
    """
    flat = raw.reshape(-1)
    counts = np.zeros(bins, np.int64)
    for start in range(0, flat.size, _HISTOGRAM_BLOCK):
        block = flat[start : start + _HISTOGRAM_BLOCK]
        if not lo:
            block = block.astype(np.intp)
        elif raw.dtype.kind == "u":  # values ≥ lo: subtract first, so uint64 cannot wrap
            block = (block - raw.dtype.type(lo)).astype(np.intp)
        else:  # signed: widen first, so int8 127 - (-128) cannot overflow
            block = block.astype(np.intp) - lo
        counts += np.bincount(block, minlength=bins)
    return counts


def distinct_values(raw: np.ndarray) -> tuple[np.ndarray, int]:
    """Sorted distinct values of a 2-D array (at most 16 shown) and their count.

    Fast paths avoid sorting tens of millions of pixels: a min/max check for
    one- and two-valued masks, a histogram for small integer ranges.
    """
    if raw.size == 0:
        return np.array([], raw.dtype), 0
    lo, hi = raw.min(), raw.max()
    if lo == hi:
        return np.array([lo]), 1
    if raw.dtype == bool:
        return np.array([False, True]), 2
    if np.issubdtype(raw.dtype, np.floating) and not (np.isfinite(lo) and np.isfinite(hi)):
        return np.array([lo, hi]), -1  # caller reports NaN / inf
    if raw.ndim > 2 and np.issubdtype(raw.dtype, np.integer) and int(hi) - int(lo) < 1 << 20:
        # Volumes: one blocked histogram instead of two full-size comparisons first.
        counts = histogram(raw, int(lo), int(hi) - int(lo) + 1)
        present = np.flatnonzero(counts) + int(lo)
        return present.astype(raw.dtype), len(present)
    # Two values is the overwhelmingly common case (0/1, 0/255): check it first.
    if np.count_nonzero(raw == lo) + np.count_nonzero(raw == hi) == raw.size:
        return np.array([lo, hi]), 2
    if np.issubdtype(raw.dtype, np.integer) and int(hi) - int(lo) < 1 << 20:
        counts = histogram(raw, int(lo), int(hi) - int(lo) + 1)
        present = np.flatnonzero(counts) + int(lo)
        return present.astype(raw.dtype), len(present)
    values = np.unique(raw)
    return values, len(values)


def _shown(values: np.ndarray) -> tuple:
    if len(values) <= _SHOWN_VALUES:
        return tuple(_plain(v) for v in values)
    return tuple(_plain(v) for v in values[: _SHOWN_VALUES // 2]) + tuple(
        _plain(v) for v in values[-_SHOWN_VALUES // 2 :]
    )


def _fmt_num(x: float) -> str:
    return f"{x:g}"


def binarize(
    raw: np.ndarray,
    *,
    lossy: bool = False,
    threshold: float | None = None,
) -> tuple[np.ndarray, str, float | None, np.ndarray, int]:
    """Apply the binary rule to a 2-D array of one channel.

    Returns ``(mask, rule, threshold_used, distinct_values, n_values)``.

    The rules, in order:

    - an explicit ``threshold`` → foreground = value > threshold;
    - bool → as is;
    - float: values in {0, 1} → nonzero; within [0, 1] → > 0.5; otherwise
      > the midpoint of the observed range; NaN/inf → :class:`MaskError`;
    - one or two distinct values → nonzero (0/1, 0/255, 0/65535 …);
    - lossy (JPEG, lossy WebP) → value > Otsu's threshold;
    - 8-bit with more than ``SOFT_MIN_VALUES`` values → soft, > 127.5 (the
      middle of the 8-bit range);
    - any other integer image (id maps, 16/32-bit labels) → nonzero, with no
      wrap-around.
    """
    values, n_values = distinct_values(raw)
    if n_values < 0:
        raise MaskError(
            "The mask contains NaN or infinite values; replace them (e.g. with 0) "
            "and save it again."
        )
    if threshold is not None:
        return (
            _above(raw, threshold),
            f"value > {_fmt_num(threshold)} (threshold given)",
            float(threshold),
            values,
            n_values,
        )
    if raw.dtype == bool:
        return raw, "set pixels are foreground", None, values, n_values
    if np.issubdtype(raw.dtype, np.floating):
        lo, hi = float(values[0]), float(values[-1])
        if n_values <= 2 and lo in (0.0, 1.0) and hi in (0.0, 1.0):
            return raw != 0, "nonzero is foreground (values 0/1)", None, values, n_values
        if lo >= 0.0 and hi <= 1.0:
            return _above(raw, 0.5), "probability map: value > 0.5", 0.5, values, n_values
        mid = (lo + hi) / 2
        rule = f"soft map outside [0, 1]: value > {_fmt_num(mid)} (midpoint of the range)"
        return _above(raw, mid), rule, mid, values, n_values
    if lossy and n_values > 1:
        # Compression noise spreads 0/255 — or 0/1, decoded as {0, 1, 2} — over
        # nearby values; Otsu's threshold splits the two clusters at any scale.
        cut = otsu_threshold(raw)
        rule = f"lossy JPEG: value > {_fmt_num(cut)} (Otsu threshold between the two clusters)"
        return raw > cut, rule, cut, values, n_values
    if n_values <= 2:
        return raw != 0, "nonzero is foreground", None, values, n_values
    if raw.dtype == np.uint8 and n_values > SOFT_MIN_VALUES:
        rule = f"soft 8-bit map with {n_values} values: value > 127.5 (midpoint of 0–255)"
        return raw > 127.5, rule, 127.5, values, n_values
    return raw != 0, "nonzero is foreground (id map)", None, values, n_values


def _above(raw: np.ndarray, threshold: float) -> np.ndarray:
    """raw > threshold, compared in float64 so float32 values never round onto it."""
    if np.issubdtype(raw.dtype, np.floating):
        return raw > np.float64(threshold)  # a numpy scalar is strong under NEP 50
    return raw > threshold


def otsu_threshold(raw: np.ndarray) -> float:
    """Otsu's threshold of an integer image: foreground = value > threshold.

    Maximises the between-class variance over the histogram (one ``bincount``).

    Examples
    --------
    >>> otsu_threshold(np.array([0, 0, 1, 2, 1, 0, 1], np.uint8))
    0.0
    >>> otsu_threshold(np.array([3, 5, 250, 252, 255], np.uint8))
    5.0
    """
    flat = raw.ravel()
    lo = int(flat.min())
    hist = np.bincount((flat - lo).astype(np.intp, copy=False)).astype(np.float64)
    if len(hist) < 2:
        return float(lo)
    levels = np.arange(len(hist), dtype=np.float64)
    weight_low = np.cumsum(hist)[:-1]
    weight_high = hist.sum() - weight_low
    mean_low = np.cumsum(hist * levels)[:-1] / np.maximum(weight_low, 1)
    mean_high = (np.sum(hist * levels) - np.cumsum(hist * levels)[:-1]) / np.maximum(weight_high, 1)
    between = weight_low * weight_high * (mean_low - mean_high) ** 2
    return float(lo + int(np.argmax(between)))


def _canonical_bool(raw: np.ndarray) -> np.ndarray:
    """Bool arrays whose bytes are 0/1, as every fused count and ``&`` assumes.

    Pillow's mode "1" arrays store True as 255, and a bool ``.npy`` or a DLPack
    buffer can hold any byte: numpy then says True while sums and bitwise ops
    see 255 or 2.
    """
    if raw.dtype != bool or raw.size == 0:
        return raw
    data = raw.view(np.uint8)
    return data != 0 if data.max() > 1 else raw


def interpret(
    raw: np.ndarray,
    *,
    kind: Kind = "binary",
    source: str = "numpy array",
    format: str | None = None,
    mode: str = "array",
    threshold: float | None = None,
    void: int | None = DEFAULT_VOID,
    lossy: bool = False,
    notes: tuple[str, ...] = (),
    max_pixels: int | None = None,
    geometry: Geometry | None = None,
) -> Mask:
    """Turn a decoded 2-D (or 2-D × channels) pixel array into a :class:`Mask`.

    Parameters
    ----------
    raw : ndarray
        ``(rows, cols)`` or ``(rows, cols, channels)`` with 2, 3 or 4 channels
        (grey+alpha, RGB, RGBA). Palette images arrive as their index array.
    kind : {'binary', 'labels'}
        Binary mask or multi-class label map.
    threshold : float, optional
        Binary mode: foreground = value > threshold, overriding the default rule.
    void : int or None
        Label mode: void / ignore label (default 255), excluded from statistics.
        Not applied to colour-coded label maps, whose labels are packed colours.
    lossy : bool
        The pixels come from a lossy codec (JPEG): grey values are thresholded.
    max_pixels : int, optional
        Largest accepted mask, in pixels (default :data:`MAX_PIXELS`); for a
        volume, in voxels (default :data:`maskapp.volumes.MAX_VOXELS`).
    geometry : Geometry, optional
        ``raw`` is a 3-D volume (k, j, i) on this grid: no channels, no
        squeezing; labels keep the narrowest unsigned type that holds them
        (uint8 for up to 255 classes) instead of int32, so a 512×512×300 label
        volume stays 79 MB.

    Raises
    ------
    MaskError
        Zero-size, more than 2-D, non-numeric, NaN, or too many classes.
    """
    if kind not in ("binary", "labels"):
        raise ValueError(f"kind must be 'binary' or 'labels', not {kind!r}")
    raw = _canonical_bool(np.asarray(raw))
    dtype = str(raw.dtype)
    if raw.dtype.kind not in "biuf":
        raise MaskError(
            f"The mask has data type {dtype}, which is not numeric; save it as an "
            "integer, boolean or float array."
        )
    if geometry is not None:
        raw = _check_volume(raw, max_pixels)
        shape = raw.shape
    else:
        raw, notes = _squeeze_to_2d(raw, notes)
        if raw.size == 0:
            raise MaskError(
                f"The mask has no pixels (shape {raw.shape}); choose a non-empty mask."
            )
        limit = MAX_PIXELS if max_pixels is None else max_pixels
        if raw.shape[0] * raw.shape[1] > limit:
            raise MaskError(_too_large(raw.shape[0], raw.shape[1], limit))
        shape = raw.shape[:2]
    notes = list(notes)

    if raw.ndim == 3 and geometry is None:
        raw, colour_rule, colour = _collapse_channels(raw, notes)
    else:
        colour_rule, colour = None, False

    common = dict(
        source=source, format=format, mode=mode, dtype=dtype, shape=shape, geometry=geometry
    )

    if kind == "binary":
        if colour:
            # Non-black colour is foreground; for lossy colour, threshold the
            # brightest channel so compression noise near black stays background.
            if lossy:
                brightest = raw.max(axis=2)
                thr = (float(brightest.min()) + float(brightest.max())) / 2
                mask = brightest > thr
                rule = f"lossy colour: brightest channel > {_fmt_num(thr)} (midpoint)"
            else:
                mask = raw.any(axis=2)
                rule, thr = "non-black colour is foreground", None
            packed = _pack_rgb(raw)
            values, n_values = distinct_values(packed)
            values = np.array([_hex(int(v)) for v in values[:_SHOWN_VALUES]])
        else:
            mask, rule, thr, values, n_values = binarize(raw, lossy=lossy, threshold=threshold)
            value_range = (_plain(values[0]), _plain(values[-1])) if len(values) else None
            if colour_rule:
                rule = f"{colour_rule}; {rule}"
            if thr is None and n_values > 2:
                notes.append(
                    f"{n_values} distinct values: every nonzero value is foreground; "
                    "use label mode for per-class results"
                )
        mask = np.ascontiguousarray(mask, dtype=bool)
        info = Interpretation(
            **common,
            kind="binary",
            rule=rule,
            values=_shown(values),
            n_values=n_values,
            threshold=thr,
            value_range=None if colour else value_range,
            foreground=int(np.count_nonzero(mask)),
            notes=tuple(notes),
        )
        return Mask(mask, info)

    # Label maps.
    class_colors: tuple[tuple[int, str], ...] = ()
    if colour:
        labels = _pack_rgb(raw)
        void = None  # packed colours have no numeric void (255 would be pure blue)
        rule = "colour-coded classes: each distinct colour is a class, black is background"
    elif np.issubdtype(raw.dtype, np.floating):
        if not np.all(np.isfinite(raw)):
            raise MaskError(
                "The label map contains NaN or infinite values; label maps must hold "
                "whole-number class ids."
            )
        if not np.all(raw == np.round(raw)):
            raise MaskError(
                "The label map holds fractional values; label maps must hold whole-number "
                "class ids (use binary mode with a threshold for probability maps)."
            )
        labels = raw.astype(np.int64)
        rule = "integer class ids (from whole-number floats)"
    else:
        labels = raw
        rule = "palette indices are classes" if mode == "P" else "integer values are classes"
        if colour_rule:
            rule = f"{colour_rule}; {rule}"
    if labels.dtype == bool:
        labels = labels.astype(np.uint8)
    lo, hi = int(labels.min()), int(labels.max())
    if lo < 0:
        raise MaskError(
            f"The label map has negative values (smallest {lo}); class ids must be 0 or more."
        )
    if hi >= 2**31:
        raise MaskError(
            f"The label map has class ids up to {hi}, beyond the supported 2³¹−1; "
            "renumber the classes."
        )
    labels = np.ascontiguousarray(labels, dtype=np.int32 if geometry is None else _narrow(hi))
    values, n_values = distinct_values(labels)
    void_pixels = 0
    if void is not None and void in values:
        void_pixels = int(np.count_nonzero(labels == void))
    classes = tuple(int(v) for v in values if v != void or void is None)
    if len(classes) > MAX_CLASSES:
        raise MaskError(
            f"The label map has {len(classes)} classes, more than the {MAX_CLASSES} "
            "supported; use binary mode or object comparison for instance maps."
        )
    if colour:
        class_colors = tuple((c, _hex(c)) for c in classes)
        values = np.array([_hex(int(v)) for v in values[:_SHOWN_VALUES]])
    if void is not None:
        rule += f"; label {void} is void (ignored)"
    foreground = int(np.count_nonzero(labels)) - (void_pixels if void else 0)
    info = Interpretation(
        **common,
        kind="labels",
        rule=rule,
        values=_shown(values),
        n_values=n_values,
        classes=classes,
        void=void,
        void_pixels=void_pixels,
        foreground=foreground,
        notes=tuple(notes),
        class_colors=class_colors,
    )
    return Mask(labels, info)


def _check_volume(raw: np.ndarray, max_voxels: int | None) -> np.ndarray:
    """A 3-D array within the voxel cap, else :class:`MaskError`."""
    from .volumes import MAX_VOXELS

    if raw.ndim != 3:
        raise MaskError(
            f"The volume has shape {raw.shape}, but a volume needs three dimensions; "
            "save a 3-D array (slices × rows × columns)."
        )
    if raw.size == 0:
        raise MaskError(f"The volume has no voxels (shape {raw.shape}); choose a non-empty one.")
    limit = MAX_VOXELS if max_voxels is None else max_voxels
    if raw.size > limit:
        raise MaskError(
            f"The volume is {'×'.join(map(str, raw.shape[::-1]))} "
            f"({raw.size / 1e6:,.1f} M voxels), more than the {limit / 1e6:,.1f} M voxel "
            "limit; crop or downsample it."
        )
    return raw


def _narrow(hi: int) -> type:
    """The narrowest unsigned type holding labels 0 … hi (int32 beyond 65,535)."""
    return np.uint8 if hi < 1 << 8 else np.uint16 if hi < 1 << 16 else np.int32


def _squeeze_to_2d(raw: np.ndarray, notes: tuple[str, ...]) -> tuple[np.ndarray, tuple]:
    """Drop singleton axes (a (1, H, W) tensor) and reject real extra dimensions."""
    if raw.ndim == 2:
        return raw, notes
    if raw.ndim == 3 and raw.shape[2] in (2, 3, 4) and raw.shape[0] > 1:
        return raw, notes
    squeezed = raw.squeeze()
    if squeezed.ndim == 2 and raw.ndim > 2:
        return squeezed, (*notes, f"singleton axes dropped: {raw.shape} → {squeezed.shape}")
    if squeezed.ndim == 3 and squeezed.shape[2] in (2, 3, 4):
        return squeezed, (*notes, f"singleton axes dropped: {raw.shape} → {squeezed.shape}")
    if raw.ndim < 2 or squeezed.ndim < 2:
        raise MaskError(
            f"The mask has shape {raw.shape}, but a mask needs two dimensions "
            "(rows × columns); reshape it to 2-D."
        )
    raise MaskError(
        f"The mask has shape {raw.shape}: more dimensions than a 2-D mask has; "
        "pass one 2-D slice (rows × columns)."
    )


def _collapse_channels(raw: np.ndarray, notes: list[str]) -> tuple[np.ndarray, str | None, bool]:
    """Grey+alpha / RGB / RGBA → one channel, or keep RGB for colour masks.

    Returns ``(array, rule_prefix, is_colour)``.
    """
    channels = raw.shape[2]
    colour, alpha = (
        (raw[..., :1], raw[..., 1])
        if channels == 2
        else (
            raw[..., :3],
            raw[..., 3] if channels == 4 else None,
        )
    )
    colour_constant = bool(np.all(colour == colour.reshape(-1, colour.shape[2])[0]))
    if alpha is not None and colour_constant and alpha.min() != alpha.max():
        # The mask lives only in the alpha channel (a cut-out or a brush layer).
        return np.ascontiguousarray(alpha), "mask in alpha channel", False
    if alpha is not None:
        notes.append("alpha channel ignored")
    if colour.shape[2] == 1 or (
        np.array_equal(colour[..., 0], colour[..., 1])
        and np.array_equal(colour[..., 1], colour[..., 2])
    ):
        return (
            np.ascontiguousarray(colour[..., 0]),
            ("grey stored as colour" if colour.shape[2] == 3 else None),
            False,
        )
    return np.ascontiguousarray(colour), None, True


def _pack_rgb(rgb: np.ndarray) -> np.ndarray:
    """(rows, cols, 3) uint8 → int32 0xRRGGBB labels (black = 0)."""
    rgb = rgb.astype(np.int32, copy=False)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _hex(packed: int) -> str:
    return f"#{packed:06x}"


def _too_large(rows: int, cols: int, limit: int | None = None) -> str:
    limit = MAX_PIXELS if limit is None else limit
    return (
        f"The mask is {cols}×{rows} pixels ({rows * cols / 1e6:.1f} MP), more than the "
        f"{limit / 1e6:.1f} MP limit; downscale it (nearest neighbour) or crop it."
    )


def size_text(shape: tuple[int, ...]) -> str:
    """(rows, cols) → ``"cols×rows"``, the way image sizes are usually written."""
    return f"{shape[1]}×{shape[0]}"


def check_same_shape(reference: np.ndarray, candidate: np.ndarray) -> None:
    """Raise :class:`~maskapp.errors.SizeMismatch` naming both sizes if the masks differ."""
    if reference.shape[:2] != candidate.shape[:2]:
        raise SizeMismatch(reference.shape, candidate.shape)


def resize_nearest(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D mask or label map to ``shape`` by nearest neighbour.

    Uses pixel-centre sampling (the same as Pillow's ``Image.NEAREST``), so
    labels are never blended.
    """
    rows, cols = shape
    r_idx = ((np.arange(rows) + 0.5) * mask.shape[0] / rows).astype(np.intp)
    c_idx = ((np.arange(cols) + 0.5) * mask.shape[1] / cols).astype(np.intp)
    np.minimum(r_idx, mask.shape[0] - 1, out=r_idx)
    np.minimum(c_idx, mask.shape[1] - 1, out=c_idx)
    return mask[r_idx[:, None], c_idx[None, :]]


def resized_mask(mask: Mask, shape: tuple[int, int]) -> Mask:
    """A :class:`Mask` resized by nearest neighbour, with the resize in its notes."""
    if mask.shape == tuple(shape):
        return mask
    array = resize_nearest(mask.array, shape)
    note = f"resized by nearest neighbour from {size_text(mask.shape)} to {size_text(shape)}"
    foreground = (
        int(np.count_nonzero(array))
        if mask.info.kind == "binary"
        else int(np.count_nonzero((array != 0) & (array != (mask.info.void or 0))))
    )
    info = _replace(
        mask.info, shape=tuple(shape), notes=(*mask.info.notes, note), foreground=foreground
    )
    if mask.info.kind == "labels" and mask.info.void is not None:
        info = _replace(info, void_pixels=int(np.count_nonzero(array == mask.info.void)))
    return Mask(array, info)


def _replace(info: Interpretation, **changes) -> Interpretation:
    from dataclasses import replace

    return replace(info, **changes)


def as_mask(
    obj,
    *,
    kind: Kind = "binary",
    threshold: float | None = None,
    void: int | None = DEFAULT_VOID,
) -> Mask:
    """A :class:`Mask` from a Mask (returned as is) or anything array-like.

    Array-likes include numpy arrays and objects exposing ``__array__`` or
    ``__dlpack__`` (a CPU torch tensor), converted without importing torch.
    """
    if isinstance(obj, Mask):
        return obj
    source = "numpy array" if isinstance(obj, np.ndarray) else f"{type(obj).__name__} array"
    raw = array_from(obj)
    return interpret(raw, kind=kind, source=source, threshold=threshold, void=void)


def array_from(obj) -> np.ndarray:
    """numpy view of an array-like: ndarray, ``__array__`` or ``__dlpack__`` objects."""
    if isinstance(obj, np.ndarray):
        return obj
    if hasattr(obj, "__dlpack__") and not hasattr(obj, "__array__"):
        try:
            return np.from_dlpack(obj)
        except (TypeError, RuntimeError, BufferError) as err:
            raise MaskError(
                f"Could not read the {type(obj).__name__} as an array ({err}); move it to "
                "the CPU and convert it with .numpy() first."
            ) from err
    if hasattr(obj, "__array__") or isinstance(obj, list | tuple):
        try:
            return np.asarray(obj)
        except (TypeError, RuntimeError, ValueError) as err:
            raise MaskError(
                f"Could not read the {type(obj).__name__} as an array ({err}); move it to "
                "the CPU and convert it to a numpy array first."
            ) from err
    raise TypeError(f"cannot make a mask from {type(obj).__name__}")
