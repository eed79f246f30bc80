"""Reading mask files, bytes and arrays — the only module that imports Pillow.

Formats are decided by content (magic bytes), never by file name. Only an
allow-list of Pillow plugins is ever opened (PNG, JPEG, BMP, TIFF, GIF, WebP);
``.npy`` files are parsed from their header without pickles. Sizes are checked
against :data:`maskapp.masks.MAX_PIXELS` from the header, before any pixel is
decoded, and every failure becomes one :class:`~maskapp.errors.MaskError`.
"""

from __future__ import annotations

import io
import math
import os
import re
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageFile, ImageOps, PngImagePlugin, UnidentifiedImageError

from . import volumes
from .encode import encode_png  # noqa: F401  (moved; still imported from here)
from .errors import MaskError
from .masks import (
    DEFAULT_VOID,
    MAX_PIXELS,
    Kind,
    Mask,
    _too_large,
    array_from,
    histogram,
    interpret,
)

#: Pillow formats maskapp opens; nothing else is ever decoded.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "GIF", "WEBP")

#: File extensions listed to users (the content decides, not the extension).
EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "tif", "tiff", "gif", "webp", "npy")

#: Largest file read, in bytes: an 8192² float64 ``.npy`` plus its header.
MAX_FILE_BYTES = MAX_PIXELS * 8 + 4096

#: More axes than any mask tensor has ((N, C, H, W) is 4); numpy itself stops at 64.
MAX_NPY_DIMS = 8
_NPY_MAGIC = b"\x93NUMPY"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"
_LOSSY = {"JPEG"}

Source = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes] | np.ndarray | Mask


def read_mask(
    source: Source,
    *,
    kind: Kind = "binary",
    threshold: float | None = None,
    void: int | None = DEFAULT_VOID,
    max_pixels: int | None = None,
    volume: bool = False,
    max_voxels: int | None = None,
) -> Mask:
    """Read a mask from a file, bytes, a file-like object or an array.

    Parameters
    ----------
    source : path, bytes, file-like, ndarray or array-like
        A path (``str`` / ``Path``), the file's bytes, a binary file object, a
        numpy array, or anything with ``__array__`` / ``__dlpack__`` (e.g. a
        CPU torch tensor — torch is never imported).
    kind : {'binary', 'labels'}
        ``'binary'`` gives a bool mask; ``'labels'`` a multi-class label map.
    threshold : float, optional
        Binary mode: foreground = value > threshold, overriding the default rule.
    void : int or None
        Void / ignore label, 255 by default; None for none. Label mode ignores
        it; binary mode reads it as background in palette images that use it
        next to other nonzero indices (VOC's object borders).
    max_pixels : int, optional
        Largest accepted mask in pixels, checked from the header before decoding
        (default :data:`~maskapp.masks.MAX_PIXELS`; an app may set a lower cap).
    volume : bool
        Read a 3-D ``.npy`` file or array as a volume (slices × rows ×
        columns, no spacing: the caller gives it). NIfTI (``.nii``,
        ``.nii.gz``) and NRRD (``.nrrd``, and ``.nhdr`` from a path) are
        always volumes, with spacing and orientation from their headers
        (:mod:`maskapp.volumes`).
    max_voxels : int, optional
        Largest accepted volume in voxels, checked from the header before a
        voxel is read (default :data:`maskapp.volumes.MAX_VOXELS`).

    Returns
    -------
    Mask
        ``.array`` (bool or int32 labels) and ``.info`` (an
        :class:`~maskapp.masks.Interpretation`: source mode and dtype, size,
        distinct values or classes, the rule applied, notes).

    Raises
    ------
    MaskError
        Empty, unreadable, corrupt or truncated files, formats outside the
        allow-list, pickled ``.npy``, more than two dimensions, or more than
        ``MAX_PIXELS`` pixels (checked from the header).

    Notes
    -----
    Binary rules: 1-bit and bool as is; one or two distinct values → nonzero
    (0/1, 0/255, 0/65535); palette images by index (nonzero index; black
    entries and a VOC void border are background); colour → non-black; a mask
    only in the alpha channel → alpha; grey JPEG → Otsu's threshold between the
    two clusters (colour JPEG → midpoint of the brightest channel's range);
    8-bit with more than 64 values → > 127.5; floats in [0, 1]
    → > 0.5; integer id maps → nonzero. Label rules: palette indices, integer
    grey values, or packed ``0xRRGGBB`` colours (black = 0).

    Examples
    --------
    >>> m = read_mask(np.array([[0, 255], [255, 0]], dtype=np.uint8))
    >>> m.array.tolist(), m.info.rule
    ([[False, True], [True, False]], 'nonzero is foreground')
    """
    if isinstance(source, Mask):
        return source
    folder = None
    if isinstance(source, str | os.PathLike):
        data, label, folder = _read_path(Path(source)), "file", Path(source).parent
    elif isinstance(source, bytes | bytearray | memoryview):
        data, label = bytes(source), "file"
    elif hasattr(source, "read"):
        data, label = _read_stream(source), "file"
    else:
        raw = array_from(source)
        name = "numpy array" if isinstance(source, np.ndarray) else type(source).__name__
        if volume and np.ndim(raw) == 3:
            return _array_volume(raw, kind, name, threshold, void, max_voxels)
        return interpret(
            raw, kind=kind, source=name, threshold=threshold, void=void, max_pixels=max_pixels
        )
    return decode(
        data,
        kind=kind,
        threshold=threshold,
        void=void,
        source=label,
        max_pixels=max_pixels,
        volume=volume,
        max_voxels=max_voxels,
        folder=folder,
    )


def _array_volume(raw, kind, source, threshold, void, max_voxels) -> Mask:
    """A 3-D array as a volume with no spacing of its own (the caller gives it)."""
    from .geometry import Geometry

    geometry = Geometry(
        shape=tuple(int(n) for n in raw.shape),
        spacing=None,
        unit="voxel",
        notes=("no spacing in an array: give it (spacing=…), else 1 voxel",),
    )
    return interpret(
        raw,
        kind=kind,
        source=source,
        format="NPY" if source.startswith("NPY") else None,
        mode="array",
        threshold=threshold,
        void=void,
        notes=geometry.notes,
        max_pixels=max_voxels,
        geometry=geometry,
    )


def decode(
    data: bytes,
    *,
    kind: Kind = "binary",
    threshold: float | None = None,
    void: int | None = DEFAULT_VOID,
    source: str = "file",
    max_pixels: int | None = None,
    volume: bool = False,
    max_voxels: int | None = None,
    folder: Path | None = None,
) -> Mask:
    """Decode a mask file's bytes (image, ``.npy`` or volume), sniffing the format.

    ``volume``, ``max_voxels`` are those of :func:`read_mask`; ``folder`` is
    where a detached NRRD header's data file is looked for (a path's folder).
    """
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    if len(data) == 0:
        raise MaskError("The file is empty (0 bytes); choose a mask image or .npy file.")
    if volumes.sniff(data) is not None:
        raw, geometry, fmt, notes = volumes.decode_volume(
            data, folder=folder, max_voxels=max_voxels
        )
        return interpret(
            raw,
            kind=kind,
            source=f"{fmt} {source}",
            format=fmt.split(" ")[0],
            mode="volume",
            threshold=threshold,
            void=void,
            notes=notes,
            max_pixels=max_voxels,
            geometry=geometry,
        )
    if volume and data.startswith(_NPY_MAGIC):
        cap = volumes.MAX_VOXELS if max_voxels is None else max_voxels
        raw = _decode_npy(data, cap, volume=True)
        if raw.ndim == 3:
            return _array_volume(raw, kind, f"NPY {source}", threshold, void, max_voxels)
    if data.startswith(_NPY_MAGIC):
        raw, notes = _decode_npy(data, limit), ()
        return interpret(
            raw,
            kind=kind,
            source=f"NPY {source}",
            format="NPY",
            mode="array",
            threshold=threshold,
            void=void,
            notes=notes,
            max_pixels=limit,
        )
    if data.startswith(_ZIP_MAGIC):
        raise MaskError(
            "The file is a zip archive (perhaps an .npz); save one 2-D array with "
            "numpy.save as .npy, or export the mask as PNG."
        )
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise MaskError(
            "The file is a Python pickle, which maskapp never loads; save the mask "
            "with numpy.save (no pickles) or as PNG."
        )
    raw, fmt, mode, notes, palette = _decode_image(data, limit=limit)
    if kind == "binary" and palette is not None and threshold is None:
        raw, notes = _palette_foreground(raw, palette, notes, void)
    return interpret(
        raw,
        kind=kind,
        source=f"{fmt} {source}",
        format=fmt,
        mode=mode,
        threshold=threshold,
        void=void,
        lossy=fmt in _LOSSY or (fmt == "WEBP" and _is_lossy_webp(data)),
        notes=notes,
        max_pixels=limit,
    )


def _palette_foreground(
    indices: np.ndarray, palette: list[int], notes: tuple[str, ...], void: int | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Binary palette masks: black palette entries are background, by index.

    Colour quantisers (GIF export, ``Image.quantize``) often put the black
    background at index 1; reading "nonzero index" would invert those masks.
    Where no used entry is black, or only index 0 is, the index rule stands.
    The void index of a VOC-style label palette is background too (see
    :func:`_is_void_border`).
    """
    colours = np.zeros((256, 3), np.uint8)
    entries = np.asarray(palette[: 256 * 3], np.uint8).reshape(-1, 3)
    colours[: len(entries)] = entries
    used = np.flatnonzero(histogram(indices, 0, 256))
    border = _is_void_border(used, void)
    if border:
        used = used[used != void]
    black = [int(i) for i in used if not colours[i].any()]
    if not black or black == [0] or len(black) == len(used):
        out = indices
    else:
        lut = colours.any(axis=1).astype(np.uint8)
        shown = ", ".join(str(i) for i in black)
        out = lut[indices]
        notes = (*notes, f"palette index {shown} is black: read as background")
    if border:
        out = np.where(indices == void, np.uint8(0), out)
        notes = (
            *notes,
            f"palette index {void} (void border) read as background; label mode ignores it",
        )
    return out, notes


def _is_void_border(used: np.ndarray, void: int | None) -> bool:
    """Whether palette index ``void`` marks a VOC-style void border, not a class.

    PASCAL VOC's label PNGs are palette images: 0 background, 1–20 classes and
    255 a band along every object outline that counts as no class. Read as
    "nonzero", the band would widen every object. Only a palette that uses the
    void index next to other nonzero indices, with the index just below it unused
    (0–20 and 255), is read so: a two-index 0/255 mask keeps 255 as foreground,
    and a quantised palette that fills its entries keeps 255 as a colour.
    """
    if void is None or not 1 < void < 256:
        return False
    present = set(used.tolist())
    return void in present and void - 1 not in present and bool(present - {0, void})


def _is_lossy_webp(data: bytes) -> bool:
    """Lossy WebP carries a 'VP8 ' chunk; lossless ones 'VP8L'."""
    return b"VP8 " in data[12:4096] and b"VP8L" not in data[12:4096]


def _read_path(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MaskError(_file_too_large(size))
        return path.read_bytes()
    except MaskError:
        raise
    except FileNotFoundError as err:
        raise MaskError(f"No file at {str(path)!r}; check the path and try again.") from err
    except IsADirectoryError as err:
        raise MaskError(f"{str(path)!r} is a folder, not a mask file; name a file.") from err
    except PermissionError as err:
        raise MaskError(
            f"{str(path)!r} cannot be read (permission denied); check its permissions."
        ) from err
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or "not a valid path"
        raise MaskError(
            f"{str(path)!r} cannot be opened ({reason.lower()}); check the path."
        ) from err


def _read_stream(stream: IO[bytes]) -> bytes:
    data = stream.read(MAX_FILE_BYTES + 1)
    if not isinstance(data, bytes | bytearray):
        raise TypeError("file-like sources must be opened in binary mode")
    if len(data) > MAX_FILE_BYTES:
        raise MaskError(_file_too_large(len(data)))
    return bytes(data)


def _file_too_large(size: int) -> str:
    return (
        f"The file is {size / 2**20:.0f} MB, more than the {MAX_FILE_BYTES / 2**20:.0f} MB "
        "a mask can take; downscale or compress it (PNG)."
    )


def read_image(
    source: str | os.PathLike | bytes | IO[bytes], *, max_pixels: int | None = None
) -> np.ndarray:
    """Read a photo to show under the masks, as an RGB ``uint8`` array.

    The same guards as :func:`read_mask` apply (allow-listed formats, the pixel
    cap checked from the header, truncated files refused, EXIF orientation).

    Raises
    ------
    MaskError
        Anything :func:`read_mask` would refuse, and ``.npy`` files.
    """
    if isinstance(source, str | os.PathLike):
        data = _read_path(Path(source))
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        data = _read_stream(source)
    if len(data) == 0:
        raise MaskError("The file is empty (0 bytes); choose a PNG or JPEG image.")
    raw, *_ = _decode_image(data, rgb=True, limit=max_pixels or MAX_PIXELS)
    return raw


_TRUNCATION_LOCK = threading.Lock()


def _decode_image(
    data: bytes, *, rgb: bool = False, limit: int = MAX_PIXELS
) -> tuple[np.ndarray, str, str, tuple[str, ...], list[int] | None]:
    """Open with the allow-listed Pillow plugins, check size, decode fully.

    Returns ``(pixels, format, mode, notes, palette)``; ``palette`` is the flat
    RGB palette of palette images, else None.
    """
    notes: list[str] = []
    palette = None
    if data.startswith(_PNG_MAGIC):
        _check_png_chunks(data)
    with warnings.catch_warnings(), _refuse_truncated():
        # Pillow's metadata warnings (corrupt EXIF …) must not stop a readable
        # mask even under -W error; the bomb warning is an error, as Pillow's
        # security handbook advises.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        except Image.DecompressionBombError as err:
            raise MaskError(_bomb_message(err, limit)) from err
        except Image.DecompressionBombWarning as err:
            raise MaskError(_bomb_message(err, limit)) from err
        except UnidentifiedImageError as err:
            if _sniffed_format(data) != "image":  # its magic says PNG, JPEG …: a broken one
                raise MaskError(_corrupt_message(err, _sniffed_format(data))) from err
            raise MaskError(
                "The file is not an image maskapp can read (it reads PNG, JPEG, BMP, "
                "TIFF, GIF, WebP and .npy); export the mask in one of those formats."
            ) from err
        except Exception as err:  # Pillow plugins raise many types on hostile bytes
            raise MaskError(_corrupt_message(err, _sniffed_format(data))) from err
        try:
            fmt = im.format or "image"
            cols, rows = im.size
            if rows <= 0 or cols <= 0:
                raise MaskError(
                    f"The {fmt} declares an empty size ({cols}×{rows}); export it again."
                )
            if rows * cols > limit:
                raise MaskError(_too_large(rows, cols, limit))
            frames = getattr(im, "n_frames", 1)
            if frames > 1:
                what = "pages" if fmt == "TIFF" else "frames"
                notes.append(f"first of {frames} {what} used")
            if fmt != "TIFF":
                # PNG's getexif() decodes the pixels to find an eXIf chunk after them: a
                # decode error there must not pass as unreadable EXIF and leave a blank mask.
                im.load()
            orientation = _orientation(im)
            im.load()
            oriented = _apply_exif(im, orientation, notes)
            if rgb:
                raw, mode = np.asarray(oriented.convert("RGB")), im.mode
            else:
                raw, mode = _pixels(oriented, notes)
                if mode == "P":
                    palette = oriented.getpalette("RGB")
        except MaskError:
            raise
        except Image.DecompressionBombError as err:
            raise MaskError(_bomb_message(err, limit)) from err
        except Image.DecompressionBombWarning as err:
            raise MaskError(_bomb_message(err, limit)) from err
        except MemoryError as err:
            raise MaskError(
                "The image needs more memory to decode than is available; use a smaller mask."
            ) from err
        except Exception as err:
            raise MaskError(_corrupt_message(err, fmt)) from err
        finally:
            im.close()
    return raw, fmt, mode, tuple(notes), palette


def _check_png_chunks(data: bytes) -> None:
    """Refuse a PNG whose pixel data fails its CRC, as libpng does, or that has none.

    Pillow does not check the CRC of IDAT chunks, and its decoder stops before
    zlib's own checksum: a flipped byte in the pixel data becomes a silently
    different mask. Like libpng, a bad CRC on an ancillary chunk (text, EXIF …)
    is not an error. A header whose chunks end (at IEND or the end of the file)
    before any IDAT byte has no pixels: Pillow calls that "cannot load" or cannot
    identify the file at all. Truncation inside the pixel data is left to the
    decoder, which reports it.
    """
    view = memoryview(data)
    pos = len(_PNG_MAGIC)
    pixel_bytes = 0
    while pos + 12 <= len(data):
        length = int.from_bytes(view[pos : pos + 4], "big")
        end = pos + 12 + length
        kind = bytes(view[pos + 4 : pos + 8])
        if pos == len(_PNG_MAGIC) and kind != b"IHDR":
            return  # not a PNG's chunk layout: Pillow refuses it
        if end > len(data):
            if kind == b"IDAT":
                return
            break
        critical = kind[:1].isupper()
        if critical and zlib.crc32(view[pos + 4 : end - 4]) != int.from_bytes(
            view[end - 4 : end], "big"
        ):
            name = kind.decode("latin-1")
            raise MaskError(
                f"The PNG file is corrupt (its {name} chunk fails its checksum); export "
                "it again or upload the original file."
            )
        if kind == b"IDAT":
            pixel_bytes += length
        if kind == b"IEND":
            break
        pos = end
    if pixel_bytes == 0:
        raise MaskError(
            "The PNG file is truncated or has no pixel data (its IDAT chunks are missing "
            "or empty); export it again or upload the complete file."
        )


@contextmanager
def _refuse_truncated() -> Iterator[None]:
    """Refuse truncated files whatever the process-wide flag says.

    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is global; another library may set it,
    which would turn a truncated mask into a silently partial one. Metadata
    reads (PNG's eXIf after the pixels) load pixels too, so the whole decode
    runs under this guard.
    """
    with _TRUNCATION_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _orientation(im: Image.Image) -> int | None:
    """The EXIF orientation tag, read before decoding (TIFF applies it in load)."""
    try:
        return im.getexif().get(0x0112)
    except Exception:
        return -1


def _bomb_message(err: Exception, limit: int) -> str:
    # Pillow's message names the declared pixel count: "Image size (N pixels) exceeds …".
    found = re.search(r"\((\d+) pixels\)", str(err))
    declared = f"{int(found[1]) / 1e6:,.1f} MP, " if found else ""
    # Pillow refuses past its own threshold even when a caller's cap is higher.
    cap = min(limit, Image.MAX_IMAGE_PIXELS or limit)
    return (
        f"The image declares {declared}far more pixels than a mask needs and over the "
        f"{cap / 1e6:.1f} MP limit (a possible decompression bomb); downscale it and try again."
    )


def _sniffed_format(data: bytes) -> str:
    """The format a file's magic bytes claim, for messages about files Pillow could not open."""
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith((b"II*\0", b"MM\0*")):
        return "TIFF"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    return "image"


def _corrupt_message(err: Exception, fmt: str = "image") -> str:
    """Pillow's error in maskapp's words; Pillow's own text stays in ``__cause__``."""
    text = str(err)
    if "MAX_TEXT_CHUNK" in text or "Decompressed Data Too Large" in text:
        return (
            "The PNG holds a metadata chunk (text or colour profile) that inflates to more "
            f"than {PngImagePlugin.MAX_TEXT_CHUNK / 2**20:g} MB, more than maskapp reads; "
            "re-save the image without metadata."
        )
    if "MAX_TEXT_MEMORY" in text:
        found = re.search(r"(\d+)>", text)
        total = f" {int(found[1]) / 2**20:.0f} MB" if found else " more"
        return (
            f"The PNG's text chunks inflate to{total} in all, more than the "
            f"{PngImagePlugin.MAX_TEXT_MEMORY / 2**20:g} MB maskapp reads; re-save the image "
            "without metadata."
        )
    short = re.fullmatch(r"Truncated (\w{4}) chunk", text)  # a chunk shorter than its type needs
    if short:
        return (
            f"The PNG file is corrupt (its {short[1]} chunk is too short); export it again "
            "or upload the original file."
        )
    if "truncated" in text.lower():
        return (
            f"The {fmt} file is truncated (it ends before all pixels); export it again "
            "or upload the complete file."
        )
    return f"The {fmt} file is corrupt or unreadable; export it again as PNG and retry."


def _apply_exif(im: Image.Image, orientation: int | None, notes: list[str]) -> Image.Image:
    """Apply EXIF orientation; malformed EXIF is noted, never fatal."""
    if orientation == -1:
        notes.append("EXIF metadata unreadable and ignored")
        return im
    if orientation in (None, 1):
        return im
    if orientation not in range(2, 9):
        notes.append(f"invalid EXIF orientation {orientation} ignored")
        return im
    if im.format == "TIFF":
        # Pillow's TIFF decoder has already rotated the pixels and dropped the tag.
        notes.append(f"EXIF orientation {orientation} applied")
        return im
    try:
        out = ImageOps.exif_transpose(im)
    except Exception:
        notes.append(f"EXIF orientation {orientation} could not be applied")
        return im
    notes.append(f"EXIF orientation {orientation} applied")
    return out


def _pixels(im: Image.Image, notes: list[str]) -> tuple[np.ndarray, str]:
    """Pillow image → numpy array in its own values (no L/RGB conversion)."""
    mode = im.mode
    if mode in ("1", "L", "P", "LA", "RGB", "RGBA", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"):
        raw = np.asarray(im)
        if mode == "1":
            raw = raw.view(np.uint8) != 0  # Pillow stores True as byte 255
        elif mode.startswith("I;16"):
            raw = raw.astype(np.uint16, copy=False)
        return raw, mode
    if mode == "PA":
        notes.append("palette alpha ignored")
        return np.asarray(im.getchannel(0)), mode
    if mode in ("CMYK", "YCbCr", "RGBX", "RGBa", "La"):
        notes.append(f"{mode} converted to RGB")
        return np.asarray(im.convert("RGB")), mode
    raise MaskError(
        f"The image uses colour mode {mode}, which is not a mask format; save it as "
        "grey, palette or RGB PNG."
    )


def _decode_npy(data: bytes, limit: int = MAX_PIXELS, *, volume: bool = False) -> np.ndarray:
    """Parse an .npy header safely and view its data; never unpickles."""
    stream = io.BytesIO(data)
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(stream)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = fmt.read_array_header_2_0(stream)
        else:
            raise MaskError(
                f"The .npy file has a corrupt header (format version {version[0]}.{version[1]}, "
                "which numpy never writes); save it again with numpy.save."
            )
    except MaskError:
        raise
    except Exception as err:  # numpy's parser errors name its internals; keep them in __cause__
        raise MaskError(
            "The .npy file has a corrupt header (its shape and data type cannot be read); "
            "save it again with numpy.save."
        ) from err
    if dtype.hasobject:
        raise MaskError(
            "The .npy file holds Python objects (it needs pickle), which maskapp never "
            "loads; save a numeric array instead."
        )
    if dtype.names is not None or dtype.subdtype is not None or dtype.kind not in "biuf":
        raise MaskError(
            f"The .npy file has data type {dtype}, not a plain numeric type; save a "
            "bool, integer or float array."
        )
    # type() rather than isinstance(): bool is an int subclass, and (True, 24) would pass.
    if not all(type(n) is int and n >= 0 for n in shape):
        raise MaskError(
            f"The .npy header declares an impossible shape {tuple(shape)}; save the "
            "array again with numpy.save."
        )
    save_hint = "save a 2-D array (rows × columns) with numpy.save"
    if len(shape) == 0:
        raise MaskError(f"The .npy file holds a single number, not a 2-D mask; {save_hint}.")
    if len(shape) > MAX_NPY_DIMS:
        raise MaskError(
            f"The .npy array has {len(shape)} dimensions, more than a mask can have; {save_hint}."
        )
    size = math.prod(shape)  # Python ints: a hostile header cannot overflow this
    if size == 0:
        raise MaskError(f"The .npy array has no elements (shape {tuple(shape)}); {save_hint}.")
    plane = [n for n in shape if n != 1] or [1]
    rows, cols = [*plane, 1][:2]
    if volume and len(shape) == 3:
        if size > limit:
            raise MaskError(
                f"The .npy volume is {'×'.join(str(n) for n in shape[::-1])} "
                f"({size / 1e6:,.1f} M voxels), more than the {limit / 1e6:,.1f} M voxel "
                "limit; crop or downsample it."
            )
    elif rows * cols > limit or size > limit * 4:
        raise MaskError(_too_large(rows, cols, limit))
    offset = stream.tell()
    needed = size * dtype.itemsize
    if len(data) - offset < needed:
        raise MaskError(
            f"The .npy file is truncated: its header declares {needed} bytes of data "
            f"but only {len(data) - offset} follow; save it again."
        )
    flat = np.frombuffer(data, dtype=dtype, count=size, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C")

