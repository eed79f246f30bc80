"""Encoding images with Pillow — PNG, palette PNG, JPEG, data URIs, byte budgets.

:mod:`maskapp.io` is the only *decoder* of images; this module is the one
place that *encodes* them (and that hands pixels to Pillow for output:
area-averaged resizing and the :class:`PIL.Image.Image` a drawing canvas
takes). :mod:`maskapp.figures` draws through it and never imports Pillow.

Budgets are in bytes before base64 (which adds a third): they keep one figure
under 1 MB of JSON even for noise-like inputs; real masks compress far below.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

#: Budget of the overlay image of a one-panel figure.
OVERLAY_BUDGET = 280_000

#: Budget of the background photo of a one-panel figure.
BACKGROUND_BUDGET = 200_000

#: JPEG qualities tried in turn before a photo's resolution is halved.
JPEG_QUALITIES: tuple[int, ...] = (80, 65, 50, 35)

#: The Pillow image type a drawing canvas takes (see :func:`rgb_image`).
CanvasImage = Image.Image


def encode_png(
    array: np.ndarray, *, palette: Sequence[tuple[int, int, int]] | None = None
) -> bytes:
    """Encode a mask as PNG bytes at its full size (lossless).

    bool → 8-bit grey 0/255; uint8 with ``palette`` → palette PNG whose indices
    are the values (e.g. confusion codes that stay machine-readable while
    showing colours); other uint8 → grey as is; larger integers → 16-bit grey.
    Labels above 65535 do not fit a PNG (``ValueError``): save those as ``.npy``.

    Examples
    --------
    >>> from maskapp.io import read_mask
    >>> png = encode_png(np.array([[True, False]]))
    >>> read_mask(png).array.tolist()
    [[True, False]]
    """
    array = np.asarray(array)
    if array.ndim != 2:
        raise ValueError("encode_png needs a 2-D array")
    if array.dtype == bool:
        im = Image.fromarray(array.view(np.uint8) * np.uint8(255))
    elif array.dtype == np.uint8:
        if palette is None:
            im = Image.fromarray(array)
        else:
            im = _palette_image(array, palette)
    elif np.issubdtype(array.dtype, np.integer):
        if array.min() < 0:
            raise ValueError("encode_png cannot store negative labels")
        if array.max() > 0xFFFF:
            raise ValueError("labels above 65535 do not fit a PNG; save them as .npy")
        im = Image.fromarray(array.astype(np.uint16))
    else:
        raise ValueError(f"encode_png cannot store {array.dtype} arrays")
    return _save(im, format="PNG")


def palette_png(
    indices: np.ndarray,
    colours: Sequence[tuple[int, int, int]],
    alphas: Sequence[int],
    *,
    compress_level: int = 6,
) -> bytes:
    """uint8 index array → palette PNG with one alpha per index (a tRNS chunk).

    Examples
    --------
    >>> png = palette_png(np.array([[0, 1]], np.uint8), [(0, 0, 0), (255, 0, 0)], [0, 255])
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    im = _palette_image(indices, colours)
    return _save(im, format="PNG", transparency=bytes(alphas), compress_level=compress_level)


def rgb_png(channels: Sequence[np.ndarray], *, compress_level: int = 3) -> bytes:
    """Three 2-D uint8 planes (red, green, blue) → an RGB PNG.

    Planes, not an interleaved ``(rows, cols, 3)`` array, so that a caller
    building full-size channels one at a time needs no interleaved copy.

    Examples
    --------
    >>> plane = np.zeros((2, 3), np.uint8)
    >>> rgb_png([plane, plane, plane])[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    if len(channels) != 3:
        raise ValueError(f"rgb_png needs 3 channels, not {len(channels)}")
    planes = [Image.fromarray(np.ascontiguousarray(c, dtype=np.uint8)) for c in channels]
    return _save(Image.merge("RGB", planes), format="PNG", compress_level=compress_level)


def data_uri(data: bytes, mime: str) -> str:
    """Bytes → ``data:<mime>;base64,…`` (how an image reaches the browser in a figure).

    Examples
    --------
    >>> data_uri(b"abc", "image/png")
    'data:image/png;base64,YWJj'
    """
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def fit_within(
    array: np.ndarray,
    encode: Callable[[np.ndarray], bytes],
    budget: int,
    *,
    shrink: Callable[[np.ndarray], np.ndarray],
) -> tuple[bytes, int]:
    """Encode ``array``, halving it with ``shrink`` until the bytes fit ``budget``.

    Returns the bytes and the factor the resolution was reduced by (1, 2, 4, …).
    A 1-pixel-thin array is returned whatever its size.

    Examples
    --------
    >>> data, factor = fit_within(np.zeros((8, 8)), lambda a: bytes(a.size), 20,
    ...                           shrink=lambda a: a[::2, ::2])
    >>> len(data), factor
    (16, 2)
    """
    factor = 1
    data = encode(array)
    while len(data) > budget and min(array.shape) > 1:
        array = shrink(array)
        factor *= 2
        data = encode(array)
    return data, factor


def jpeg_within(pixels: np.ndarray, step: int, budget: int) -> tuple[bytes, int]:
    """Area-mean reduce a grey or RGB uint8 image by ``step`` and JPEG it within ``budget``.

    Each quality of :data:`JPEG_QUALITIES` is tried in turn; when none fits,
    the step doubles. Returns the JPEG bytes and the step used.

    Examples
    --------
    >>> data, step = jpeg_within(np.full((64, 64), 128, np.uint8), 2, 100_000)
    >>> data[:3] == b"\\xff\\xd8\\xff", step
    (True, 2)
    """
    image = Image.fromarray(np.ascontiguousarray(pixels))
    step = int(step)
    reduced = image.reduce(step) if step > 1 else image
    while True:
        for quality in JPEG_QUALITIES:
            data = _save(reduced, format="JPEG", quality=quality)
            if len(data) <= budget:
                return data, step
        step *= 2
        reduced = image.reduce(step)


def resize_area(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A uint8 grey or RGB image resized to ``size`` = (width, height) by area averaging.

    Area averaging keeps thin parts visible (as partial coverage) when shrunk.

    Examples
    --------
    >>> resize_area(np.full((4, 6), 255, np.uint8), (3, 2)).tolist()
    [[255, 255, 255], [255, 255, 255]]
    """
    image = Image.fromarray(np.ascontiguousarray(array))
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return np.asarray(image.resize((int(size[0]), int(size[1])), Image.Resampling.BOX))


def rgb_image(pixels: np.ndarray) -> CanvasImage:
    """A ``(rows, cols, 3)`` uint8 array as a Pillow RGB image (what canvases take).

    Examples
    --------
    >>> rgb_image(np.zeros((2, 3, 3), np.uint8)).size
    (3, 2)
    """
    return Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), "RGB")


def _palette_image(indices: np.ndarray, colours: Sequence[tuple[int, int, int]]) -> Image.Image:
    """uint8 index array → a "P" image with ``colours`` as its palette (rest black)."""
    indices = np.ascontiguousarray(indices, dtype=np.uint8)
    im = Image.frombytes("P", (indices.shape[1], indices.shape[0]), indices.tobytes())
    flat = [channel for colour in colours for channel in colour]
    im.putpalette(flat + [0] * (768 - len(flat)))
    return im


def _save(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **options)
    return buffer.getvalue()
