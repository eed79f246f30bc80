"""The drawing canvas's background: photo, the mask being edited, a mask to trace."""

from __future__ import annotations

import numpy as np

from ..encode import CanvasImage, resize_area, rgb_image
from .colours import MASK_COLOR, TRACE_COLOR, rgb
from .raster import as_uint8_image, check_shape


def _coverage(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Share of each canvas pixel a mask covers, 0–255 (area average: thin parts stay)."""
    return resize_area(np.asarray(mask, dtype=bool).view(np.uint8) * np.uint8(255), size)


def drawing_backdrop(
    shape: tuple[int, int],
    *,
    size: tuple[int, int],
    background: np.ndarray | None = None,
    base: np.ndarray | None = None,
    other: np.ndarray | None = None,
    opacity: float = 0.5,
) -> CanvasImage:
    """Background picture for a drawing canvas: photo, the mask being edited, a mask to trace.

    Parameters
    ----------
    shape : (rows, cols)
        Size of the masks.
    size : (width, height)
        Canvas size in pixels (Pillow's order), e.g. from
        ``maskapp.drawing.canvas_size``; every layer is scaled to it.
    background : ndarray, optional
        Photo of ``shape`` (grey or colour); white when absent.
    base : ndarray of bool, optional
        The mask being edited, filled with :data:`MASK_COLOR` at ``opacity``
        (area-averaged, so thin parts stay visible when shrunk).
    other : ndarray of bool, optional
        Another mask to trace over: a light fill and a 1-pixel outline in
        :data:`TRACE_COLOR`.
    opacity : float
        Alpha of the ``base`` fill.

    Returns
    -------
    PIL.Image.Image
        RGB image of ``size``.

    Examples
    --------
    >>> base = np.zeros((40, 60), bool)
    >>> base[10:20, 10:30] = True
    >>> drawing_backdrop((40, 60), size=(30, 20), base=base).size
    (30, 20)
    """
    rows, cols = int(shape[0]), int(shape[1])
    width, height = int(size[0]), int(size[1])
    if width < 1 or height < 1:
        raise ValueError(f"size must be a positive (width, height), not {size!r}")
    for name, array in (("background image", background), ("mask", base), ("other mask", other)):
        check_shape(name, None if array is None else np.asarray(array), (rows, cols))
    if background is None:
        canvas = np.full((height, width, 3), 255, np.uint8)
    else:
        canvas = resize_area(as_uint8_image(np.asarray(background)), (width, height))
        if canvas.ndim == 2:
            canvas = np.repeat(canvas[..., None], 3, axis=-1)
    canvas = canvas.astype(np.float32)
    layers = []
    if other is not None:
        cover = _coverage(other, (width, height))
        inside = cover >= 128
        edge = inside.copy()
        edge[1:-1, 1:-1] &= ~(
            inside[:-2, 1:-1] & inside[2:, 1:-1] & inside[1:-1, :-2] & inside[1:-1, 2:]
        )
        alpha = np.where(edge, 1.0, cover / 255.0 * 0.25)
        layers.append((alpha, rgb(TRACE_COLOR)))
    if base is not None:
        layers.append((_coverage(base, (width, height)) / 255.0 * opacity, rgb(MASK_COLOR)))
    for alpha, colour in layers:
        alpha = alpha[..., None]
        canvas = canvas * (1.0 - alpha) + np.asarray(colour, np.float32) * alpha
    return rgb_image(np.clip(canvas + 0.5, 0, 255).astype(np.uint8))
