"""Reading 3-D label volumes: NIfTI-1/2 (nibabel's header parser) and NRRD (pynrrd's).

Every guard runs on the header, before a voxel is read or inflated: the voxel
cap (:data:`MAX_VOXELS`, an app sets a lower one), a data type that is not a
plain number, more than three spatial axes (a 4-D volume with one time point is
squeezed, with a note), and the data size the header declares against what the
file holds (truncated or padded files are refused). Gzip streams are inflated
into a buffer of exactly the declared size, so a decompression bomb stops at
the first byte past it. Label volumes are read *unscaled*: the voxels are a
zero-copy view of the file's bytes (what ``np.asanyarray(img.dataobj)`` gives
for an unscaled image); ``get_fdata()`` is never called. A header slope or
intercept other than 1 / 0 is applied, with a note.

Arrays are C-ordered (k, j, i), a view of the file's i-fastest data; see
:mod:`maskapp.geometry` for the axis order and how sizes are written.
"""

from __future__ import annotations

import bz2
import io
import math
import mmap
import re
import zlib
from pathlib import Path

import numpy as np

from .errors import MaskError
from .geometry import Geometry, affine_geometry

#: Largest volume read, in voxels (2²⁸ ≈ 268 M: a 640 × 640 × 655 volume).
#: Checked from the header before any voxel is read; an app passes a lower cap.
MAX_VOXELS = 1 << 28

_NIFTI1 = b"n+1\0"
_NIFTI1_PAIR = b"ni1\0"
_NIFTI2 = b"n+2\0"
_NIFTI2_PAIR = b"ni2\0"
_GZIP = b"\x1f\x8b"
_NRRD = re.compile(rb"NRRD000[1-5]\r?\n")
_CHUNK = 1 << 24
#: A MetaImage (.mha / .mhd) text header's first field.
_META = re.compile(rb"\s*(ObjectType|NDims|Comment|ObjectSubType)\s*=")
#: Largest MetaImage header read as text (its fields end at ElementDataFile).
_META_HEADER = 1 << 16

#: NIfTI spatial units (xyzt_units & 7) as maskapp writes them.
_UNITS = {"mm": "mm", "meter": "m", "micron": "µm"}

#: NRRD 'space' values → the signs that take them to RAS+ (nibabel's world).
_SPACES = {
    "right-anterior-superior": (1, 1, 1),
    "ras": (1, 1, 1),
    "left-anterior-superior": (-1, 1, 1),
    "las": (-1, 1, 1),
    "left-posterior-superior": (-1, -1, 1),
    "lps": (-1, -1, 1),
}


def sniff(data: bytes) -> str | None:
    """``'nifti'``, ``'gzip'`` (perhaps a .nii.gz), ``'nrrd'``, ``'metaimage'`` or None."""
    if data[:2] == _GZIP:
        return "gzip"
    if _is_nifti_header(data):
        return "nifti"
    if _NRRD.match(data[:10]):
        return "nrrd"
    if _META.match(data[:64]):
        return "metaimage"
    return None


def _is_nifti_header(head: bytes) -> bool:
    return head[344:348] in (_NIFTI1, _NIFTI1_PAIR) or head[4:8] in (_NIFTI2, _NIFTI2_PAIR)


def decode_volume(
    data: bytes, *, folder: Path | None = None, max_voxels: int | None = None
) -> tuple[np.ndarray, Geometry, str, tuple[str, ...]]:
    """A volume file's bytes → ``(array (k, j, i), geometry, format, notes)``.

    ``folder`` is where a detached NRRD header (``.nhdr``) was read from; its
    data file is looked for there only.

    Raises
    ------
    MaskError
        Everything the module docstring lists, in one sentence.
    """
    limit = MAX_VOXELS if max_voxels is None else int(max_voxels)
    kind = sniff(data)
    if kind == "gzip":
        head = _inflate_head(data, 1024)
        if _is_nifti_header(head):
            return _decode_nifti(data, head, compressed=True, limit=limit)
        sizes = {n.to_bytes(4, order) for n in (348, 540) for order in ("little", "big")}
        if head[:4] in sizes and len(head) < 1024:
            raise MaskError(
                "The .nii.gz file is truncated: its gzip stream ends inside the NIfTI "
                "header; copy or write it again."
            )
        raise MaskError(
            "The file is gzip-compressed but holds no NIfTI volume; maskapp reads .nii.gz, "
            ".nii, .nrrd and .nhdr volumes: decompress it, or export the mask as one of those."
        )
    if kind == "nifti":
        return _decode_nifti(data, data[:1024], compressed=False, limit=limit)
    if kind == "nrrd":
        return _decode_nrrd(data, folder=folder, limit=limit)
    if kind == "metaimage":
        return _decode_metaimage(data, limit=limit)
    raise MaskError("The file is not a NIfTI or NRRD volume.")


# --- MetaImage (SimpleITK, optional) -------------------------------------------


def _meta_fields(data: bytes) -> dict[str, str]:
    """The ``Key = value`` lines of a MetaImage header, up to ElementDataFile."""
    fields: dict[str, str] = {}
    for line in data[:_META_HEADER].split(b"\n"):
        key, sep, value = line.decode("latin-1").partition("=")
        if not sep:
            continue
        fields[key.strip()] = value.strip()
        if key.strip() == "ElementDataFile":
            break
    return fields


def _decode_metaimage(data: bytes, *, limit: int):
    """An .mha (data attached) through SimpleITK, when it is installed.

    The voxel cap is checked from ``DimSize`` before SimpleITK reads anything.
    SimpleITK's array is (z, y, x) = (k, j, i) already; its direction matrix,
    spacing and origin are in LPS and become a RAS+ affine as for NRRD.
    """
    fields = _meta_fields(data)
    if fields.get("ElementDataFile", "LOCAL").upper() != "LOCAL":
        raise MaskError(
            "The file is a MetaImage header (.mhd) whose voxels are in another file; "
            "save it as a single .mha, or convert it to .nii.gz."
        )
    try:
        sizes = [int(v) for v in fields.get("DimSize", "").split()]
    except ValueError:
        sizes = []
    if not sizes:
        raise MaskError(
            "The MetaImage header has no valid DimSize; write the volume again from the "
            "tool that made it."
        )
    _spatial_dims(tuple(sizes), "MetaImage", limit)  # the same size guards, from the header
    try:
        import SimpleITK as sitk
    except ImportError as err:
        raise MaskError(
            "The file is a MetaImage (.mha) volume, which maskapp reads through SimpleITK; "
            "install it (pip install SimpleITK) or convert the volume to .nii.gz."
        ) from err
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".mha") as handle:
        handle.write(data)
        handle.flush()
        try:
            image = sitk.ReadImage(handle.name)
        except RuntimeError as err:
            raise MaskError(
                "The MetaImage file is corrupt or truncated (SimpleITK cannot read its "
                "voxels); write the volume again from the tool that made it."
            ) from err
    if image.GetNumberOfComponentsPerPixel() != 1:
        raise MaskError(
            "The MetaImage holds vector voxels (several values each); save one label per "
            "voxel."
        )
    array = sitk.GetArrayFromImage(image)
    if array.ndim != 3:
        raise MaskError(
            f"The MetaImage has {array.ndim} dimensions; a volume has three — save the "
            "3-D label volume."
        )
    spacing = np.asarray(image.GetSpacing(), np.float64)
    direction = np.asarray(image.GetDirection(), np.float64).reshape(3, 3)
    affine = np.eye(4)
    affine[:3, :3] = direction * spacing[None, :]
    affine[:3, 3] = image.GetOrigin()
    affine[:2] *= -1  # LPS → RAS+
    geometry = affine_geometry(array.shape, affine)
    return array, geometry, "MetaImage", ("read with SimpleITK",)


# --- NIfTI -------------------------------------------------------------------


def _decode_nifti(data: bytes, head: bytes, *, compressed: bool, limit: int):
    import nibabel as nib

    two = head[4:8] in (_NIFTI2, _NIFTI2_PAIR)
    if head[344:348] == _NIFTI1_PAIR or head[4:8] == _NIFTI2_PAIR:
        raise MaskError(
            "The file is a NIfTI header without its voxels (an .hdr/.img pair); convert "
            "the pair to a single .nii or .nii.gz file."
        )
    fmt = ("NIfTI-2" if two else "NIfTI-1") + (" (gzip)" if compressed else "")
    header_class = nib.Nifti2Header if two else nib.Nifti1Header
    size = 540 if two else 348
    if len(head) < size:
        raise MaskError(f"The {fmt} file is truncated inside its header; write it again.")
    try:
        header = header_class.from_fileobj(io.BytesIO(head[:size]), check=False)
        dims = tuple(int(n) for n in header.get_data_shape())
        dtype = header.get_data_dtype()
        offset = int(header.get_data_offset())
        affine = header.get_best_affine()
        slope, inter = header.get_slope_inter()
        unit = header.get_xyzt_units()[0]
    except MaskError:
        raise
    except Exception as err:  # nibabel raises many types on hostile headers
        raise MaskError(
            f"The {fmt} header is corrupt (its size, data type or geometry cannot be "
            "read); write the volume again."
        ) from err
    if dtype.names is not None or dtype.kind not in "biuf":
        raise MaskError(
            f"The {fmt} volume has data type {dtype}, not a plain number per voxel "
            "(RGB or complex); save a label or binary volume (integer or float)."
        )
    spatial, notes = _spatial_dims(dims, fmt, limit)
    total = math.prod(dims)
    needed = offset + total * dtype.itemsize
    if offset < size:
        raise MaskError(
            f"The {fmt} header puts the voxels at byte {offset}, inside the header itself; "
            "write the volume again."
        )
    if compressed:
        buffer = _inflate(data, needed, fmt)
    else:
        _check_size(len(data), needed, fmt)
        buffer = data
    flat = np.frombuffer(buffer, dtype=dtype, count=total, offset=offset)
    # i fastest on disk: read in Fortran order, then reverse the axes for a C view.
    raw = flat.reshape(spatial, order="F").T
    units = _UNITS.get(unit)
    if units is None:
        units = "mm"
        notes.append("spatial unit not set in the header: mm assumed")
    if slope is not None and (slope != 1 or (inter or 0) != 0):
        raw = raw * np.float64(slope) + np.float64(inter or 0)
        notes.append(f"header scaling applied: value × {slope:g} + {inter or 0:g}")
    geometry = affine_geometry(raw.shape, affine, unit=units, notes=tuple(notes))
    return raw, geometry, fmt, tuple(notes)


def _spatial_dims(dims: tuple[int, ...], fmt: str, limit: int) -> tuple[tuple[int, ...], list]:
    """The three spatial sizes (i, j, k); extra axes of size 1 squeezed with a note."""
    notes: list[str] = []
    if not dims or any(n <= 0 for n in dims):
        raise MaskError(
            f"The {fmt} header declares an empty or impossible size {dims}; write the "
            "volume again."
        )
    total = math.prod(dims)
    spatial = (*dims[:3], 1, 1)[:3]
    if total > limit:
        shown = "×".join(str(n) for n in dims)
        raise MaskError(
            f"The {fmt} volume is {shown} ({total / 1e6:,.1f} M voxels), more than the "
            f"{limit / 1e6:,.1f} M voxel limit; crop or downsample it."
        )
    extra = dims[3:]
    if any(n > 1 for n in extra):
        if len(extra) == 1:
            raise MaskError(
                f"The {fmt} volume is 4-D with {extra[0]} time points or channels "
                f"({'×'.join(str(n) for n in dims)}); save one 3-D volume per file."
            )
        raise MaskError(
            f"The {fmt} volume has {len(dims)} dimensions ({'×'.join(str(n) for n in dims)}), "
            "more than the three spatial axes of a label volume; save one 3-D volume."
        )
    if extra:
        notes.append(
            f"{len(dims)}-D header with one time point: squeezed to "
            f"{'×'.join(str(n) for n in spatial)}"
        )
    return spatial, notes


def _check_size(have: int, needed: int, fmt: str) -> None:
    if have < needed:
        raise MaskError(
            f"The {fmt} file is truncated: its header declares {needed:,} bytes but the "
            f"file holds {have:,}; copy or write it again."
        )
    if have > needed:
        raise MaskError(
            f"The {fmt} file holds {have - needed:,} bytes more than its header declares "
            f"({needed:,}); the header and the data disagree — write the volume again."
        )


def _inflate_head(data: bytes, size: int) -> bytes:
    """The first ``size`` inflated bytes of a gzip stream (for the header)."""
    try:
        return zlib.decompressobj(wbits=47).decompress(data, size)
    except zlib.error as err:
        raise MaskError(
            "The gzip stream is corrupt from its first bytes; compress the volume again."
        ) from err


def _inflate(data: bytes | memoryview, size: int, fmt: str) -> bytearray:
    """Inflate a gzip/zlib stream into exactly ``size`` bytes, never more.

    Multi-member gzip files are followed. More output than ``size`` means the
    header lies (or a decompression bomb): refused at the first extra byte.
    """
    out = bytearray(size)
    pos = 0
    stream = zlib.decompressobj(wbits=47)
    pending = data
    try:
        while True:
            chunk = stream.decompress(pending, min(_CHUNK, size + 1 - pos))
            pending = stream.unconsumed_tail
            if pos + len(chunk) > size:
                raise MaskError(
                    f"The {fmt} data inflates to more than the {size:,} bytes its header "
                    "declares (a corrupt file or a decompression bomb); write it again."
                )
            out[pos : pos + len(chunk)] = chunk
            pos += len(chunk)
            if stream.eof:
                rest = stream.unused_data
                if rest[:2] == _GZIP:  # another gzip member follows
                    stream = zlib.decompressobj(wbits=47)
                    pending = rest
                    continue
                break
            if not pending and not chunk:
                break
    except zlib.error as err:
        raise MaskError(
            f"The {fmt} data is corrupt (its compressed stream is damaged); write it again."
        ) from err
    if pos < size:
        raise MaskError(
            f"The {fmt} file is truncated: its header declares {size:,} bytes of data but "
            f"only {pos:,} inflate; copy or write it again."
        )
    return out


# --- NRRD --------------------------------------------------------------------


def _decode_nrrd(data: bytes, *, folder: Path | None, limit: int):
    import nrrd

    stream = io.BytesIO(data)
    try:
        header = nrrd.read_header(stream)
        dtype = np.dtype(nrrd.reader._determine_datatype(header))
    except Exception as err:
        raise MaskError(
            "The NRRD header is corrupt or incomplete (its type, sizes or encoding cannot "
            "be read); write the volume again from the tool that made it."
        ) from err
    start = stream.tell()
    sizes = tuple(int(n) for n in np.atleast_1d(header.get("sizes", ())))
    if dtype.kind not in "biuf" or dtype.names is not None:
        raise MaskError(f"The NRRD volume has data type {dtype}; save an integer or float volume.")
    directions = header.get("space directions")
    spatial_axes = list(range(len(sizes)))
    if directions is not None:
        directions = np.asarray(directions, np.float64)
        spatial_axes = [i for i in range(len(sizes)) if np.all(np.isfinite(directions[i]))]
    # Non-spatial axes (a 'none' direction: time, channels) of size 1 are squeezed.
    other = [i for i in range(len(sizes)) if i not in spatial_axes]
    if any(sizes[i] > 1 for i in other) or len(spatial_axes) > 3:
        shown = "×".join(str(n) for n in sizes)
        raise MaskError(
            f"The NRRD volume is {shown} with {len(sizes)} axes ({len(spatial_axes)} spatial); "
            "save one 3-D volume per file."
        )
    dims = tuple(sizes[i] for i in spatial_axes)
    spatial, notes = _spatial_dims(dims, "NRRD", limit)
    if other:
        notes.append(f"non-spatial axes of size 1 squeezed: {'×'.join(map(str, sizes))}")
    total = math.prod(sizes)
    needed = total * dtype.itemsize
    encoding = str(header.get("encoding", "raw")).lower()
    name = header.get("data file") or header.get("datafile")
    fmt = "NRRD"
    if name is not None:
        if folder is None:
            raise MaskError(
                f"The file is a detached NRRD header (.nhdr) whose voxels are in "
                f"{str(name)!r}; open it from its path (e.g. the CLI) so the data file can "
                "be found, or save an attached .nrrd."
            )
        data, start = _detached_data(str(name), folder), 0
        fmt = "NRRD (detached)"
    skip = int(header.get("byte skip", 0) or 0)
    if encoding in ("raw",):
        if skip == -1:
            start = len(data) - needed
        else:
            start += skip
        if start < 0:
            raise MaskError(_nrrd_truncated(needed, len(data)))
        if skip != -1:
            _check_size(len(data) - start, needed, fmt)
        buffer, offset = data, start
    elif encoding in ("gzip", "gz"):
        buffer, offset = _inflate(memoryview(data)[start + skip :], needed, fmt), 0
    elif encoding in ("bzip2", "bz2"):
        buffer, offset = _inflate_bz2(memoryview(data)[start + skip :], needed, fmt), 0
    elif encoding in ("ascii", "text", "txt"):
        buffer, offset = _ascii(data[start:], total, dtype, fmt), 0
    else:
        raise MaskError(
            f"The NRRD encoding {encoding!r} is not supported; save it raw or gzip-encoded."
        )
    endian = str(header.get("endian", "little")).lower()
    if dtype.itemsize > 1 and encoding not in ("ascii", "text", "txt"):
        dtype = dtype.newbyteorder(">" if endian == "big" else "<")
    flat = np.frombuffer(buffer, dtype=dtype, count=total, offset=offset)
    raw = flat.reshape(spatial[::-1])  # fastest axis last in C order: (k, j, i)
    geometry = _nrrd_geometry(header, raw.shape, spatial_axes, notes)
    return raw, geometry, fmt, tuple(geometry.notes)


def _nrrd_truncated(needed: int, have: int) -> str:
    return (
        f"The NRRD file is truncated: its header declares {needed:,} bytes of data but "
        f"{have:,} follow; write it again."
    )


def _detached_data(name: str, folder: Path) -> bytes:
    """The data file a .nhdr names: only beside the header, never elsewhere."""
    from .io import MAX_FILE_BYTES

    candidate = Path(name)
    if (
        candidate.is_absolute()
        or ".." in candidate.parts
        or name.upper().startswith("LIST")
        or "%" in name
    ):
        raise MaskError(
            f"The NRRD header names its data file as {name!r}; maskapp reads one data file "
            "beside the header only (no folders, lists or patterns) — write it again."
        )
    path = folder / candidate
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MaskError(
                f"The NRRD data file {name!r} is {size / 2**20:.0f} MB, more than "
                f"{MAX_FILE_BYTES / 2**20:.0f} MB; crop the volume."
            )
        return path.read_bytes()
    except MaskError:
        raise
    except OSError as err:
        raise MaskError(
            f"The NRRD header's data file {name!r} cannot be read next to it "
            f"({(err.strerror or 'missing').lower()}); keep the .nhdr and its data together."
        ) from err


def _inflate_bz2(data: memoryview, size: int, fmt: str) -> bytes:
    stream = bz2.BZ2Decompressor()
    try:
        out = stream.decompress(data, size + 1)
    except (OSError, ValueError) as err:
        raise MaskError(f"The {fmt} bzip2 data is corrupt; write it again.") from err
    if len(out) > size:
        raise MaskError(
            f"The {fmt} data inflates to more than the {size:,} bytes its header declares "
            "(a corrupt file or a decompression bomb); write it again."
        )
    if len(out) < size:
        raise MaskError(_nrrd_truncated(size, len(out)))
    return out


#: Most voxels read from a text-encoded NRRD (text costs ~10 bytes a voxel).
_MAX_TEXT_VOXELS = 1 << 22


def _ascii(text: bytes, total: int, dtype: np.dtype, fmt: str) -> np.ndarray:
    if total > _MAX_TEXT_VOXELS:
        raise MaskError(
            f"The {fmt} volume is text-encoded with {total:,} voxels, more than the "
            f"{_MAX_TEXT_VOXELS:,} read as text; save it raw or gzip-encoded."
        )
    try:
        values = np.array(text.split()[: total + 1], dtype=np.float64)
    except ValueError as err:
        raise MaskError(f"The {fmt} text data holds a value that is not a number.") from err
    if len(values) != total:
        raise MaskError(_nrrd_truncated(total, len(values)))
    return values.astype(dtype)


def _nrrd_geometry(header: dict, shape: tuple[int, ...], spatial_axes: list[int], notes: list):
    """Geometry of an NRRD header: 'space directions' + 'space origin' in RAS+, or 'spacings'."""
    directions = header.get("space directions")
    space = str(header.get("space", "")).lower()
    n = len(shape)
    if directions is not None:
        vectors = np.asarray(directions, np.float64)[spatial_axes]
        width = vectors.shape[1] if vectors.ndim == 2 else 0
        affine = np.eye(4)
        affine[:width, :n] = vectors.T
        origin = header.get("space origin")
        if origin is not None:
            origin = np.asarray(origin, np.float64)
            affine[: len(origin), 3] = np.nan_to_num(origin)
        signs = _SPACES.get(space)
        if signs is None:
            notes.append(
                f"NRRD space {space or 'not given'!r} read as right-anterior-superior"
            )
            signs = (1, 1, 1)
        affine[:3] *= np.array(signs, np.float64)[:, None]
        return affine_geometry(shape, affine, notes=tuple(notes))
    spacings = header.get("spacings")
    if spacings is not None:
        values = np.asarray(spacings, np.float64)[spatial_axes]
        if np.all(np.isfinite(values)) and np.all(values > 0):
            notes.append("no space directions in the header: orientation unknown")
            return Geometry(
                shape=shape, spacing=tuple(float(v) for v in values[::-1]), notes=tuple(notes)
            )
    notes.append("no spacing in the header: 1 voxel assumed")
    return Geometry(shape=shape, spacing=None, unit="voxel", notes=tuple(notes))



def nonzero_box(*volumes: np.ndarray) -> tuple[slice, ...] | None:
    """The half-open box around every nonzero voxel of same-shape volumes; None if all are 0.

    Three projections (``any`` over two axes at a time), no full-size temporary.

    >>> v = np.zeros((4, 5, 6), np.uint8); v[1, 2:4, 5] = 3
    >>> nonzero_box(v, np.zeros_like(v))
    (slice(1, 2, None), slice(2, 4, None), slice(5, 6, None))
    """
    box = []
    for axis in range(volumes[0].ndim):
        others = tuple(a for a in range(volumes[0].ndim) if a != axis)
        hit = np.zeros(volumes[0].shape[axis], bool)
        for volume in volumes:
            hit |= volume.any(axis=others)
        found = np.flatnonzero(hit)
        if found.size == 0:
            return None
        box.append(slice(int(found[0]), int(found[-1]) + 1))
    return tuple(box)


def label_volume_foreground(
    reference: np.ndarray, candidate: np.ndarray, void: int | None, policy: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`maskapp.void.label_foreground` of two label volumes, worked out in their box.

    The same three values, but the void and foreground tests run only inside
    the box around the nonzero voxels, and the full-size results are
    :func:`lazy_zeros` arrays written only there: outside the box they are
    never resident (two 512×512×300 foregrounds cost their box, not 157 MB,
    and no full-size void temporaries are made). A void label of 0 (outside any box) takes the
    whole-volume path.

    >>> r = np.zeros((2, 3, 4), np.uint8); r[0, 1, 1:3] = (1, 255)
    >>> c = np.zeros_like(r); c[1, 2, 3] = 2
    >>> ref, cand, n = label_volume_foreground(r, c, 255, "reference")
    >>> int(ref.sum()), int(cand.sum()), n
    (1, 1, 1)
    """
    from .void import label_foreground

    if void == 0:
        return label_foreground(reference, candidate, void, policy)
    ref_fg = lazy_zeros(reference.shape)
    cand_fg = lazy_zeros(candidate.shape)
    box = nonzero_box(reference, candidate)
    if box is None:
        return ref_fg, cand_fg, 0
    ignored = 0
    # A slab of planes at a time: the void and foreground temporaries stay small
    # (box-sized ones would be freed into the heap and stay resident).
    first, rest = box[0], box[1:]
    for start in range(first.start, first.stop, _SLAB):
        slab = (slice(start, min(start + _SLAB, first.stop)), *rest)
        ref_fg[slab], cand_fg[slab], n = label_foreground(
            reference[slab], candidate[slab], void, policy
        )
        ignored += n
    return ref_fg, cand_fg, ignored


def lazy_zeros(shape: tuple[int, ...], dtype: type = bool) -> np.ndarray:
    """An array of zeros (bool, or a 1-byte ``dtype``) resident only where it is written.

    An anonymous memory map rather than ``np.zeros``: numpy asks for
    transparent huge pages on large arrays, so one voxel written makes 2 MB
    resident (eight 512×512 planes); here a page is 4 kB.

    >>> a = lazy_zeros((2, 3)); a[1, 2] = True
    >>> a.tolist()
    [[False, False, False], [False, False, True]]
    """
    size = math.prod(shape) * np.dtype(dtype).itemsize
    if size == 0:
        return np.zeros(shape, dtype)
    # Private: reading an unwritten page then maps the kernel's zero page (a
    # shared anonymous map would allocate it).
    flags = getattr(mmap, "MAP_PRIVATE", None)
    buffer = mmap.mmap(-1, size) if flags is None else mmap.mmap(-1, size, flags=flags)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):  # Linux; a no-op where THP is off
        buffer.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(buffer, dtype).reshape(shape)


def volume_confusion_map(reference: np.ndarray, candidate: np.ndarray) -> np.ndarray:
    """:func:`maskapp.overlap.confusion_map` of two volumes, written only in their box.

    TN is 0, so outside the box around both foregrounds the codes are the
    zeros of :func:`lazy_zeros`; inside, a slab of planes at a time (no
    full-size temporaries).

    >>> a = np.zeros((2, 3, 3), bool); a[1, 1, 1:] = True
    >>> b = np.zeros_like(a); b[1, 1, :2] = True
    >>> volume_confusion_map(a, b)[1].tolist()
    [[0, 0, 0], [2, 1, 3], [0, 0, 0]]
    """
    from .overlap import confusion_map

    codes = lazy_zeros(reference.shape, np.uint8)
    box = nonzero_box(reference, candidate)
    if box is None:
        return codes
    first, rest = box[0], box[1:]
    for start in range(first.start, first.stop, _SLAB):
        slab = (slice(start, min(start + _SLAB, first.stop)), *rest)
        codes[slab] = confusion_map(reference[slab], candidate[slab])
    return codes


#: Planes per slab of :func:`label_volume_foreground` (4 MB of 512×512 uint8 planes).
_SLAB = 16
