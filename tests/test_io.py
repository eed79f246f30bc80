"""maskapp.read_mask on every real-world mask format and every bad input.

Every input is generated here with Pillow or numpy (nothing binary is committed).
Bugs found by these tests were fixed; each test keeps pinning its behaviour.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_actionable, blob, encode, grey, jpeg, npy, npy_header, png_chunk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import EpsImagePlugin, Image, ImageFile

from maskapp import MAX_PIXELS, Mask, MaskError, compare, read_mask
from maskapp.io import encode_png
from maskapp.masks import MAX_CLASSES

# ---------------------------------------------------------------------------
# Inputs, all built in memory
# ---------------------------------------------------------------------------


MASK = blob()
GREY = MASK.astype(np.uint8) * np.uint8(255)
ROWS, COLS = MASK.shape
PROBABILITIES = np.where(MASK, 0.7, 0.1).astype(np.float32)
GRADIENT = (np.arange(200 * 200) % 256).astype(np.uint8).reshape(200, 200)  # 256 grey levels


def palette_image(indices: np.ndarray, colours: list[tuple[int, int, int]]) -> Image.Image:
    indices = np.ascontiguousarray(indices, dtype=np.uint8)
    image = Image.frombytes("P", indices.shape[::-1], indices.tobytes())
    flat = [channel for colour in colours for channel in colour]
    image.putpalette(flat + [0] * (768 - len(flat)))
    return image


def rgb(mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    out = np.zeros((*mask.shape, 3), np.uint8)
    out[mask] = colour
    return out


def with_channel(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    if colour.ndim == 2:
        colour = colour[..., None]
    return np.ascontiguousarray(np.dstack([colour, alpha]))


def bilevel_png(width: int, height: int, *, valid: bool = False) -> bytes:
    """A hand-made 1-bit PNG: valid all-black rows, or a real IHDR over a token IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    if valid:
        compressor = zlib.compressobj(9)
        row = bytes(1 + (width + 7) // 8)
        idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    else:
        idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def animation(first: np.ndarray, second: np.ndarray, fmt: str) -> bytes:
    """A two-frame GIF / WebP or a two-page TIFF."""
    params = {"lossless": True} if fmt == "WEBP" else {}
    frames = [Image.fromarray(first), Image.fromarray(second)]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], **params)


def noisy_png() -> bytes:
    """A PNG whose pixel data dominates the file (so a cut lands inside IDAT)."""
    noise = np.random.default_rng(0).random((200, 200)) > 0.5
    return grey(noise.astype(np.uint8) * np.uint8(255))


def flipped_idat_bit(data: bytes) -> bytes:
    """One bit of pixel data flipped, CRC left as it was.

    Pillow alone decodes this file without complaint, into a mask that differs
    from the real one in 276 pixels (its decoder never reaches zlib's checksum).
    """
    out = bytearray(data)
    out[data.index(b"IDAT") + 32] ^= 0x80
    return bytes(out)


def corrupt_jpeg() -> bytes:
    """A JPEG whose Huffman table counts are impossible (every count 255)."""
    data = bytearray(jpeg(MASK))
    dht = data.index(b"\xff\xc4")
    data[dht + 5 : dht + 21] = b"\xff" * 16
    return bytes(data)


def exif(orientation: int) -> Image.Exif:
    tags = Image.Exif()
    tags[0x0112] = orientation
    return tags


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape
    return float(np.mean(a == b))


def read_error(source, **kwargs) -> MaskError:
    with pytest.raises(MaskError) as info:
        read_mask(source, **kwargs)
    return info.value


# ---------------------------------------------------------------------------
# Binary masks: every real-world way a mask is stored
# ---------------------------------------------------------------------------

P_NEAR_BLACK = palette_image(MASK, [(0, 0, 0), (0, 0, 1)])
ID_MAP = np.where(MASK, np.arange(MASK.size).reshape(MASK.shape) % 7 + 1, 0)
BIG_IDS = np.resize([256, 65536, 70000], MASK.shape)

BINARY_CASES = [
    # id, make bytes, Pillow mode, rule fragment, note fragment
    ("png-1bit", lambda: encode(Image.fromarray(MASK), "PNG"), "1", "set pixels", None),
    ("png-L-0-255", lambda: grey(GREY), "L", "nonzero is foreground", None),
    ("png-L-0-1-looks-black", lambda: grey(MASK.astype(np.uint8)), "L", "nonzero", None),
    (
        "png-LA-mask-in-grey",
        lambda: encode(Image.fromarray(with_channel(GREY, np.full_like(GREY, 255)), "LA"), "PNG"),
        "LA",
        "nonzero",
        "alpha channel ignored",
    ),
    (
        "png-LA-mask-only-in-alpha",
        lambda: encode(Image.fromarray(with_channel(np.full_like(GREY, 90), GREY), "LA"), "PNG"),
        "LA",
        "mask in alpha channel",
        None,
    ),
    ("png-I16-0-65535", lambda: grey(MASK.astype(np.uint16) * np.uint16(65535)), "I;16",
     "nonzero", None),
    (
        "png-I16-label-map",
        lambda: grey(np.where(MASK, ID_MAP * 9000 + 200, 0).astype(np.uint16)),
        "I;16",
        "id map",
        "every nonzero value is foreground",
    ),
    (
        "tiff-I32-ids-above-255",
        # 256 and 65536 are 0 after a uint8 / uint16 wrap-around: they must stay foreground.
        lambda: encode(Image.fromarray(np.where(MASK, BIG_IDS, 0).astype(np.int32)), "TIFF"),
        "I",
        "nonzero",
        None,
    ),
    (
        "tiff-I32-id-map",
        lambda: encode(
            Image.fromarray(np.where(MASK, ID_MAP * 65536 + 256, 0).astype(np.int32)), "TIFF"
        ),
        "I",
        "id map",
        None,
    ),
    ("png-RGB-red-on-black", lambda: grey(rgb(MASK, (255, 0, 0))), "RGB", "non-black colour",
     None),
    ("png-RGB-dark-blue-on-black", lambda: grey(rgb(MASK, (0, 0, 1))), "RGB", "non-black",
     None),
    ("png-RGB-grey-as-colour", lambda: grey(np.dstack([GREY] * 3)), "RGB",
     "grey stored as colour", None),
    (
        "png-RGBA-mask-only-in-alpha",
        lambda: grey(with_channel(np.dstack([np.full_like(GREY, 200)] * 3), GREY)),
        "RGBA",
        "mask in alpha channel",
        None,
    ),
    (
        "png-RGBA-colour-opaque-alpha",
        lambda: grey(with_channel(rgb(MASK, (0, 200, 0)), np.full_like(GREY, 255))),
        "RGBA",
        "non-black colour",
        "alpha channel ignored",
    ),
    ("png-P-index-1-is-(0,0,1)", lambda: encode(P_NEAR_BLACK, "PNG"), "P", "nonzero", None),
    ("gif-P-index-1-is-(0,0,1)", lambda: encode(P_NEAR_BLACK, "GIF"), "P", "nonzero", None),
    ("gif-from-grey", lambda: grey(GREY, "GIF"), "P", "nonzero", None),
    ("bmp-L", lambda: grey(GREY, "BMP"), "L", "nonzero", None),
    ("bmp-1bit", lambda: encode(Image.fromarray(MASK), "BMP"), "1", "set pixels", None),
    ("bmp-P", lambda: encode(P_NEAR_BLACK, "BMP"), "P", "nonzero", None),
    ("bmp-RGB", lambda: grey(rgb(MASK, (0, 0, 255)), "BMP"), "RGB", "non-black", None),
    ("tiff-L", lambda: grey(GREY, "TIFF"), "L", "nonzero", None),
    ("tiff-1bit", lambda: encode(Image.fromarray(MASK), "TIFF"), "1", "set pixels", None),
    ("tiff-I16", lambda: grey(MASK.astype(np.uint16) * np.uint16(1000), "TIFF"), "I;16",
     "nonzero", None),
    (
        "tiff-F-probability",
        lambda: encode(Image.fromarray(np.where(MASK, 0.9, 0.1).astype(np.float32)), "TIFF"),
        "F",
        "probability map: value > 0.5",
        None,
    ),
    (
        "tiff-F-0-255",
        lambda: encode(Image.fromarray(GREY.astype(np.float32)), "TIFF"),
        "F",
        "midpoint",
        None,
    ),
    ("webp-lossless-L", lambda: grey(GREY, "WEBP", lossless=True), "RGB",
     "grey stored as colour", None),
    ("webp-lossless-RGB", lambda: grey(rgb(MASK, (255, 0, 255)), "WEBP", lossless=True), "RGB",
     "non-black", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "mode", "rule", "note"),
    [pytest.param(*case[1:], id=case[0]) for case in BINARY_CASES],
)
def test_binary_formats_give_the_drawn_mask(make, mode, rule, note):
    mask = read_mask(make())
    assert mask.array.dtype == bool
    assert mask.array.flags.c_contiguous
    assert np.array_equal(mask.array, MASK)
    # True is byte 1: sums and bitwise ops over the bytes see what numpy shows.
    assert mask.array.view(np.uint8).max() == 1
    counts = compare(mask, np.ones_like(MASK), distances=False, objects=False).overlap
    assert (counts.reference_area, counts.tp, counts.fp) == (MASK.sum(), MASK.sum(), (~MASK).sum())
    assert mask.info.kind == "binary"
    assert mask.info.mode == mode
    assert mask.info.shape == (ROWS, COLS) == mask.shape
    assert rule in mask.info.rule
    assert mask.info.foreground == int(MASK.sum())
    if note is not None:
        assert any(note in n for n in mask.info.notes), mask.info.notes


def test_palette_index_decides_even_when_luminance_is_zero():
    # The trap being avoided: convert('L') turns the (0, 0, 1) foreground black.
    data = encode(P_NEAR_BLACK, "PNG")
    with Image.open(io.BytesIO(data)) as image:
        assert not np.asarray(image.convert("L")).any()
    assert np.array_equal(read_mask(data).array, MASK)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: grey(rgb(MASK, (255, 0, 0)), "GIF"), id="gif-saved-from-rgb"),
        pytest.param(
            lambda: encode(Image.fromarray(rgb(MASK, (255, 0, 0))).quantize(2), "PNG"),
            id="png-quantize-2",
        ),
    ],
)
def test_quantised_palette_mask_is_not_inverted(make):
    data = make()
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "P" and image.getpalette()[3:6] == [0, 0, 0]  # black = index 1
    assert np.array_equal(read_mask(data).array, MASK)


def test_id_256_is_foreground_without_uint8_wraparound():
    ids = np.array([[0, 256, 512], [65536, 0, 70000]], np.int32)
    for source in (encode(Image.fromarray(ids), "TIFF"), npy(ids.astype(np.int64)), ids):
        mask = read_mask(source)
        assert mask.array.tolist() == [[False, True, True], [True, False, True]]


def test_float_probability_of_exactly_half_is_background():
    probabilities = np.array([[0.0, 0.5, 0.5000001], [1.0, 0.25, 0.75]], np.float32)
    for source in (encode(Image.fromarray(probabilities), "TIFF"), npy(probabilities)):
        mask = read_mask(source)
        assert mask.array.tolist() == [[False, False, True], [True, False, True]]
        assert mask.info.threshold == 0.5
        assert "value > 0.5" in mask.info.rule


def test_soft_8bit_map_is_thresholded_at_the_middle_of_the_range():
    mask = read_mask(grey(GRADIENT))
    assert np.array_equal(mask.array, GRADIENT > 127)
    assert mask.info.threshold == 127.5
    assert "soft 8-bit" in mask.info.rule


def test_explicit_threshold_overrides_the_rule():
    mask = read_mask(grey(np.array([[0, 10, 200]], np.uint8)), threshold=10)
    assert mask.array.tolist() == [[False, False, True]]
    assert mask.info.threshold == 10.0 and "threshold given" in mask.info.rule


# ---------------------------------------------------------------------------
# Lossy codecs
# ---------------------------------------------------------------------------

JPEG_MASK = blob(96, 128)


def test_jpeg_0_255_with_compression_noise_binarises_cleanly():
    data = jpeg(JPEG_MASK, 255, quality=75)
    with Image.open(io.BytesIO(data)) as image:
        decoded = np.asarray(image)
    assert len(np.unique(decoded)) > 2, "quality 75 must add noise for this test to mean much"
    mask = read_mask(data)
    assert mask.info.format == "JPEG"
    assert "lossy" in mask.info.rule
    assert agreement(mask.array, JPEG_MASK) >= 0.995


def test_jpeg_0_1_mask_follows_its_stated_rule():
    data = jpeg(JPEG_MASK, 1, quality=95)
    with Image.open(io.BytesIO(data)) as image:
        decoded = np.asarray(image)
    mask = read_mask(data)
    assert "lossy" in mask.info.rule
    assert np.array_equal(mask.array, decoded > mask.info.threshold)


@pytest.mark.parametrize("quality", [75, 95, 100])
def test_jpeg_0_1_mask_keeps_its_foreground(quality):
    data = jpeg(JPEG_MASK, 1, quality=quality)
    with Image.open(io.BytesIO(data)) as image:
        decoded = np.asarray(image)
    assert agreement(decoded >= 1, JPEG_MASK) >= 0.97  # the mask is in the file
    assert agreement(read_mask(data).array, JPEG_MASK) >= 0.97


def test_rgb_jpeg_uses_the_lossy_colour_rule():
    mask = read_mask(grey(rgb(JPEG_MASK, (255, 0, 0)), "JPEG", quality=75))
    assert "lossy colour" in mask.info.rule
    assert agreement(mask.array, JPEG_MASK) >= 0.995


def test_cmyk_jpeg_is_converted_and_noted():
    data = encode(Image.fromarray(JPEG_MASK.astype(np.uint8) * 255).convert("CMYK"), "JPEG")
    mask = read_mask(data)
    assert mask.info.mode == "CMYK"
    assert "CMYK converted to RGB" in mask.info.notes
    assert agreement(mask.array, JPEG_MASK) >= 0.995


def test_lossy_webp_is_thresholded_like_jpeg():
    mask = read_mask(grey(JPEG_MASK.astype(np.uint8) * np.uint8(255), "WEBP", quality=75))
    assert agreement(mask.array, JPEG_MASK) >= 0.995


# ---------------------------------------------------------------------------
# .npy
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "rule"),
    [
        pytest.param(MASK, "set pixels", id="bool"),
        pytest.param(GREY, "nonzero", id="uint8-0-255"),
        pytest.param(np.where(MASK, 0.8, 0.2).astype(np.float32), "value > 0.5", id="float32"),
        pytest.param(np.where(MASK, 0.8, 0.2).astype(np.float16), "value > 0.5", id="float16"),
        pytest.param(MASK.astype(np.float64), "nonzero", id="float64-0-1"),
        pytest.param((ID_MAP * 10**10).astype(np.int64), "id map", id="int64-id-map"),
        pytest.param((MASK * 300).astype(">u2"), "nonzero", id="big-endian-uint16"),
        pytest.param(np.asfortranarray(ID_MAP.astype(np.uint8)), "id map", id="fortran-order"),
    ],
)
def test_npy_arrays(array, rule):
    mask = read_mask(npy(array))
    assert mask.info.format == "NPY"
    assert mask.info.dtype == str(array.dtype)
    assert rule in mask.info.rule
    assert np.array_equal(mask.array, MASK)


def test_npy_fortran_order_keeps_element_positions():
    labels = np.asfortranarray(np.arange(12).reshape(3, 4))
    assert read_mask(npy(labels), kind="labels").array.tolist() == labels.tolist()


def test_npy_version_2_header():
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, GREY, version=(2, 0))
    assert np.array_equal(read_mask(buffer.getvalue()).array, MASK)


def test_npy_singleton_axis_is_squeezed_with_a_note():
    mask = read_mask(npy(MASK[None]))
    assert np.array_equal(mask.array, MASK)
    assert any("singleton axes dropped" in n for n in mask.info.notes)


def test_huge_npy_header_is_refused_from_the_header_without_allocating():
    data = npy_header((100_000, 100_000), "|b1")
    assert len(data) < 200
    tracemalloc.start()
    start = time.perf_counter()
    try:
        err = read_error(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 0.5
    assert peak < 5 * 2**20
    assert "100000×100000" in str(err) and "limit" in str(err)
    assert_actionable(err)


def test_npy_within_the_cap_but_missing_its_data_is_truncated_not_allocated():
    tracemalloc.start()
    try:
        err = read_error(npy_header((8000, 8000), "<f8", body=b"\0" * 100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "truncated" in str(err)
    assert peak < 5 * 2**20
    assert_actionable(err)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param((-1, 4), id="negative-dimension-silently-reshaped"),
        pytest.param((-1, 5), id="negative-dimension"),
        pytest.param((-3, -4), id="two-negative-dimensions"),
        pytest.param((2**62, 2), id="int64-overflow-to-negative"),
        pytest.param((2**70, 1), id="beyond-int64"),
    ],
)
def test_npy_header_with_an_impossible_shape_is_a_mask_error(shape):
    read_error(npy_header(shape, "|u1"))


@pytest.mark.parametrize("shape", ["(True, 24)", "(16, True)"])
def test_npy_header_with_bool_in_its_shape_is_a_mask_error(shape):
    # bool is an int subclass and True == 1: read as a number, (True, 24) is a valid
    # 1×24 header, and the data below holds enough bytes for it.
    data = npy_header(shape, "|u1", body=b"\1" * 64)
    for kind in ("binary", "labels"):
        err = read_error(data, kind=kind)
        assert f"impossible shape {shape}" in str(err)
        assert_actionable(err)


@pytest.mark.parametrize("kind", ["binary", "labels"])
def test_npy_header_with_more_than_64_dimensions_is_a_mask_error(kind):
    err = read_error(npy_header(repr((1,) * 65), "|u1", body=b"\1" * 64), kind=kind)
    assert "65 dimensions" in str(err)
    assert_actionable(err)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param((100_000, 100_000), id="2-D"),
        pytest.param(
            (2**32, 2**32),
            id="product-wraps-to-zero",
        ),
        pytest.param(
            (1, 100_000, 100_000),
            id="leading-singleton",
        ),
    ],
)
def test_huge_npy_shapes_are_reported_with_their_real_size(shape):
    message = str(read_error(npy_header(shape)))
    assert "100000×100000" in message or "4294967296×4294967296" in message
    assert "limit" in message


def test_npy_with_an_oversized_header_gives_a_one_line_message():
    buffer = io.BytesIO()
    descr = [(f"field{i}", "<u1") for i in range(2000)]
    np.lib.format.write_array_header_2_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": (2, 2)}
    )
    assert_actionable(read_error(buffer.getvalue() + b"\0" * 10_000))


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


class ArrayOnly:
    """Exposes only ``__array__`` (like many array libraries)."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self._array if dtype is None else self._array.astype(dtype)


class DLPackOnly:
    """Exposes only the DLPack protocol, as a CPU torch tensor does."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


class GPUTensor:
    """A DLPack producer that cannot export to the CPU."""

    def __dlpack__(self, **kwargs):
        raise BufferError("tensor lives on cuda:0")

    def __dlpack_device__(self):
        return (2, 0)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


PNG = grey(GREY)

SOURCES = [
    ("path-str", lambda tmp: str(_write(tmp, "mask.png", PNG)), "PNG file"),
    ("path-pathlib", lambda tmp: _write(tmp, "mask.png", PNG), "PNG file"),
    ("npy-path", lambda tmp: _write(tmp, "mask.npy", npy(MASK)), "NPY file"),
    ("bytes", lambda tmp: PNG, "PNG file"),
    ("bytearray", lambda tmp: bytearray(PNG), "PNG file"),
    ("memoryview", lambda tmp: memoryview(PNG), "PNG file"),
    ("memoryview-of-array", lambda tmp: memoryview(np.frombuffer(PNG, np.uint8)), "PNG file"),
    ("BytesIO", lambda tmp: io.BytesIO(PNG), "PNG file"),
    ("open-file", lambda tmp: _write(tmp, "m.png", PNG).open("rb"), "PNG file"),
    ("ndarray", lambda tmp: GREY, "numpy array"),
    ("non-contiguous-ndarray", lambda tmp: np.repeat(GREY, 2, axis=1)[:, ::2], "numpy array"),
    ("nested-lists", lambda tmp: MASK.astype(int).tolist(), "list"),
    ("__array__-only", lambda tmp: ArrayOnly(GREY), "ArrayOnly"),
    ("__dlpack__-only", lambda tmp: DLPackOnly(GREY), "DLPackOnly"),
]


@pytest.mark.parametrize(("make", "source"), [pytest.param(*s[1:], id=s[0]) for s in SOURCES])
def test_every_kind_of_source(make, source, tmp_path):
    obj = make(tmp_path)
    try:
        mask = read_mask(obj)
    finally:
        if hasattr(obj, "close"):
            obj.close()
    assert np.array_equal(mask.array, MASK)
    assert mask.info.source == source


def test_a_mask_is_returned_as_is():
    mask = read_mask(PNG)
    assert isinstance(mask, Mask)
    assert read_mask(mask) is mask


def test_dlpack_source_never_imports_torch(monkeypatch):
    attempts: list[str] = []

    class TorchWatcher:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "torch":
                attempts.append(name)
            return None

    monkeypatch.setattr(sys, "meta_path", [TorchWatcher(), *sys.meta_path])
    mask = read_mask(DLPackOnly(GREY))
    assert np.array_equal(mask.array, MASK)
    assert attempts == []
    assert "torch" not in sys.modules


def test_dlpack_tensor_on_a_gpu_is_a_mask_error():
    err = read_error(GPUTensor())
    assert "CPU" in str(err)
    assert_actionable(err)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        pytest.param(42, TypeError, id="int"),
        pytest.param(None, TypeError, id="None"),
        pytest.param(io.StringIO("0 1"), TypeError, id="text-stream"),
    ],
)
def test_programming_errors_stay_ordinary_exceptions(source, error):
    with pytest.raises(error) as info:
        read_mask(source)
    assert not isinstance(info.value, MaskError)


def test_bad_kind_is_a_value_error_not_a_mask_error():
    with pytest.raises(ValueError, match="kind") as info:
        read_mask(PNG, kind="multiclass")
    assert not isinstance(info.value, MaskError)


def test_content_decides_not_the_extension(tmp_path):
    png_named_jpg = read_mask(_write(tmp_path, "mask.jpg", PNG))
    assert png_named_jpg.info.format == "PNG" and "lossy" not in png_named_jpg.info.rule
    assert np.array_equal(png_named_jpg.array, MASK)
    jpeg_named_png = read_mask(_write(tmp_path, "mask.png", jpeg(JPEG_MASK)))
    assert jpeg_named_png.info.format == "JPEG" and "lossy" in jpeg_named_png.info.rule
    npy_named_png = read_mask(_write(tmp_path, "array.png", npy(MASK)))
    assert npy_named_png.info.format == "NPY"


def test_file_size_cap_applies_to_paths_and_streams(monkeypatch, tmp_path):
    import maskapp.io

    monkeypatch.setattr(maskapp.io, "MAX_FILE_BYTES", len(PNG) - 1)
    for source in (_write(tmp_path, "big.png", PNG), io.BytesIO(PNG)):
        err = read_error(source)
        assert "MB" in str(err)
        assert_actionable(err)


# ---------------------------------------------------------------------------
# EXIF orientation, frames and pages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params", "orientation", "turn"),
    [
        pytest.param("JPEG", {"quality": 95}, 6, -1, id="jpeg-6"),
        pytest.param("JPEG", {"quality": 95}, 8, 1, id="jpeg-8"),
        pytest.param("PNG", {}, 6, -1, id="png-eXIf-6"),
        pytest.param("PNG", {}, 3, 2, id="png-eXIf-3"),
        pytest.param("WEBP", {"lossless": True}, 6, -1, id="webp-lossless-6"),
    ],
)
def test_exif_orientation_is_applied_and_noted(fmt, params, orientation, turn):
    truth = blob(48, 64)
    image = Image.fromarray(truth.astype(np.uint8) * np.uint8(255))
    mask = read_mask(encode(image, fmt, exif=exif(orientation), **params))
    expected = np.rot90(truth, k=turn)
    assert mask.shape == expected.shape
    assert agreement(mask.array, expected) >= 0.995
    assert f"EXIF orientation {orientation} applied" in mask.info.notes


def test_tiff_orientation_is_applied():
    data = encode(Image.fromarray(GREY), "TIFF", tiffinfo={0x0112: 6})
    assert np.array_equal(read_mask(data).array, np.rot90(MASK, k=-1))


def test_tiff_orientation_is_noted():
    data = encode(Image.fromarray(GREY), "TIFF", tiffinfo={0x0112: 6})
    assert any("orientation" in note for note in read_mask(data).info.notes)


def test_invalid_exif_orientation_is_not_reported_as_applied():
    mask = read_mask(grey(GREY, "JPEG", quality=95, exif=exif(9)))
    assert mask.shape == MASK.shape
    assert "EXIF orientation 9 applied" not in mask.info.notes


def test_malformed_exif_does_not_stop_the_read():
    broken = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow: "Corrupt EXIF data"
        mask = read_mask(grey(JPEG_MASK.astype(np.uint8) * np.uint8(255), "JPEG", exif=broken))
    assert agreement(mask.array, JPEG_MASK) >= 0.995


@pytest.mark.parametrize(
    ("fmt", "note"),
    [
        pytest.param("GIF", "first of 2 frames used", id="animated-gif"),
        pytest.param("TIFF", "first of 2 pages used", id="multipage-tiff"),
        pytest.param("WEBP", "first of 2 frames used", id="animated-webp"),
    ],
)
def test_only_the_first_frame_or_page_is_read_and_noted(fmt, note):
    mask = read_mask(animation(GREY, np.uint8(255) - GREY, fmt))
    assert np.array_equal(mask.array, MASK)
    assert note in mask.info.notes


# ---------------------------------------------------------------------------
# Bad input: every error is one actionable MaskError line
# ---------------------------------------------------------------------------

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto showpage\n"
NO_ACTION = "BUG: message says what is wrong but not what to do"

ERROR_CASES = [
    # id, make(tmp_path) → source, message fragment
    ("empty-bytes", lambda tmp: b"", "empty"),
    ("zero-byte-file", lambda tmp: _write(tmp, "empty.png", b""), "empty"),
    ("text", lambda tmp: b"0 1 1 0\n1 1 0 0\n", "not an image"),
    ("html", lambda tmp: b"<!DOCTYPE html><html><body>404</body></html>", "not an image"),
    (
        "svg",
        lambda tmp: b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
        b'<rect width="4" height="4"/></svg>',
        "not an image",
    ),
    ("eps", lambda tmp: EPS, "not an image"),
    ("eps-dos-binary", lambda tmp: b"\xc5\xd0\xd3\xc6" + bytes(40), "not an image"),
    ("tga", lambda tmp: grey(GREY, "TGA"), "not an image"),
    ("ico", lambda tmp: grey(GREY, "ICO"), "not an image"),
    ("pcx", lambda tmp: grey(GREY, "PCX"), "not an image"),
    ("truncated-png-60%", lambda tmp: noisy_png()[: int(len(noisy_png()) * 0.6)], "truncated"),
    ("truncated-jpeg", lambda tmp: jpeg(JPEG_MASK)[: len(jpeg(JPEG_MASK)) // 2], "truncated"),
    ("truncated-tiff", lambda tmp: grey(GRADIENT, "TIFF")[:20_000], "truncated"),
    ("corrupt-jpeg", lambda tmp: corrupt_jpeg(), "corrupt"),
    ("png-idat-checksum", lambda tmp: flipped_idat_bit(grey(GREY)), "fails its checksum"),
    ("png-bomb-40000x40000", lambda tmp: bilevel_png(40_000, 40_000), "decompression bomb"),
    ("png-13000x13000-bomb-warning", lambda tmp: bilevel_png(13_000, 13_000),
     "decompression bomb"),
    ("png-9000x9000-over-cap", lambda tmp: bilevel_png(9000, 9000), "limit"),
    ("npz", lambda tmp: npz(mask=MASK), "zip archive"),
    ("raw-pickle", lambda tmp: pickle.dumps(MASK), "pickle"),
    ("npy-pickled-object", lambda tmp: npy(np.array([[None, 1]], dtype=object),
                                           allow_pickle=True), "Python objects"),
    ("npy-structured", lambda tmp: npy(np.zeros((2, 2), [("a", "u1"), ("b", "<f4")])),
     "data type"),
    ("npy-complex", lambda tmp: npy(np.zeros((2, 2), complex)), "data type"),
    ("npy-truncated-data", lambda tmp: npy(GREY)[:-50], "truncated"),
    ("npy-truncated-header", lambda tmp: npy(GREY)[:20], "corrupt header"),
    ("npy-unknown-version", lambda tmp: b"\x93NUMPY\x09\x00" + npy(GREY)[8:], "corrupt header"),
    ("npy-3d", lambda tmp: npy(np.stack([GREY, GREY])), "more dimensions"),
    ("npy-1d", lambda tmp: npy(np.zeros(5, np.uint8)), "two dimensions"),
    ("npy-nan", lambda tmp: npy(np.array([[0.0, np.nan]], np.float32)), "NaN"),
    ("npy-inf", lambda tmp: npy(np.array([[0.0, np.inf]], np.float32)), "infinite"),
    ("npy-huge-shape", lambda tmp: npy_header((100_000, 100_000)), "limit"),
    ("missing-path", lambda tmp: tmp / "no-such-mask.png", "No file"),
    ("missing-path-str", lambda tmp: str(tmp / "no-such-mask.png"), "No file"),
    ("directory", lambda tmp: tmp, "folder"),
    ("ragged-lists", lambda tmp: [[0, 1], [1]], "Could not read"),
    ("string-array", lambda tmp: np.array([["a", "b"]]), "not numeric"),
    ("0-d-array", lambda tmp: np.array(3), "two dimensions"),
    ("empty-array", lambda tmp: np.zeros((0, 4)), "no pixels"),
    ("nan-array", lambda tmp: np.array([[np.nan, 1.0]]), "NaN"),
]  # fmt: skip

XFAIL_ERROR_CASES = [
    ("npy-0-d", lambda tmp: npy(np.uint8(3)), "single number"),
    ("npy-zero-size", lambda tmp: npy(np.zeros((0, 4), np.uint8)), "no elements"),
]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in ERROR_CASES]
    + [
        pytest.param(*case[1:], id=case[0])
        for case in XFAIL_ERROR_CASES
    ],
)
def test_bad_input_is_one_actionable_mask_error(make, fragment, tmp_path):
    start = time.perf_counter()
    err = read_error(make(tmp_path))
    assert time.perf_counter() - start < 2.0
    assert fragment.lower() in str(err).lower(), str(err)
    assert_actionable(err)


def test_refusals_by_size_happen_before_decoding():
    # The token IDAT could never decode: only a header check can produce these messages.
    start = time.perf_counter()
    over_cap = str(read_error(bilevel_png(9000, 9000)))
    bomb = str(read_error(bilevel_png(40_000, 40_000)))
    assert time.perf_counter() - start < 2.0
    assert "9000×9000" in over_cap and f"{MAX_PIXELS / 1e6:.1f} MP" in over_cap
    assert "decompression bomb" in bomb


def test_a_valid_image_over_the_cap_is_refused_quickly():
    data = bilevel_png(9000, 9000, valid=True)
    assert len(data) < 100_000
    start = time.perf_counter()
    err = read_error(data)
    assert time.perf_counter() - start < 2.0
    assert "81.0 MP" in str(err)


def test_hand_made_bilevel_png_helper_is_a_real_png():
    mask = read_mask(bilevel_png(300, 200, valid=True))
    assert mask.shape == (200, 300) and not mask.array.any()


def test_eps_is_refused_without_running_ghostscript(monkeypatch):
    calls: list[str] = []

    def record(name):
        def refuse(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} must never run")

        return refuse

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", record("Ghostscript"))
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", record("EpsImageFile._open"))
    monkeypatch.setattr(subprocess, "Popen", record("subprocess.Popen"))
    for data in (EPS, b"\xc5\xd0\xd3\xc6" + bytes(40)):
        err = read_error(data)
        assert "not an image" in str(err)
    assert calls == []


def test_truncated_png_never_gives_a_partial_mask():
    truth = np.random.default_rng(1).random((60, 80)) > 0.5
    data = grey(truth.astype(np.uint8) * np.uint8(255))
    for cut in range(1, len(data), 7):
        try:
            mask = read_mask(data[:cut])
        except MaskError as err:
            assert_actionable(err)
        else:  # the cut only removed trailing chunks
            assert np.array_equal(mask.array, truth), f"partial mask at {cut} of {len(data)}"


def test_truncated_png_is_refused_even_if_another_library_allows_truncation(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = noisy_png()
    read_error(data[: int(len(data) * 0.6)])


def test_pillow_state_is_left_alone():
    read_mask(PNG)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS is not None


def test_missing_path_with_a_newline_in_its_name_is_one_line(tmp_path):
    assert_actionable(read_error(tmp_path / "mask\nname.png"))


# ---------------------------------------------------------------------------
# Label maps
# ---------------------------------------------------------------------------

VOC = np.zeros((6, 8), np.uint8)
VOC[0, 0] = 1
VOC[1, 1:3] = 2
VOC[2, :] = 15
VOC[5, :] = 255
VOC_COLOURS = [(0, 0, 0), (128, 0, 0), (0, 128, 0)] + [(i, i, 64) for i in range(3, 256)]
VOC_COLOURS[255] = (224, 224, 192)


def test_voc_palette_label_map():
    mask = read_mask(encode(palette_image(VOC, VOC_COLOURS), "PNG"), kind="labels")
    assert mask.array.dtype == np.int32
    assert np.array_equal(mask.array, VOC)
    assert mask.info.mode == "P"
    assert mask.info.classes == (0, 1, 2, 15)
    assert mask.info.void == 255 and mask.info.void_pixels == 8
    assert mask.info.foreground == 1 + 2 + 8
    assert "palette indices are classes" in mask.info.rule and "255 is void" in mask.info.rule


def test_voc_label_map_without_void():
    mask = read_mask(encode(palette_image(VOC, VOC_COLOURS), "PNG"), kind="labels", void=None)
    assert mask.info.classes == (0, 1, 2, 15, 255)
    assert mask.info.void is None and mask.info.void_pixels == 0
    assert "void" not in mask.info.rule


def test_grey_label_map():
    labels = np.array([[0, 10, 20], [255, 20, 0]], np.uint8)
    mask = read_mask(grey(labels), kind="labels")
    assert mask.info.classes == (0, 10, 20)
    assert mask.info.void_pixels == 1
    assert "integer values are classes" in mask.info.rule


def test_16_and_32_bit_label_maps_keep_large_ids():
    labels16 = np.array([[0, 1, 300], [65535, 300, 0]], np.uint16)
    mask16 = read_mask(grey(labels16), kind="labels")
    assert mask16.info.classes == (0, 1, 300, 65535)
    assert np.array_equal(mask16.array, labels16)
    labels32 = np.array([[0, 256, 70000]], np.int32)
    mask32 = read_mask(encode(Image.fromarray(labels32), "TIFF"), kind="labels")
    assert mask32.info.classes == (0, 256, 70000)


def test_colour_coded_label_map():
    colours = np.zeros((4, 5, 3), np.uint8)
    colours[0, 0] = (255, 0, 0)
    colours[1, 1:3] = (0, 0, 255)  # packed 255: a class, never the void label
    colours[2, :] = (0, 255, 0)
    mask = read_mask(grey(colours), kind="labels")
    assert mask.info.classes == (0, 0x0000FF, 0x00FF00, 0xFF0000)
    assert dict(mask.info.class_colors) == {
        0: "#000000",
        0x0000FF: "#0000ff",
        0x00FF00: "#00ff00",
        0xFF0000: "#ff0000",
    }
    assert mask.info.void is None and mask.info.void_pixels == 0
    assert mask.info.foreground == 1 + 2 + 5
    assert "colour-coded" in mask.info.rule
    assert mask.array[1, 1] == 0x0000FF


def test_whole_number_floats_are_labels():
    mask = read_mask(npy(np.array([[0.0, 2.0], [3.0, 0.0]], np.float32)), kind="labels")
    assert mask.array.tolist() == [[0, 2], [3, 0]]
    assert "whole-number floats" in mask.info.rule


def test_max_classes_is_accepted():
    labels = np.arange(MAX_CLASSES).reshape(1, -1).repeat(2, axis=0)
    assert len(read_mask(labels, kind="labels", void=None).info.classes) == MAX_CLASSES


@pytest.mark.parametrize(
    ("labels", "fragment"),
    [
        pytest.param(np.array([[0.0, 1.5]]), "fractional", id="fractional-floats"),
        pytest.param(np.array([[0, -1]]), "negative", id="negative"),
        pytest.param(np.array([[0.0, np.nan]]), "NaN", id="nan"),
        pytest.param(np.array([[0, 2**40]]), "2³¹", id="beyond-int32"),
        pytest.param(
            np.arange(MAX_CLASSES + 1).reshape(1, -1).repeat(2, axis=0),
            "classes",
            id="too-many-classes",
        ),
    ],
)
def test_bad_label_maps(labels, fragment):
    err = read_error(npy(labels), kind="labels", void=None)
    assert fragment in str(err)
    assert_actionable(err)


# ---------------------------------------------------------------------------
# Interpretation: JSON and one-line summaries
# ---------------------------------------------------------------------------

INFO_CASES = [
    ("png-1bit", lambda: encode(Image.fromarray(MASK), "PNG"), "binary"),
    ("jpeg", lambda: jpeg(JPEG_MASK), "binary"),
    ("rgb", lambda: grey(rgb(MASK, (255, 0, 0))), "binary"),
    ("rgba-alpha", lambda: grey(with_channel(np.dstack([np.full_like(GREY, 9)] * 3), GREY)),
     "binary"),
    ("tiff-float", lambda: encode(Image.fromarray(PROBABILITIES), "TIFF"), "binary"),
    ("npy-float16", lambda: npy(PROBABILITIES.astype(np.float16)), "binary"),
    ("npy-int64-ids", lambda: npy((ID_MAP * 10**10).astype(np.int64)), "binary"),
    ("npy-uint64", lambda: npy(ID_MAP.astype(np.uint64)), "labels"),
    ("animated-gif", lambda: animation(GREY, GREY, "GIF"), "binary"),
    ("voc-labels", lambda: encode(palette_image(VOC, VOC_COLOURS), "PNG"), "labels"),
    ("colour-labels", lambda: grey(rgb(MASK, (10, 20, 30))), "labels"),
    ("soft-many-values", lambda: grey(GRADIENT), "binary"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "kind"), [pytest.param(*c[1:], id=c[0]) for c in INFO_CASES])
def test_interpretation_is_json_ready_and_summarised_in_one_line(make, kind):
    info = read_mask(make(), kind=kind).info
    text = json.dumps(info.to_dict(), allow_nan=False)
    assert json.loads(text)["kind"] == kind
    summary = info.summary()
    assert "\n" not in summary and summary.strip() == summary
    rows, cols = info.shape
    assert summary.startswith(f"{cols}×{rows} ")
    assert info.rule in summary


# ---------------------------------------------------------------------------
# Precision and round trips
# ---------------------------------------------------------------------------


def test_float32_midpoint_rule_is_exact():
    one = np.float32(1)
    step = np.float32(2**-23)
    values = np.array([[one, one + 2 * step, one + 3 * step]], np.float32)
    mask = read_mask(values)
    expected = values.astype(np.float64) > mask.info.threshold
    assert np.array_equal(mask.array, expected)


def test_encode_png_refuses_labels_above_65535_clearly():
    labels = np.array([[0, 70000], [65536, 5]], np.int64)
    with pytest.raises(ValueError, match=r"65535.*npy"):
        encode_png(labels)


@pytest.mark.parametrize(
    "array",
    [
        pytest.param(MASK, id="bool"),
        pytest.param(VOC, id="uint8"),
        pytest.param(np.array([[0, 300], [65535, 2]], np.int64), id="uint16-range"),
    ],
)
def test_encode_png_round_trips(array):
    kind = "binary" if array.dtype == bool else "labels"
    assert np.array_equal(read_mask(encode_png(array), kind=kind, void=None).array, array)


def documented_rule(array: np.ndarray) -> np.ndarray:
    """read_mask's binary rule, restated from its docstring."""
    if array.dtype == bool:
        return array
    values = np.unique(array)
    if array.dtype.kind == "f":
        lo, hi = float(values[0]), float(values[-1])
        if set(values.tolist()) <= {0.0, 1.0}:
            return array != 0
        if lo >= 0.0 and hi <= 1.0:
            return array > 0.5
        return array.astype(np.float64) > (lo + hi) / 2
    if len(values) <= 2:
        return array != 0
    if array.dtype == np.uint8 and len(values) > 64:
        return array > 127.5
    return array != 0


FORMATS_BY_DTYPE = {
    "bool": ("PNG", "TIFF", "BMP", "NPY"),
    "uint8": ("PNG", "TIFF", "BMP", "NPY"),
    "uint16": ("PNG", "TIFF", "NPY"),
    "float32": ("TIFF", "NPY"),
}


@st.composite
def saved_arrays(draw):
    dtype = draw(st.sampled_from(sorted(FORMATS_BY_DTYPE)))
    shape = draw(st.tuples(st.integers(1, 16), st.integers(1, 16)))
    fill = None
    if dtype == "bool":
        elements = st.booleans()
    elif dtype == "float32":
        # Multiples of 1/64: every midpoint is exact in float32 (see the xfail above).
        elements = draw(
            st.sampled_from(
                [
                    st.sampled_from([0.0, 1.0]),
                    st.integers(0, 64).map(lambda k: k / 64),
                    st.integers(-640, 640).map(lambda k: k / 64),
                ]
            )
        )
    else:
        top = 255 if dtype == "uint8" else 65535
        if draw(st.booleans()):
            pool = draw(st.lists(st.integers(0, top), min_size=1, max_size=5, unique=True))
            elements = st.sampled_from(pool)
        else:
            elements, fill = st.integers(0, top), st.nothing()
    array = draw(hnp.arrays(dtype, shape, elements=elements, fill=fill))
    return array, draw(st.sampled_from(FORMATS_BY_DTYPE[dtype]))


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(saved_arrays())
def test_round_trip_follows_the_documented_rule(case):
    array, fmt = case
    data = npy(array) if fmt == "NPY" else encode(Image.fromarray(array), fmt)
    mask = read_mask(data)
    assert mask.info.format == fmt
    assert mask.info.shape == array.shape
    assert mask.info.n_values == len(np.unique(array))
    assert np.array_equal(mask.array, documented_rule(array))


SEED_FILES = {
    "png": PNG,
    "png-1bit": encode(Image.fromarray(MASK), "PNG"),
    "png-P": encode(P_NEAR_BLACK, "PNG"),
    "jpeg": grey(GREY, "JPEG"),
    "gif": grey(GREY, "GIF"),
    "bmp": grey(GREY, "BMP"),
    "tiff": grey(GREY, "TIFF"),
    "tiff-F": encode(Image.fromarray(MASK.astype(np.float32)), "TIFF"),
    "webp": grey(GREY, "WEBP", lossless=True),
    "npy": npy(GREY),
}


@st.composite
def mutated_files(draw):
    data = bytearray(SEED_FILES[draw(st.sampled_from(sorted(SEED_FILES)))])
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["set", "delete", "insert", "cut"]))
        if action == "set":
            data[position] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 16))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[position:]
        if not data:
            break
    return bytes(data)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning:PIL")  # Pillow notes broken metadata
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), mutated_files()))
def test_hostile_bytes_raise_only_mask_error(data):
    try:
        mask = read_mask(data)
    except MaskError as err:
        message = str(err)
        assert message and "\n" not in message, message
    else:
        assert mask.array.ndim == 2 and mask.array.dtype == bool
        assert mask.array.shape == mask.info.shape
        json.dumps(mask.info.to_dict(), allow_nan=False)
