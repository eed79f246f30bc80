"""Mask makers and file encoders the tests share (``tests`` is on pytest's pythonpath).

Every input is built in memory with numpy or Pillow: nothing binary is committed.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from maskapp import MaskError

# ---------------------------------------------------------------- masks


def blob(rows: int = 24, cols: int = 32) -> np.ndarray:
    """A non-square, asymmetric mask: an ellipse and a bar, so rotations and flips show."""
    r, c = np.mgrid[:rows, :cols]
    mask = ((r - 0.4 * rows) / (0.3 * rows)) ** 2 + ((c - 0.35 * cols) / (0.28 * cols)) ** 2 <= 1
    mask[int(0.7 * rows) : int(0.88 * rows), int(0.62 * cols) : int(0.9 * cols)] = True
    return mask


def disk(rows: int, cols: int, centre: tuple[float, float], radius: float) -> np.ndarray:
    """A filled disk at ``centre`` (row, column) in a ``rows`` × ``cols`` mask."""
    r, c = np.mgrid[:rows, :cols]
    return (r - centre[0]) ** 2 + (c - centre[1]) ** 2 <= radius**2


def blobs(
    shape: tuple[int, int], seed: int, density: float = 0.3, sigma: float = 3.0
) -> np.ndarray:
    """Random blobby masks (smoothed noise), more realistic than salt and pepper."""
    rng = np.random.default_rng(seed)
    noise = ndimage.gaussian_filter(rng.random(shape), sigma)
    return noise > np.quantile(noise, 1 - density)


def grid(shape: tuple[int, int], *boxes: tuple[int, int, int, int]) -> np.ndarray:
    """A bool mask with the half-open boxes (r0, c0, r1, c1) set."""
    mask = np.zeros(shape, bool)
    for r0, c0, r1, c1 in boxes:
        mask[r0:r1, c0:c1] = True
    return mask


# ---------------------------------------------------------------- files


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    """``image`` saved by Pillow as ``fmt`` ('PNG', 'JPEG', …), as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def grey(array: np.ndarray, fmt: str = "PNG", **params) -> bytes:
    """A 2-D array saved as it is (Pillow picks the mode from the dtype)."""
    return encode(Image.fromarray(array), fmt, **params)


def png_bytes(mask: np.ndarray) -> bytes:
    """A binary mask as the usual 8-bit grey PNG: 0 and 255."""
    return grey(np.asarray(mask, dtype=np.uint8) * np.uint8(255))


def jpeg(mask: np.ndarray, scale: int = 255, quality: int = 75) -> bytes:
    """A binary mask as a grey JPEG with foreground ``scale``."""
    return grey(np.asarray(mask, dtype=np.uint8) * np.uint8(scale), "JPEG", quality=quality)


def npy(array: np.ndarray, **params) -> bytes:
    """``array`` as ``numpy.save`` writes it."""
    buffer = io.BytesIO()
    np.save(buffer, array, **params)
    return buffer.getvalue()


def npy_header(shape: tuple | str, descr: str = "|b1", body: bytes = b"\0" * 16) -> bytes:
    """An .npy file (version 1.0) whose header declares ``shape``, followed by only ``body``.

    A string ``shape`` is written verbatim, so a header can say what numpy's own
    writer never would (``"(True, 24)"``).
    """
    if not isinstance(shape, str):
        buffer = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            buffer, {"descr": descr, "fortran_order": False, "shape": shape}
        )
        return buffer.getvalue() + body
    raw = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape}, }}".encode("latin1")
    raw += b" " * (-(10 + len(raw) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(raw).to_bytes(2, "little") + raw + body


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and a correct CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# ---------------------------------------------------------------- messages

#: Words that tell a person what to do (one of them is in every MaskError message).
ACTION_WORDS = (
    "save", "export", "choose", "use", "check", "name a file", "downscale", "upload",
    "replace", "reshape", "pass", "renumber", "move", "try", "crop", "must",
    "write", "convert", "compress", "give", "compare", "read both",
)  # fmt: skip
PILLOW_PHRASES = ("cannot identify image file", "image file is truncated", "decompression bomb")
MAX_MESSAGE = 500


def assert_actionable(err: MaskError) -> None:
    """One short line that says what to do, in maskapp's words rather than Pillow's."""
    message = str(err)
    assert message and message == message.strip(), repr(message)
    assert "\n" not in message and "\r" not in message, repr(message)
    assert len(message) <= MAX_MESSAGE, f"{len(message)} characters: {message[:200]}…"
    assert any(word in message.lower() for word in ACTION_WORDS), message
    assert not message.lower().startswith(PILLOW_PHRASES), message
    if err.__cause__ is not None:
        assert message != str(err.__cause__), message


def segmetrics_by_simpleitk(ref, cand, spacing):
    """seg-metrics 1.2.8's computeQualityMeasures, distance part, on SimpleITK directly.

    ``spacing`` in array order (rows, columns[, …]); SimpleITK takes it reversed.
    """
    sitk = pytest.importorskip("SimpleITK")

    def image(mask):
        img = sitk.GetImageFromArray(mask.astype(np.uint8))
        img.SetSpacing(tuple(float(s) for s in spacing[::-1]))
        return img

    def distance_map(mask):
        if mask.sum() == 0:
            return np.zeros(mask.shape, np.float32)
        dm = sitk.SignedMaurerDistanceMap(
            image(mask) > 0.5, squaredDistance=False, useImageSpacing=True
        )
        return np.abs(sitk.GetArrayFromImage(dm))

    def contour(mask):
        return sitk.GetArrayFromImage(sitk.LabelContour(image(mask) > 0.5, fullyConnected=True))

    pooled = np.concatenate(
        [distance_map(ref)[contour(cand) > 0], distance_map(cand)[contour(ref) > 0]]
    ).astype(np.float64)
    if len(pooled) == 0:
        return {"hausdorff": 0.0, "hd95": 0.0, "assd": 0.0}
    return {"hausdorff": pooled.max(), "hd95": np.percentile(pooled, 95), "assd": pooled.mean()}
