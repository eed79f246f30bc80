"""What read_mask says about bad files, and how it reads palette masks with a void border.

Every message is maskapp's own sentence: which input, what was wrong, what to do. None
names Pillow's internals (module constants, exception classes, its raw error strings),
which stay reachable as the error's ``__cause__``.
"""

from __future__ import annotations

import struct
import zlib

import bad_inputs
import numpy as np
import pytest
from helpers import npy, npy_header, png_chunk

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
