"""Pairing reference masks with candidate masks by file name, before anything is computed.

A case's name is its member path without the mask extension (``.nii.gz``
counts as one) and, optionally, without one suffix such as ``_0000`` or
``_pred``; the same rule applies to every side, so a name never depends on
which side a suffix was stripped from. Junk (``__MACOSX/``, ``.DS_Store``,
``Thumbs.db``, ``desktop.ini``, hidden files and folders), files that are not
masks and files the pattern filters out are ignored and listed. A
:class:`Pairing` says what matched, what is missing on either side and which
names are ambiguous (two files of one side with one name).
"""

from __future__ import annotations

import csv
import fnmatch
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import MaskError
from ..io import EXTENSIONS
from .files import FileSet, FolderFiles, ZipLimits, open_files

__all__ = [
    "MASK_EXTENSIONS",
    "Case",
    "Pairing",
    "case_name",
    "pair_files",
    "pair_locations",
]

#: Extensions that count as mask files: maskapp's image and ``.npy`` formats and
#: the volume formats (``.nii.gz`` is one extension). Matched case-insensitively.
MASK_EXTENSIONS: tuple[str, ...] = (
    *(f".{extension}" for extension in EXTENSIONS),
    ".nii",
    ".nii.gz",
    ".nrrd",
    ".nhdr",
    ".mha",
    ".mhd",
)
_LONGEST_FIRST = sorted(MASK_EXTENSIONS, key=len, reverse=True)

#: Files that operating systems leave behind (compared in lower case).
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "__macosx"})

#: Folder names (lower case, without ``_``, ``-`` and spaces) that say which side a folder is.
REFERENCE_FOLDERS = frozenset(
    {"reference", "references", "ref", "refs", "gt", "groundtruth", "groundtruths", "truth",
     "label", "labels", "labelstr", "labelsts", "mask", "masks", "annotation", "annotations",
     "target", "targets"}
)  # fmt: skip
CANDIDATE_FOLDERS = frozenset(
    {"candidate", "candidates", "pred", "preds", "prediction", "predictions", "output",
     "outputs", "result", "results", "segmentation", "segmentations", "seg", "segs"}
)  # fmt: skip

_SHOWN = 3


def _split_extension(base: str) -> tuple[str, str | None]:
    """``("case.1", ".nii.gz")`` for ``"case.1.nii.gz"``; ``(stem, None)`` for non-mask files."""
    lower = base.lower()
    for extension in _LONGEST_FIRST:
        if lower.endswith(extension) and len(base) > len(extension):
            return base[: -len(extension)], extension
    return os.path.splitext(base)[0] or base, None


def _suffixes(strip_suffix: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(strip_suffix, str):
        strip_suffix = (strip_suffix,)
    suffixes = tuple(strip_suffix)
    if not all(isinstance(s, str) for s in suffixes):
        raise TypeError(f"strip_suffix must be strings, not {suffixes!r}")
    return tuple(sorted((s for s in suffixes if s), key=len, reverse=True))


def case_name(member: str, *, strip_suffix: Sequence[str] | str = ()) -> str:
    """The name a file pairs by: its path without extension(s) and without one suffix.

    Parameters
    ----------
    member : str
        A POSIX path relative to its file set; its folders stay in the name.
    strip_suffix : sequence of str
        Suffixes to remove from the end of the stem (after the extension is
        removed); the longest that matches is removed, once. A suffix that
        would leave nothing is not removed.

    Returns
    -------
    str

    Examples
    --------
    >>> case_name("sub/case_0001_0000.nii.gz", strip_suffix=["_0000"])
    'sub/case_0001'
    >>> case_name("x_pred_mask.PNG", strip_suffix=["_mask", "_pred_mask"])
    'x'
    >>> case_name("scan.v2.tif")
    'scan.v2'
    """
    folder, _, base = member.rpartition("/")
    stem = _split_extension(base)[0]
    for suffix in _suffixes(strip_suffix):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    return f"{folder}/{stem}" if folder else stem


def _is_junk(member: str) -> bool:
    """Operating-system leftovers and anything hidden (a part starting with a dot)."""
    return any(part.startswith(".") or part.lower() in JUNK_NAMES for part in member.split("/"))


def _qualified(label: str, member: str) -> str:
    """A member named with its set, as a path: ``gt/.DS_Store``, ``preds.zip/x.png``."""
    return f"{label}{member}" if label.endswith("/") else f"{label}/{member}"


@dataclass(frozen=True)
class Case:
    """One reference name and the files paired with it.

    Attributes
    ----------
    name : str
        The shared name without extension(s); folders are kept (``"a/case1"``)
        when pairing is recursive.
    reference : str or None
        The member in the reference set (the first, when the name is ambiguous).
    candidate : str or None
        The member in the candidate set; None: the candidate is missing.
    against : str or None
        The member in the second candidate set (two-model mode); None: missing there.
    problem : str or None
        A pairing problem in one sentence (an ambiguous name); such a case is
        evaluated as failed at stage ``"pair"``.
    """

    name: str
    reference: str | None
    candidate: str | None
    against: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Pairing:
    """What was paired, what is missing and what was ignored — stated before any work.

    Attributes
    ----------
    references, candidates, against : FileSet
        The sets the members are read from (``against`` is None unless two
        candidate sets are compared).
    cases : tuple of Case
        Every reference name, sorted: matched, missing a candidate, or ambiguous.
    missing_reference : tuple of str
        Candidate (and against) files with no reference, named with their set
        (``"preds.zip/x.png"``).
    ignored : tuple of str
        Junk, non-mask files, files outside the pattern (or in subfolders when
        not recursive), named with their set (``"gt/.DS_Store"``).
    """

    references: FileSet
    candidates: FileSet
    against: FileSet | None
    cases: tuple[Case, ...]
    missing_reference: tuple[str, ...] = ()
    ignored: tuple[str, ...] = field(default=())

    @property
    def matched(self) -> tuple[str, ...]:
        """Names with a reference and a candidate (and an against file, when compared)."""
        return tuple(
            c.name
            for c in self.cases
            if c.problem is None
            and c.candidate is not None
            and (self.against is None or c.against is not None)
        )

    @property
    def missing_candidate(self) -> tuple[str, ...]:
        """Names whose reference has no candidate."""
        return tuple(c.name for c in self.cases if c.problem is None and c.candidate is None)

    @property
    def missing_against(self) -> tuple[str, ...]:
        """Names whose reference has no file in the second candidate set (empty without one)."""
        if self.against is None:
            return ()
        return tuple(c.name for c in self.cases if c.problem is None and c.against is None)

    @property
    def ambiguous(self) -> tuple[str, ...]:
        """Names that more than one file of one side maps to."""
        return tuple(c.name for c in self.cases if c.problem is not None)

    def to_dict(self) -> dict:
        """The pairing as JSON-ready lists; each ambiguous name's sentence under ``problems``."""
        out: dict = {
            "matched": list(self.matched),
            "missing_candidate": list(self.missing_candidate),
            "missing_reference": list(self.missing_reference),
            "ambiguous": list(self.ambiguous),
            "ignored": list(self.ignored),
            "problems": {c.name: c.problem for c in self.cases if c.problem is not None},
        }
        if self.against is not None:
            out["missing_against"] = list(self.missing_against)
        return out

    def sentence(self) -> str:
        """One line for people, e.g. ``"412 pairs matched; 3 references have no candidate (a, b, c)."``.

        Examples
        --------
        >>> import io, zipfile
        >>> def zipped(*names):
        ...     buffer = io.BytesIO()
        ...     with zipfile.ZipFile(buffer, "w") as archive:
        ...         for name in names:
        ...             archive.writestr(name, b"")
        ...     return buffer.getvalue()
        >>> references = open_files(zipped("a.png", "b.png", ".DS_Store"), label="gt.zip")
        >>> candidates = open_files(zipped("a_pred.png", "x.png"), label="preds.zip")
        >>> pair_files(references, candidates, strip_suffix=["_pred"]).sentence()
        '1 pair matched; 1 reference has no candidate (b); 1 candidate has no reference (preds.zip/x.png); 1 file ignored (gt.zip/.DS_Store).'
        """  # noqa: E501
        matched = len(self.matched)
        head = f"{matched} pair{'' if matched == 1 else 's'} matched"
        if not self.cases:
            head += f" ({self.references.label} holds no mask files)"
        parts = [head]
        count = _count
        if self.missing_candidate:
            parts.append(
                f"{count(self.missing_candidate, 'reference', 'has', 'have')} no candidate "
                f"({_listed(self.missing_candidate)})"
            )
        if self.missing_against:
            parts.append(
                f"{count(self.missing_against, 'reference', 'has', 'have')} no candidate in "
                f"{self.against.label} ({_listed(self.missing_against)})"  # type: ignore[union-attr]
            )
        if self.missing_reference:
            parts.append(
                f"{count(self.missing_reference, 'candidate', 'has', 'have')} no reference "
                f"({_listed(self.missing_reference)})"
            )
        if self.ambiguous:
            parts.append(
                f"{count(self.ambiguous, 'name', 'is', 'are')} ambiguous, more than one file "
                f"maps to it ({_listed(self.ambiguous)})"
            )
        if self.ignored:
            parts.append(f"{count(self.ignored, 'file')} ignored ({_listed(self.ignored)})")
        return "; ".join(parts) + "."


def _count(items: Sequence[str], noun: str, one: str = "", many: str = "") -> str:
    verb = one if len(items) == 1 else many
    text = f"{len(items):,} {noun}{'' if len(items) == 1 else 's'}"
    return f"{text} {verb}" if verb else text


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown if len(items) <= _SHOWN else f"{shown} and {len(items) - _SHOWN:,} more"


def _by_name(
    files: FileSet, suffixes: tuple[str, ...], pattern: str | None, recursive: bool
) -> tuple[dict[str, list[str]], list[str]]:
    """Mask members of one side grouped by case name, and the members ignored."""
    names: dict[str, list[str]] = {}
    ignored: list[str] = []
    folded = pattern.lower() if pattern is not None else None
    for member in files.members():
        base = member.rpartition("/")[2]
        keep = (
            not _is_junk(member)
            and (recursive or "/" not in member)
            and _split_extension(base)[1] is not None
            and (
                folded is None
                or fnmatch.fnmatchcase(member.lower(), folded)
                or fnmatch.fnmatchcase(base.lower(), folded)
            )
        )
        if keep:
            names.setdefault(case_name(member, strip_suffix=suffixes), []).append(member)
        else:
            ignored.append(_qualified(files.label, member))
    return names, ignored


def _ambiguity(name: str, sides: Sequence[tuple[FileSet, list[str]]]) -> str | None:
    if all(len(members) <= 1 for _, members in sides):
        return None
    files = ", ".join(_qualified(s.label, m) for s, members in sides for m in members)
    return (
        f"More than one file maps to the case name {name!r} ({files}); rename or remove all "
        "but one on each side, or change strip_suffix."
    )


def pair_files(
    references: FileSet,
    candidates: FileSet,
    *,
    against: FileSet | None = None,
    strip_suffix: Sequence[str] | str = (),
    pattern: str | None = None,
    recursive: bool = True,
) -> Pairing:
    """Pair the mask files of two (or three) file sets by case name.

    Parameters
    ----------
    references, candidates : FileSet
        The reference (ground truth) and candidate (prediction) files.
    against : FileSet, optional
        A second candidate set, compared with ``candidates`` case by case.
    strip_suffix : sequence of str
        Suffixes removed from every side's names (see :func:`case_name`), e.g.
        ``["_0000", "_pred", "_mask"]``.
    pattern : str, optional
        A glob (``*``, ``?``, ``[...]``) a file's path or base name must match,
        case-insensitively, e.g. ``"*.png"`` or ``"case_*"``.
    recursive : bool
        Include files in subfolders (their folders stay in the names); when
        False, only top-level files are paired and the rest ignored.

    Returns
    -------
    Pairing
    """
    suffixes = _suffixes(strip_suffix)
    sides = [references, candidates] + ([against] if against is not None else [])
    grouped = [_by_name(s, suffixes, pattern, recursive) for s in sides]
    reference_names = grouped[0][0]
    cases = []
    for name in sorted(reference_names):
        found = [(s, g[0].get(name, [])) for s, g in zip(sides, grouped, strict=True)]
        members = [m[0] if m else None for _, m in found] + [None]
        cases.append(Case(name, members[0], members[1], members[2], _ambiguity(name, found)))
    missing_reference = sorted(
        _qualified(s.label, member)
        for s, (names, _) in zip(sides[1:], grouped[1:], strict=True)
        for name, members in names.items()
        if name not in reference_names
        for member in members
    )
    ignored = sorted(m for _, side_ignored in grouped for m in side_ignored)
    return Pairing(
        references=references,
        candidates=candidates,
        against=against,
        cases=tuple(cases),
        missing_reference=tuple(missing_reference),
        ignored=tuple(ignored),
    )


Location = str | os.PathLike | bytes | FileSet


def pair_locations(
    references: Location,
    candidates: Location | None = None,
    *,
    against: Location | None = None,
    strip_suffix: Sequence[str] | str = (),
    pattern: str | None = None,
    recursive: bool = True,
    limits: ZipLimits = ZipLimits(),  # noqa: B008  (a frozen dataclass: sharing it is safe)
) -> Pairing:
    """Open the locations the user gave and pair them (see :func:`pair_files`).

    Parameters
    ----------
    references : folder, zip path, zip bytes, FileSet or ``.csv`` path
        The references; a ``.csv`` is an explicit list of pairs (columns
        ``reference,candidate`` and optionally ``name`` and ``against``; paths
        relative to the CSV's folder; ``pattern`` and ``recursive`` do not apply).
    candidates : folder, zip path, zip bytes or FileSet, optional
        The candidates. None: ``references`` holds both, as two folders at its
        top (after junk and a single wrapping folder) named like
        ``references``/``gt``/``labels``/``masks`` and
        ``candidates``/``preds``/``predictions``/``outputs``.
    against : folder, zip path, zip bytes or FileSet, optional
        A second candidate set (two-model mode).
    strip_suffix, pattern, recursive
        As in :func:`pair_files`.
    limits : ZipLimits
        Caps for the zips and folders opened.

    Returns
    -------
    Pairing

    Raises
    ------
    MaskError
        A location :func:`~maskapp.batch.files.open_files` refuses; one location
        whose two folders cannot be told apart (or that does not hold two);
        a CSV without the columns or naming a reference file that does not exist.

    Notes
    -----
    Bytes get the labels "the reference zip", "the candidate zip" and "the
    second candidate zip"; open them with :func:`~maskapp.batch.files.open_files`
    and a ``label`` (the upload's file name) to name them otherwise. A single
    folder wrapping everything in a set (a zip of ``gt/``) is looked through,
    unless another set has a folder of that name at its top (then the folders
    line up as they are).
    """
    if isinstance(references, str | os.PathLike) and os.fspath(references).lower().endswith(".csv"):
        if candidates is not None or against is not None:
            raise MaskError(
                f"{os.fspath(references)!r} is a CSV of pairs, which names both sides itself; "
                "pass the CSV alone (add an 'against' column for a second candidate set)."
            )
        return _pair_csv(Path(references), os.fspath(references), _suffixes(strip_suffix), limits)
    extra: list[str] = []
    if candidates is None:
        whole = _open(references, "the zip", limits)
        reference_set, candidate_set = _split(whole)
        originals = [whole, whole]
    else:
        reference_set = _open(references, "the reference zip", limits)
        candidate_set = _open(candidates, "the candidate zip", limits)
        originals = [reference_set, candidate_set]
    sides = [reference_set, candidate_set]
    if against is not None:
        sides.append(_open(against, "the second candidate zip", limits))
        originals.append(sides[-1])
    sides = _unwrap(sides)
    for original in {id(o): o for o in originals}.values():
        inside = [s for s, o in zip(sides, originals, strict=True) if o is original]
        extra += _outside(original, inside)
    pairing = pair_files(
        sides[0],
        sides[1],
        against=sides[2] if len(sides) > 2 else None,
        strip_suffix=strip_suffix,
        pattern=pattern,
        recursive=recursive,
    )
    if extra:
        pairing = replace(pairing, ignored=tuple(sorted((*pairing.ignored, *extra))))
    return pairing


def _open(location: Location, label: str, limits: ZipLimits) -> FileSet:
    if isinstance(location, str | os.PathLike | bytes | bytearray | memoryview):
        is_bytes = isinstance(location, bytes | bytearray | memoryview)
        return open_files(location, label=label if is_bytes else None, limits=limits)
    if isinstance(location, FileSet):
        return location
    raise TypeError(f"a location must be a path, bytes or a FileSet, not {type(location)!r}")


def _top(files: FileSet) -> tuple[set[str], bool]:
    """The top-level folders holding anything but junk, and whether loose files sit beside them."""
    folders: set[str] = set()
    loose = False
    for member in files.members():
        if _is_junk(member):
            continue
        head, slash, _ = member.partition("/")
        if slash:
            folders.add(head)
        else:
            loose = True
    return folders, loose


def _wrapper(files: FileSet) -> str | None:
    """The one folder that holds everything (but junk) in a set, if there is one."""
    if not hasattr(files, "within"):  # a caller's own FileSet: taken as it is
        return None
    folders, loose = _top(files)
    return next(iter(folders)) if len(folders) == 1 and not loose else None


def _unwrap(sides: list[FileSet]) -> list[FileSet]:
    """Look through single wrapping folders, unless another side has that folder too."""
    for _ in range(16):  # deeper wrappers than this are not wrappers
        changed = False
        tops = [_top(s)[0] for s in sides]
        for i, files in enumerate(sides):
            wrapper = _wrapper(files)
            others = [t for j, t in enumerate(tops) if j != i]
            if wrapper is not None and not any(wrapper in t for t in others):
                sides[i] = files.within(wrapper)  # type: ignore[attr-defined]
                changed = True
        if not changed:
            break
    return sides


def _outside(original: FileSet, inside: list[FileSet]) -> list[str]:
    """Members of ``original`` that none of the sets taken from it covers (for ``ignored``)."""
    prefixes = []
    for files in inside:
        if files is original:
            return []
        start = getattr(original, "prefix", "")
        prefixes.append(files.prefix[len(start) :].strip("/") + "/")  # type: ignore[attr-defined]
    return [
        _qualified(original.label, m)
        for m in original.members()
        if not any(m.startswith(p) for p in prefixes)
    ]


def _side_of(folder: str) -> str | None:
    key = "".join(ch for ch in folder.lower() if ch not in "_- ")
    if key in REFERENCE_FOLDERS:
        return "reference"
    if key in CANDIDATE_FOLDERS:
        return "candidate"
    return None


def _split(whole: FileSet) -> tuple[FileSet, FileSet]:
    """The reference and candidate folders of one set that holds both."""
    if not hasattr(whole, "within"):
        raise TypeError("a FileSet holding both sides must support within(); pass two sets")
    for _ in range(16):
        folders, loose = _top(whole)
        sides = {f: _side_of(f) for f in folders}
        references = [f for f, side in sides.items() if side == "reference"]
        candidates = [f for f, side in sides.items() if side == "candidate"]
        if len(references) == 1 and len(candidates) == 1:
            return whole.within(references[0]), whole.within(candidates[0])  # type: ignore[attr-defined]
        if len(folders) == 1 and not loose and not references + candidates:
            whole = whole.within(next(iter(folders)))  # type: ignore[attr-defined]
            continue
        break
    shown = ", ".join(f"{f}/" for f in sorted(folders))
    if len(folders) == 2:
        raise MaskError(
            f"{whole.label} holds two folders, {shown}, and maskapp cannot tell which holds the "
            "references; rename them references/ and candidates/, or pass them separately."
        )
    held = f"{len(folders)} folder{'' if len(folders) == 1 else 's'} ({shown})"
    if not folders:
        held = "no folders"
    raise MaskError(
        f"{whole.label} should hold two folders, the references and the candidates (e.g. "
        f"references/ and candidates/), but it holds {held}; rename them, or pass the "
        "references and the candidates separately."
    )


def _pair_csv(path: Path, given: str, suffixes: tuple[str, ...], limits: ZipLimits) -> Pairing:
    """An explicit list of pairs; its paths are relative to the CSV's folder."""
    header, rows = _read_csv(path, given, limits)
    folder = path.parent
    resolved: list[dict[str, Path | None]] = []
    for number, row in rows:
        entry: dict[str, Path | None] = {}
        for column in ("reference", "candidate", "against"):
            cell = (row.get(column) or "").strip()
            target = Path(os.path.abspath(folder / cell)) if cell else None
            if target is not None and not target.is_file():
                if column == "reference":
                    raise MaskError(
                        f"{given} row {number} names the reference {cell!r}, which is not a "
                        "file; check the path (relative to the CSV's folder)."
                    )
                target = None  # a candidate the model did not write: missing, not an error
            entry[column] = target
        resolved.append(entry)
    files = [p for entry in resolved for p in entry.values() if p is not None]
    base = Path(os.path.commonpath([p.parent for p in files])) if files else folder
    shown = str(base) if path.is_absolute() else os.path.relpath(base)
    label = shown if shown.endswith("/") else shown + "/"
    references = FolderFiles(str(base), label, limits)
    candidates = FolderFiles(str(base), label, limits)
    against = FolderFiles(str(base), label, limits) if "against" in header else None

    def member(p: Path | None) -> str | None:
        return p.relative_to(base).as_posix() if p is not None else None

    reference_paths = [e["reference"] for e in resolved if e["reference"] is not None]
    common = (
        Path(os.path.commonpath([p.parent for p in reference_paths])) if reference_paths else base
    )
    by_name: dict[str, list[tuple[dict[str, Path | None], dict[str, str]]]] = {}
    missing_reference = []
    for entry, (_, row) in zip(resolved, rows, strict=True):
        reference = entry["reference"]
        if reference is None:
            missing_reference += [
                _qualified(label, member(p))  # type: ignore[arg-type]
                for p in (entry["candidate"], entry["against"])
                if p is not None
            ]
            continue
        relative = reference.relative_to(common).as_posix()
        name = (row.get("name") or "").strip() or case_name(relative, strip_suffix=suffixes)
        by_name.setdefault(name, []).append((entry, row))
    cases = []
    for name in sorted(by_name):
        entries = by_name[name]
        first = entries[0][0]
        problem = None
        if len(entries) > 1:
            listed = ", ".join(member(e["reference"]) or "" for e, _ in entries)
            problem = (
                f"{given} has {len(entries)} rows for the case name {name!r} (references "
                f"{listed}); keep one row per case or give each row its own name."
            )
        cases.append(
            Case(
                name,
                member(first["reference"]),
                member(first["candidate"]),
                member(first["against"]),
                problem,
            )
        )
    return Pairing(
        references=references,
        candidates=candidates,
        against=against,
        cases=tuple(cases),
        missing_reference=tuple(sorted(missing_reference)),
    )


def _read_csv(
    path: Path, given: str, limits: ZipLimits
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The CSV's column names (lower case) and rows, numbered as a spreadsheet shows them."""
    try:
        size = path.stat().st_size
        if size > limits.max_member_bytes:
            raise MaskError(
                f"{given} is {size / 2**20:,.0f} MB, far more than a list of pairs needs; "
                "check that it is the CSV of pairs."
            )
        text = path.read_bytes().decode("utf-8-sig")
    except MaskError:
        raise
    except FileNotFoundError as err:
        raise MaskError(f"No CSV at {given!r}; check the path and try again.") from err
    except UnicodeDecodeError as err:
        raise MaskError(f"{given} is not UTF-8 text; save it as a UTF-8 CSV.") from err
    except OSError as err:
        reason = (err.strerror or "unreadable").lower()
        raise MaskError(f"{given} cannot be read ({reason}); check the path.") from err
    try:
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader, [])]
        rows = [
            (number, dict(zip(header, cells, strict=False)))
            for number, cells in enumerate(reader, start=2)
            if any(c.strip() for c in cells)
        ]
    except csv.Error as err:
        raise MaskError(f"{given} is not a valid CSV ({err}); save it again as CSV.") from err
    if "reference" not in header or "candidate" not in header:
        found = ", ".join(repr(h) for h in header if h) or "none"
        raise MaskError(
            f"{given} needs a first row naming the columns reference and candidate (and "
            f"optionally name, against), but its columns are {found}; add that header row."
        )
    return header, rows
