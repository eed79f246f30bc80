"""What read_mask says about bad files, and how it reads palette masks with a void border.

Every message is maskapp's own sentence: which input, what was wrong, what to do. None
names Pillow's internals (module constants, exception classes, its raw error strings),
which stay reachable as the error's ``__cause__``.
"""

from __future__ import annotations

import io
import struct
import zlib

import bad_inputs
import numpy as np
import pytest
from helpers import encode, grey, npy, npy_header, png_chunk
from PIL import Image

from maskapp import MaskError, read_mask

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ihdr(width: int = 8, height: int = 8, depth: int = 8, colour: int = 0) -> bytes:
    return png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))


IEND = png_chunk(b"IEND", b"")
GREY_ROWS = b"".join(b"\0" + b"\xff" * 8 for _ in range(8))  # 8×8 white, filter 0 per row


def grey_png(*before_idat: bytes, idat: bytes = zlib.compress(GREY_ROWS)) -> bytes:
    """An 8×8 grey PNG with extra chunks before its pixel data."""
    return SIGNATURE + ihdr() + b"".join(before_idat) + png_chunk(b"IDAT", idat) + IEND


def read_error(data: bytes) -> str:
    with pytest.raises(MaskError) as info:
        read_mask(data)
    return str(info.value)


#: Words that only Pillow's (or Python's) internals use.
INTERNALS = (
    "PngImagePlugin", "MAX_TEXT", "MAX_IMAGE_PIXELS", "Pillow", "PIL", "Error", "Exception",
    "BytesIO", "<_io", "when reading image file", "cannot identify", "cannot load this image",
    "broken PNG file", "Truncated ", "EOF", "multi-line statement", "magic string",
)  # fmt: skip

HOSTILE_FILES = {
    "zTXt inflating to 2 MiB": grey_png(
        png_chunk(b"zTXt", b"k\0\0" + zlib.compress(b"\0" * (2 << 20), 9))
    ),
    "iCCP inflating to 2 MiB": grey_png(
        png_chunk(b"iCCP", b"icc\0\0" + zlib.compress(b"\0" * (2 << 20), 9))
    ),
    "iTXt inflating to 2 MiB": grey_png(
        png_chunk(b"iTXt", b"k\0\1\0\0\0" + zlib.compress(b"\0" * (2 << 20), 9))
    ),
    "tRNS one byte short": SIGNATURE
    + ihdr(colour=2)
    + png_chunk(b"tRNS", b"\0")
    + png_chunk(b"IDAT", zlib.compress(b"".join(b"\0" + bytes(24) for _ in range(8))))
    + IEND,
    "IHDR too short": SIGNATURE + png_chunk(b"IHDR", b"\0\0\0\x08") + IEND,
    ".npy header cut short": npy(np.zeros((3, 3), np.uint8))[:20],
    ".npy header that is not a dict": npy_header("(3, 3", "|u1"),
    ".npy header declaring 100000² float64": npy_header((100_000, 100_000), "<f8"),
}


def _bad_input_messages() -> list[pytest.param]:
    cases = []
    for name, (kind, make) in bad_inputs.CASES.items():
        if kind == bad_inputs.ONE:
            cases.append(pytest.param(make, id=name))
    cases += [pytest.param(lambda data=data: data, id=name) for name, data in HOSTILE_FILES.items()]
    return cases


@pytest.mark.parametrize("make", _bad_input_messages())
def test_no_message_names_pillow_internals(make):
    try:
        data = make()
    except AttributeError as err:  # the benchmark's table reaches into test modules
        pytest.skip(f"benchmarks/bad_inputs.py cannot build this input: {err}")
    try:
        read_mask(data, max_pixels=4096 * 4096)
    except MaskError as err:
        message = str(err)
        assert not [word for word in INTERNALS if word in message], message
        assert message.count(";") == 1 and message.endswith("."), message


def test_an_oversized_metadata_chunk_is_one_human_sentence():
    message = read_error(HOSTILE_FILES["zTXt inflating to 2 MiB"])
    assert message.startswith("The PNG holds a metadata chunk"), message
    assert "more than 1 MB" in message and "re-save the image without metadata" in message


def test_too_much_text_in_all_names_the_total_and_the_limit():
    one_mib = zlib.compress(b"\0" * (1 << 20), 9)
    chunks = [png_chunk(b"zTXt", b"k%d\0\0" % i + one_mib) for i in range(80)]
    message = read_error(grey_png(*chunks))
    assert "text chunks" in message and "65 MB" in message and "64 MB" in message, message
    assert "re-save the image without metadata" in message


def test_a_short_ancillary_chunk_is_corrupt_not_truncated():
    message = read_error(HOSTILE_FILES["tRNS one byte short"])
    assert message.startswith("The PNG file is corrupt (its tRNS chunk is too short)"), message


# ---------------------------------------------------------------------------
# A PNG with no pixel data is truncated, not "not an image"
# ---------------------------------------------------------------------------

NO_PIXEL_DATA = {
    "IHDR then IEND": SIGNATURE + ihdr() + IEND,
    "empty IDAT": SIGNATURE + ihdr() + png_chunk(b"IDAT", b"") + IEND,
    "palette, PLTE, no IDAT": SIGNATURE + ihdr(colour=3) + png_chunk(b"PLTE", bytes(6)) + IEND,
    "cut after IHDR": SIGNATURE + ihdr(),
    "cut inside IHDR": (SIGNATURE + ihdr())[:20],
    "signature only": SIGNATURE,
}


@pytest.mark.parametrize("data", NO_PIXEL_DATA.values(), ids=NO_PIXEL_DATA.keys())
def test_a_png_with_no_pixel_data_is_reported_truncated(data):
    message = read_error(data)
    assert message.startswith("The PNG file is truncated or has no pixel data"), message
    assert "export it again" in message


BROKEN_PIXEL_DATA = {
    "IDAT not a zlib stream": grey_png(idat=b"garbage!"),
    "row filter 9 (there are 0–4)": grey_png(idat=zlib.compress(b"\x09" + GREY_ROWS[1:])),
}


@pytest.mark.parametrize("data", BROKEN_PIXEL_DATA.values(), ids=BROKEN_PIXEL_DATA.keys())
def test_pixel_data_that_cannot_be_decoded_is_refused_not_read_as_blank(data):
    # Pillow raises; reading EXIF (which decodes PNG pixels) used to swallow that
    # as "EXIF metadata unreadable" and return an all-background mask.
    assert (
        read_error(data)
        == "The PNG file is corrupt or unreadable; export it again as PNG and retry."
    )


def test_a_png_with_an_impossible_header_is_corrupt_not_an_unknown_format():
    data = SIGNATURE + ihdr(depth=7) + png_chunk(b"IDAT", zlib.compress(bytes(72))) + IEND
    message = read_error(data)
    assert message.startswith("The PNG file is corrupt"), message


def test_a_valid_png_still_reads():
    mask = read_mask(grey_png())
    assert mask.array.all() and mask.shape == (8, 8)


# ---------------------------------------------------------------------------
# Binary mode on a PASCAL VOC palette mask: index 255 is the void border
# ---------------------------------------------------------------------------


def voc_colormap() -> list[int]:
    """PASCAL VOC's 256-entry palette (the bit-interleaving map of its devkit)."""
    flat = []
    for index in range(256):
        r = g = b = 0
        c = index
        for shift in range(7, -1, -1):
            r |= (c & 1) << shift
            g |= ((c >> 1) & 1) << shift
            b |= ((c >> 2) & 1) << shift
            c >>= 3
        flat += [r, g, b]
    return flat


def voc_objects(rows: int = 120, cols: int = 160) -> np.ndarray:
    """Classes 15 (person) and 12 (dog) on background 0, no border yet."""
    r, c = np.mgrid[:rows, :cols]
    labels = np.zeros((rows, cols), np.uint8)
    labels[((r - 55) / 35) ** 2 + ((c - 50) / 25) ** 2 <= 1] = 15
    labels[70:105, 95:145] = 12
    return labels


def with_void_border(labels: np.ndarray, width: int = 3) -> np.ndarray:
    """VOC's annotation style: a ``width``-pixel band of 255 along every object outline."""
    objects = labels != 0
    grown = objects.copy()
    for _ in range(width):
        padded = np.pad(grown, 1)
        grown = (
            padded[1:-1, 1:-1] | padded[:-2, 1:-1] | padded[2:, 1:-1]
            | padded[1:-1, :-2] | padded[1:-1, 2:]
        )  # fmt: skip
    out = labels.copy()
    out[grown & ~objects] = 255
    return out


def palette_png(indices: np.ndarray, palette: list[int]) -> bytes:
    image = Image.frombytes("P", indices.shape[::-1], np.ascontiguousarray(indices).tobytes())
    image.putpalette(palette)
    return encode(image, "PNG")


VOC_OBJECTS = voc_objects()
VOC_LABELS = with_void_border(VOC_OBJECTS)
VOC_PNG = palette_png(VOC_LABELS, voc_colormap())


def test_voc_sample_has_classes_and_a_void_border():
    assert set(np.unique(VOC_LABELS)) == {0, 12, 15, 255}
    assert Image.open(io.BytesIO(VOC_PNG)).mode == "P"


def test_voc_void_border_reads_as_background_in_binary_mode():
    mask = read_mask(VOC_PNG)
    assert np.array_equal(mask.array, VOC_OBJECTS != 0)
    assert mask.info.foreground == int(np.count_nonzero(VOC_OBJECTS))
    assert any("palette index 255 (void border) read as background" in n for n in mask.info.notes)


def test_voc_void_border_is_still_void_in_label_mode():
    mask = read_mask(VOC_PNG, kind="labels")
    assert mask.info.classes == (0, 12, 15) and mask.info.void == 255
    assert mask.info.void_pixels == int(np.count_nonzero(VOC_LABELS == 255))


def test_a_two_index_palette_mask_keeps_255_as_foreground():
    indices = (VOC_OBJECTS != 0).astype(np.uint8) * np.uint8(255)
    mask = read_mask(palette_png(indices, voc_colormap()))
    assert np.array_equal(mask.array, VOC_OBJECTS != 0)
    assert not any("void" in n for n in mask.info.notes)


def test_grey_masks_with_255_and_other_values_are_not_palette_void():
    mask = read_mask(grey(VOC_LABELS))
    assert mask.info.foreground == int(np.count_nonzero(VOC_LABELS))


def test_a_palette_that_uses_every_index_keeps_255_as_a_colour():
    # A quantised photo-like palette: 255 is just the last colour, not a border.
    indices = (np.arange(120 * 160) % 256).astype(np.uint8).reshape(120, 160)
    mask = read_mask(palette_png(indices, voc_colormap()))
    assert mask.array[indices == 255].all()
    assert not any("void" in n for n in mask.info.notes)


def test_no_void_label_means_255_is_foreground():
    mask = read_mask(VOC_PNG, void=None)
    assert mask.info.foreground == int(np.count_nonzero(VOC_LABELS))


def test_an_explicit_threshold_is_applied_to_the_indices_as_given():
    mask = read_mask(VOC_PNG, threshold=0)
    assert mask.info.foreground == int(np.count_nonzero(VOC_LABELS))
