"""Sets of mask files: a folder, a zip (a path or its bytes) or an fsspec URL.

A :class:`FileSet` lists its files as sorted POSIX paths relative to its root
and reads one at a time, never more than :attr:`ZipLimits.max_member_bytes`.
Zips are read where they are (from their file or from memory) and never
extracted; their member names, count and declared sizes are checked when they
are opened, so a hostile archive is refused before anything is computed. Every
refusal is one :class:`~maskapp.errors.MaskError` sentence naming the input.

FileSets pickle cheaply for worker processes: a folder, a zip path or a URL
pickles as its location (a zip is reopened lazily, once per process); a zip
given as bytes pickles its bytes, so keep those in-process.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from ..errors import MaskError
from ..io import MAX_FILE_BYTES

__all__ = ["FileSet", "FolderFiles", "URLFiles", "ZipFiles", "ZipLimits", "open_files"]

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    """Caps on what a file set may hold; the defaults suit the CLI, the app passes lower ones.

    Attributes
    ----------
    max_members : int
        Most files (zip members, or files in a folder) a set may list.
    max_total_bytes : int
        Largest total uncompressed size a zip may declare.
    max_member_bytes : int
        Largest file read, declared or actual (default
        :data:`maskapp.io.MAX_FILE_BYTES`, the largest mask file maskapp reads).
    """

    max_members: int = 200_000
    max_total_bytes: int = 64 * 2**30
    max_member_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        for name in ("max_members", "max_total_bytes", "max_member_bytes"):
            value = getattr(self, name)
            if type(value) is not int or value <= 0:
                raise ValueError(f"ZipLimits.{name} must be a positive int, not {value!r}")


@runtime_checkable
class FileSet(Protocol):
    """Files to pair: a folder, a zip or a URL folder.

    ``label`` is what the user gave, for sentences (``"gt/"``, ``"preds.zip"``,
    ``"refs.zip (upload)"``).
    """

    label: str

    def members(self) -> list[str]:
        """Every file, as POSIX paths relative to the root, sorted, recursive."""
        ...

    def read(self, member: str) -> bytes:
        """One member's bytes; refuses one above the per-member cap (MaskError)."""
        ...


def open_files(
    location: str | os.PathLike | bytes,
    *,
    label: str | None = None,
    limits: ZipLimits = ZipLimits(),
    subfolder: str | None = None,
) -> FileSet:
    """Open a folder, a zip (path or bytes) or an fsspec URL as a :class:`FileSet`.

    Parameters
    ----------
    location : str, path or bytes
        A folder, a ``.zip`` file (recognised by content), the bytes of a zip
        (an upload), or a URL containing ``"://"`` (a folder, or a ``.zip``),
        read through fsspec.
    label : str, optional
        How sentences name the input; default: the location as given (folders
        end in ``/``), or ``"the uploaded zip"`` for bytes.
    limits : ZipLimits
        Caps on member count, total declared size and per-member size.
    subfolder : str, optional
        Restrict the set to this folder inside it; member paths are then
        relative to that folder.

    Returns
    -------
    FileSet

    Raises
    ------
    MaskError
        No such location, not a folder or zip, a zip that is damaged,
        encrypted, holds names pointing outside it (``..``, absolute paths,
        drive letters), more members or a larger declared size than the caps,
        or a missing ``subfolder``.

    Examples
    --------
    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as archive:
    ...     archive.writestr("gt/case1.png", b"...")
    >>> files = open_files(buffer.getvalue(), label="refs.zip (upload)", subfolder="gt")
    >>> files.label, files.members(), files.read("case1.png")
    ('refs.zip (upload)/gt/', ['case1.png'], b'...')
    """
    if isinstance(location, bytes | bytearray | memoryview):
        files: _Base = ZipFiles(bytes(location), label or "the uploaded zip", limits)
    elif isinstance(location, str | os.PathLike):
        text = os.fspath(location)
        if not isinstance(text, str):
            raise TypeError("byte-string paths are not supported; pass a str or Path")
        if "://" in text:
            _filesystem(text)  # fsspec missing or the protocol unknown: say so now
            if text.rstrip("/").lower().endswith(".zip"):
                files = ZipFiles(text, label or text, limits)
            else:
                files = URLFiles(text, _folder_label(label or text), limits)
        else:
            files = _open_path(Path(text), label or text, limits)
    else:
        raise TypeError(f"location must be a path, a URL or bytes, not {type(location).__name__}")
    if subfolder is not None:
        files = files.within(subfolder)
    return files


def _open_path(path: Path, label: str, limits: ZipLimits) -> _Base:
    try:
        info = path.stat()
    except FileNotFoundError as err:
        raise MaskError(f"No folder or zip at {label!r}; check the path and try again.") from err
    except OSError as err:
        reason = (err.strerror or "not a valid path").lower()
        raise MaskError(f"{label!r} cannot be opened ({reason}); check the path.") from err
    if stat.S_ISDIR(info.st_mode):
        return FolderFiles(str(path), _folder_label(label), limits)
    return ZipFiles(str(path), label, limits)


def _folder_label(label: str) -> str:
    return label if label.endswith("/") else label + "/"


def _filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem of ``url`` and the path in it (fsspec comes with dask)."""
    try:
        import fsspec
    except ImportError as err:
        raise MaskError(
            f"Reading {url!r} needs fsspec, which is not installed; install maskapp[dask] "
            "(or fsspec and the package for that storage) and try again."
        ) from err
    try:
        fs, path = fsspec.core.url_to_fs(url)
        return fs, path
    except (ImportError, ValueError) as err:  # an unknown protocol or its missing driver
        raise MaskError(
            f"{url!r} uses a storage fsspec cannot open here ({err}); install the package "
            "for that storage or copy the files to a folder."
        ) from err


def _size(n: int) -> str:
    """A byte count for sentences: 512 MB, 1.5 MB, 200 kB, 40 bytes."""
    if n >= 10 * 2**20:
        return f"{n / 2**20:,.0f} MB"
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    if n >= 10 * 2**10:
        return f"{n / 2**10:.0f} kB"
    return f"{n} bytes"


def _join(prefix: str, member: str) -> str:
    return f"{prefix}/{member}" if prefix else member


class _Base:
    """What every file set shares: a label, limits, an optional subfolder prefix."""

    label: str
    limits: ZipLimits
    prefix: str = ""

    def members(self) -> list[str]:
        everything = self._all_members()
        if not self.prefix:
            return list(everything)
        start = self.prefix + "/"
        return [m[len(start) :] for m in everything if m.startswith(start)]

    def read(self, member: str) -> bytes:
        _check_member(member)
        return self._read(_join(self.prefix, member), member)

    def within(self, subfolder: str) -> _Base:
        """The same set restricted to one of its folders (member paths relative to it)."""
        parts = [p for p in subfolder.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            raise ValueError(f"subfolder must name a folder inside the set, not {subfolder!r}")
        folder = "/".join(parts)
        prefix = _join(self.prefix, folder)
        if not any(m.startswith(prefix + "/") for m in self._all_members()):
            raise MaskError(
                f"{self.label} has no folder named {folder!r}; check the folder name "
                "(names are case-sensitive)."
            )
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)  # shares the listing and the open archive
        clone.prefix = prefix
        clone.label = self.label.rstrip("/") + "/" + folder + "/"
        return clone

    def _too_large(self, member: str, size: int | None) -> MaskError:
        found = f"is {_size(size)}" if size is not None else "inflates to"
        return MaskError(
            f"{self.label} holds {member!r}, which {found} more than the "
            f"{_size(self.limits.max_member_bytes)} a mask file may take; remove it or "
            "downscale and compress it (PNG)."
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r})"

    # pickling: the location, label, limits and prefix only (caches are rebuilt)
    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__getstate__() == self.__getstate__()

    def __hash__(self) -> int:
        state = self.__getstate__()
        location = state.get("location")
        if isinstance(location, bytes):
            location = zlib.crc32(location)
        return hash((type(self).__name__, location, state.get("prefix"), state.get("label")))

    def _all_members(self) -> list[str]:
        raise NotImplementedError

    def _read(self, path: str, member: str) -> bytes:
        raise NotImplementedError


def _check_member(member: str) -> None:
    """A member name from the caller: relative, inside the set (programming errors otherwise)."""
    if not isinstance(member, str):
        raise TypeError(f"member must be a str, not {type(member).__name__}")
    parts = member.split("/")
    if not member or member.startswith("/") or _DRIVE.match(member) or ".." in parts:
        raise ValueError(f"member must be a relative path inside the set, not {member!r}")


class FolderFiles(_Base):
    """The files under a folder (symbolic links followed, loops skipped)."""

    def __init__(self, location: str, label: str, limits: ZipLimits) -> None:
        self.location = location
        self.label = label
        self.limits = limits
        self.prefix = ""

    def _all_members(self) -> list[str]:
        cached = self.__dict__.get("_members")
        if cached is None:
            cached = self.__dict__["_members"] = self._walk()
        return cached

    def _walk(self) -> list[str]:
        root = Path(self.location)
        found: list[str] = []
        seen: set[tuple[int, int]] = set()
        for folder, dirs, files in os.walk(root, followlinks=True):
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:  # a link back up the tree
                dirs[:] = []
                continue
            seen.add((info.st_dev, info.st_ino))
            relative = Path(folder).relative_to(root).as_posix()
            for name in files:
                found.append(name if relative == "." else f"{relative}/{name}")
            if len(found) > self.limits.max_members:
                raise MaskError(
                    f"{self.label} holds more than {self.limits.max_members:,} files, more "
                    "than maskapp lists; choose a smaller folder or pass a pattern."
                )
        return sorted(found)

    def _read(self, path: str, member: str) -> bytes:
        full = Path(self.location, *path.split("/"))
        cap = self.limits.max_member_bytes
        try:
            size = full.stat().st_size
            if size > cap:
                raise self._too_large(member, size)
            with open(full, "rb") as stream:
                data = stream.read(cap + 1)  # the file may have grown since stat
        except MaskError:
            raise
        except FileNotFoundError as err:
            raise MaskError(
                f"{self.label} no longer holds {member!r}; check the folder and try again."
            ) from err
        except OSError as err:
            reason = (err.strerror or "unreadable").lower()
            raise MaskError(
                f"{self.label} holds {member!r}, which cannot be read ({reason}); check its "
                "permissions."
            ) from err
        if len(data) > cap:
            raise self._too_large(member, None)
        return data


class URLFiles(_Base):
    """The files under an fsspec URL folder (``s3://bucket/gt/``, ``memory://gt``)."""

    def __init__(self, location: str, label: str, limits: ZipLimits) -> None:
        self.location = location.rstrip("/")
        self.label = label
        self.limits = limits
        self.prefix = ""

    def _fs(self) -> tuple[Any, str]:
        opened = self.__dict__.get("_filesystem")
        if opened is None:
            opened = self.__dict__["_filesystem"] = _filesystem(self.location)
        return opened[0], opened[1].rstrip("/")

    def _all_members(self) -> list[str]:
        cached = self.__dict__.get("_members")
        if cached is None:
            fs, root = self._fs()
            try:
                paths = fs.find(root)
            except OSError as err:
                raise MaskError(
                    f"{self.label} cannot be listed ({err}); check the URL and your access."
                ) from err
            start = root + "/"
            cached = sorted(p[len(start) :] for p in paths if p.startswith(start))
            if len(cached) > self.limits.max_members:
                raise MaskError(
                    f"{self.label} holds {len(cached):,} files, more than the "
                    f"{self.limits.max_members:,} maskapp lists; choose a smaller folder."
                )
            self.__dict__["_members"] = cached
        return cached

    def _read(self, path: str, member: str) -> bytes:
        fs, root = self._fs()
        cap = self.limits.max_member_bytes
        try:
            size = fs.size(f"{root}/{path}")
            if size is not None and size > cap:
                raise self._too_large(member, size)
            with fs.open(f"{root}/{path}", "rb") as stream:
                data = stream.read(cap + 1)
        except MaskError:
            raise
        except OSError as err:
            raise MaskError(
                f"{self.label} holds {member!r}, which cannot be read ({err}); check the URL "
                "and your access."
            ) from err
        if len(data) > cap:
            raise self._too_large(member, None)
        return data


class ZipFiles(_Base):
    """The members of a zip: a path, a URL, or bytes; read in place, never extracted.

    The archive is checked once when the set is made (names, count, declared
    sizes, encryption) and reopened lazily in each process that reads it.
    """

    def __init__(self, location: str | bytes, label: str, limits: ZipLimits) -> None:
        self.location = location
        self.label = label
        self.limits = limits
        self.prefix = ""
        self._all_members()  # refuse a hostile or broken zip now, before any work

    def _archive(self) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
        # A ZipFile shares one file offset: a forked worker must not reuse its parent's.
        opened = self.__dict__.get("_opened")
        if opened is not None and opened[0] == os.getpid():
            return opened[1], opened[2]
        archive = self._open_archive()
        try:
            infos = self._check(archive)
        except BaseException:
            archive.close()
            raise
        self.__dict__["_opened"] = (os.getpid(), archive, infos)
        return archive, infos

    def _open_archive(self) -> zipfile.ZipFile:
        stream: IO[bytes] | str
        if isinstance(self.location, bytes):
            stream = io.BytesIO(self.location)
        elif "://" in self.location:
            try:
                fs, path = _filesystem(self.location)
                stream = fs.open(path, "rb")
            except OSError as err:
                raise MaskError(
                    f"{self.label} cannot be opened ({err}); check the URL and your access."
                ) from err
        else:
            stream = self.location
        try:
            return zipfile.ZipFile(stream)
        except zipfile.BadZipFile as err:
            raise MaskError(
                f"{self.label} is not a zip archive, or a damaged one; choose a folder or a "
                "zip of the masks (zip it again if it was cut short)."
            ) from err
        except OSError as err:
            reason = (err.strerror or str(err)).lower()
            raise MaskError(f"{self.label} cannot be opened ({reason}); check the path.") from err

    def _check(self, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
        """Refuse names outside the zip, too many members, declared sizes over the caps."""
        limits = self.limits
        entries = archive.infolist()
        if len(entries) > limits.max_members:
            raise MaskError(
                f"{self.label} holds {len(entries):,} members, more than the "
                f"{limits.max_members:,} maskapp reads; split it into smaller zips."
            )
        infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in entries:
            raw = info.filename
            name = raw.replace("\\", "/")
            if name.startswith("/") or _DRIVE.match(name):
                raise MaskError(
                    f"{self.label} holds a member with the absolute path {raw!r}; remove it "
                    "and zip the folder again from inside it, with relative paths."
                )
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if ".." in parts:
                raise MaskError(
                    f"{self.label} holds a member named {raw!r} that points outside the zip; "
                    "remove it and zip the folder again."
                )
            if info.is_dir() or not parts:
                continue
            if info.flag_bits & 0x1:
                raise MaskError(
                    f"{self.label} holds {raw!r} encrypted with a password, which maskapp "
                    "cannot read; zip the masks again without a password."
                )
            if info.file_size > limits.max_member_bytes:
                raise self._too_large(raw, info.file_size)
            total += info.file_size
            infos["/".join(parts)] = info
        if total > limits.max_total_bytes:
            raise MaskError(
                f"{self.label} declares {_size(total)} uncompressed, more than the "
                f"{_size(limits.max_total_bytes)} maskapp reads from one zip; split it "
                "into smaller zips."
            )
        return infos

    def _all_members(self) -> list[str]:
        cached = self.__dict__.get("_members")
        if cached is None:
            cached = self.__dict__["_members"] = sorted(self._archive()[1])
        return cached

    def _read(self, path: str, member: str) -> bytes:
        archive, infos = self._archive()
        info = infos.get(path)
        if info is None:
            raise ValueError(f"{self.label} has no member {member!r}")
        cap = self.limits.max_member_bytes
        try:
            with archive.open(info) as stream:
                # The declared size was checked; the stream may still inflate further.
                data = stream.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
            raise MaskError(
                f"{self.label} holds {member!r}, which is damaged ({_reason(err)}); zip the "
                "folder again."
            ) from err
        except NotImplementedError as err:  # deflate64, implode …
            raise MaskError(
                f"{self.label} holds {member!r} compressed with a method Python cannot "
                "read; zip the folder again with the standard (deflate) compression."
            ) from err
        if len(data) > cap:
            raise self._too_large(member, None)
        return data


def _reason(err: Exception) -> str:
    text = str(err).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else type(err).__name__
