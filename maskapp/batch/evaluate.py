"""Evaluate every case of a :class:`~maskapp.batch.pairing.Pairing`.

Each case goes through the same :func:`~maskapp.compare.compare_pair` as one
pair in the CLI or the app, with one set of :class:`~maskapp.pair.Options`.
A case that fails is recorded with its stage and one sentence and never
stops the run; a missing candidate is compared as an empty one (IoU = Dice = 0,
distances infinite), so it is counted, not dropped.

The work is split into chunks of cases (:mod:`maskapp.batch.runners` runs
them in this process, on a process pool or on a Dask cluster); a chunk returns
small rows, never masks, so memory does not grow with the number of cases.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from ..compare import Comparison, compare_pair
from ..errors import MaskError, SizeMismatch
from ..io import read_mask
from ..masks import Mask
from ..pair import Options, Pair, pair_of
from ..parallel import set_mmap_threshold, set_threads
from .files import FileSet
from .pairing import Case, Pairing

Status = Literal["ok", "failed", "missing_candidate"]
Stage = Literal["pair", "read reference", "read candidate", "compare"]
Missing = Literal["worst", "skip"]

#: The statistics of a row that are summarised, in the order tables show them.
#: ``class_iou.<label>`` columns are added in label mode (summarised per class).
OVERLAP_METRICS = ("iou", "dice", "precision", "recall")
DISTANCE_METRICS = ("hausdorff", "hd95", "assd", "masd")
BOUNDARY_METRICS = ("surface_dice", "boundary_iou")
OBJECT_METRICS = ("objects.f1", "objects.pq")
CLASS_METRICS = ("mean_iou", "mean_dice")
COUNT_KEYS = ("reference_area", "candidate_area", "tp", "fp", "fn", "tn")


def metric_names(options: Options) -> tuple[str, ...]:
    """The summarised statistics for these options (what a row holds besides counts)."""
    names = [*OVERLAP_METRICS]
    if options.kind == "labels":
        names += CLASS_METRICS
    if options.distances:
        names += [*DISTANCE_METRICS, *BOUNDARY_METRICS]
    if options.objects:
        names += OBJECT_METRICS
    return tuple(names)


@dataclass(frozen=True)
class CaseResult:
    """What happened to one case of one candidate set.

    ``row`` holds the statistics under the single-pair JSON's key names
    (``objects.f1`` for the nested ones), floats with NaN for undefined and
    ``inf`` for infinite values; ``undefined`` gives each one's reason.
    A failed case has an empty ``row`` and its ``stage`` and ``error``.
    """

    name: str
    status: Status
    row: Mapping[str, Any] = field(default_factory=dict)
    undefined: Mapping[str, str] = field(default_factory=dict)
    stage: Stage | None = None
    error: str | None = None
    #: The reference and candidate members compared (for opening the case again).
    reference: str | None = None
    candidate: str | None = None

    def value(self, metric: str) -> float | None:
        """The case's value of ``metric``: None when failed or absent, NaN when undefined."""
        value = self.row.get(metric)
        return None if value is None else float(value)


@dataclass(frozen=True)
class ClassCounts:
    """One case's label-mode confusion matrix, kept sparse for the dataset's per-class table.

    A label map's matrix is mostly zeros (a VOC image has 2–4 of 21 classes), so
    the nonzero cells are kept: a few hundred bytes a case, not K² integers.
    """

    labels: tuple[int, ...]
    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray
    candidate_void: np.ndarray

    @classmethod
    def of(cls, classes) -> ClassCounts:
        """From a :class:`~maskapp.classes.ClassComparison`."""
        rows, cols = np.nonzero(classes.confusion)
        return cls(
            tuple(int(v) for v in classes.labels),
            rows.astype(np.int32),
            cols.astype(np.int32),
            classes.confusion[rows, cols],
            np.asarray(classes.candidate_void),
        )

    @property
    def confusion(self) -> np.ndarray:
        k = len(self.labels)
        dense = np.zeros((k, k), dtype=np.int64)
        dense[self.rows, self.cols] = self.counts
        return dense


@dataclass(frozen=True)
class Outcome:
    """A case's results for the candidate set and, in two-model mode, the second set."""

    candidate: CaseResult
    against: CaseResult | None = None
    classes: ClassCounts | None = None
    against_classes: ClassCounts | None = None


@dataclass(frozen=True)
class Task:
    """A chunk of cases and everything a worker needs to evaluate them.

    FileSets travel as their locations (paths or URLs), never as image bytes,
    except for zips uploaded to the app, which are evaluated in-process.
    """

    pairing_sets: tuple[FileSet, FileSet, FileSet | None]
    cases: tuple[Case, ...]
    options: Options
    single_thread: bool = False
    #: Largest mask read, in pixels (None: maskapp's default cap); an app sets a lower one.
    max_pixels: int | None = None


@dataclass(frozen=True)
class ChunkResult:
    outcomes: tuple[Outcome, ...]
    seconds: float


def case_row(comparison: Comparison) -> tuple[dict[str, Any], dict[str, str]]:
    """The flat statistics of one comparison and the reasons of its undefined ones.

    Examples
    --------
    >>> from maskapp import compare
    >>> row, undefined = case_row(compare([[1, 1, 0]], [[0, 1, 0]], objects=False))
    >>> row["iou"], row["tp"], row["hausdorff"]
    (0.5, 1, 1.0)
    """
    o = comparison.overlap
    row: dict[str, Any] = {"shape": "×".join(str(n) for n in o.shape)}
    row.update({key: getattr(o, key) for key in (*COUNT_KEYS, *OVERLAP_METRICS)})
    undefined = {k: v for k, v in o.undefined.items() if k in row}
    classes = comparison.classes
    if classes is not None:
        row["mean_iou"] = classes.mean_iou
        row["mean_dice"] = classes.mean_dice
        for stats in classes.classes:
            row[f"class_iou.{stats.label}"] = stats.iou
        for key, reason in classes.undefined.items():
            if key in ("mean_iou", "mean_dice"):
                undefined[key] = reason
    surface = comparison.surface
    if surface is not None:
        for key in (*DISTANCE_METRICS, *BOUNDARY_METRICS):
            row[key] = float(getattr(surface, key))
        undefined.update({k: v for k, v in surface.infinite.items() if k in row})
    objects = comparison.objects
    if objects is not None:
        row["objects.f1"] = objects.f1
        row["objects.pq"] = objects.pq
        for key in ("f1", "pq"):
            if key in objects.undefined:
                undefined[f"objects.{key}"] = objects.undefined[key]
    if comparison.compat is not None:
        row.update(compat_row(comparison))
    return row, undefined


def compat_row(comparison: Comparison) -> dict[str, Any]:
    """``compat.<library>.<key>``: each library's value for the pair (float or "raises …").

    maskapp's own values of the keys a row does not already hold (the directed
    means) are added as ``compat.maskapp.<key>``, so every library column has
    maskapp's beside it.

    >>> from maskapp import compare
    >>> r = compare([[1, 1, 0]], [[0, 0, 0]], objects=False, compat=("monai",))
    >>> row = compat_row(r)
    >>> row["compat.monai.hd95"], row["compat.monai.dice"], row["compat.maskapp.asd"]
    (nan, 0.0, inf)
    """
    from ..compat import own_values

    row: dict[str, Any] = {}
    for library, values in (comparison.compat or {}).items():
        row.update({f"compat.{library}.{key}": value for key, value in values.items()})
    own = own_values(comparison)
    for key in COMPAT_OWN_KEYS:
        if key in own:
            row[f"compat.maskapp.{key}"] = own[key]
    return row


#: Compatibility keys whose maskapp value is not a summarised statistic of a row.
COMPAT_OWN_KEYS = ("asd", "mean_reference_to_candidate", "mean_candidate_to_reference")


def own_key(key: str) -> str:
    """The row key of maskapp's own value of a compatibility key."""
    return f"compat.maskapp.{key}" if key in COMPAT_OWN_KEYS else key


def _read(files: FileSet, member: str, options: Options, max_pixels: int | None) -> Mask:
    return read_mask(
        files.read(member),
        kind=options.kind,
        threshold=options.threshold,
        void=options.void,
        volume=options.volume,  # 3-D .npy files with --volume (NIfTI and NRRD always are)
        max_pixels=max_pixels,
    )


def _empty_like(reference: Mask, options: Options) -> Mask:
    """An empty candidate on the reference's grid (a volume keeps its geometry)."""
    zeros = np.zeros(reference.shape, dtype=bool if options.kind == "binary" else np.uint8)
    empty = read_mask(zeros, kind=options.kind, void=options.void, volume=zeros.ndim == 3)
    return Mask(empty.array, replace(empty.info, geometry=reference.info.geometry))


def _failed(case: Case, stage: Stage, error: str, candidate: str | None) -> CaseResult:
    return CaseResult(
        case.name, "failed", stage=stage, error=error, reference=case.reference,
        candidate=candidate,
    )


def _evaluate_one(
    case: Case,
    reference: Mask | None,
    reference_error: str | None,
    files: FileSet,
    member: str | None,
    options: Options,
    max_pixels: int | None,
) -> tuple[CaseResult, ClassCounts | None]:
    """One candidate member of a case against its (already read) reference."""
    if case.problem is not None:
        return _failed(case, "pair", case.problem, member), None
    if reference is None:
        return _failed(case, "read reference", reference_error or "", member), None
    if member is None:
        # A missing prediction is an empty prediction: the case counts, at its worst.
        candidate = _empty_like(reference, options)
        status: Status = "missing_candidate"
    else:
        try:
            candidate = _read(files, member, options, max_pixels)
        except MaskError as err:
            return _failed(case, "read candidate", str(err), member), None
        status = "ok"
    try:
        pair: Pair = pair_of(reference, candidate, options)
        comparison = compare_pair(pair)
    except SizeMismatch as err:
        remedy = "resize candidates to their reference (--resize)"
        return _failed(case, "compare", err.sentence(remedy), member), None
    except MaskError as err:
        return _failed(case, "compare", str(err), member), None
    row, undefined = case_row(comparison)
    counts = None
    if comparison.classes is not None:
        counts = ClassCounts.of(comparison.classes)
    result = CaseResult(
        case.name, status, row, undefined, reference=case.reference, candidate=member
    )
    return result, counts


@functools.cache
def _keep_freed_arrays() -> bool:
    """Once per worker process: cases reuse freed memory (see set_mmap_threshold)."""
    return set_mmap_threshold(32 * 2**20)  # glibc's largest


def evaluate_chunk(task: Task) -> ChunkResult:
    """Evaluate a chunk of cases (what one worker does with one task)."""
    if task.single_thread:  # a pool or Dask worker
        set_threads(1)
        _keep_freed_arrays()
    start = time.perf_counter()
    references, candidates, against = task.pairing_sets
    outcomes = []
    for case in task.cases:
        try:
            outcomes.append(_evaluate_case(case, references, candidates, against, task))
        except Exception as err:  # a bug must cost one case, never the run
            stage: Stage = "compare"
            error = (
                f"maskapp could not compare this pair ({type(err).__name__}: {err}); "
                "please report it with the two files."
            )
            failed = _failed(case, stage, " ".join(error.split())[:400], case.candidate)
            second = None
            if against is not None:
                second = _failed(case, stage, failed.error or "", case.against)
            outcomes.append(Outcome(failed, second))
    return ChunkResult(tuple(outcomes), time.perf_counter() - start)


def _evaluate_case(case: Case, references, candidates, against, task: Task) -> Outcome:
    """The reference read once, then each candidate set's member against it."""
    options, limit = task.options, task.max_pixels
    reference, reference_error = None, None
    if case.problem is None:
        try:
            reference = _read(references, case.reference or "", options, limit)
        except MaskError as err:
            reference_error = str(err)
    first, first_classes = _evaluate_one(
        case, reference, reference_error, candidates, case.candidate, options, limit
    )
    second = second_classes = None
    if against is not None:
        second, second_classes = _evaluate_one(
            case, reference, reference_error, against, case.against, options, limit
        )
    return Outcome(first, second, first_classes, second_classes)


def sort_key(metric: str, higher_is_better: bool) -> Callable[[CaseResult], tuple]:
    """Worst first: failed cases, then undefined values, then by value, then by name."""

    def key(case: CaseResult) -> tuple:
        if case.status == "failed":
            return (0, 0.0, case.name)
        value = case.value(metric)
        if value is None or math.isnan(value):
            return (1, 0.0, case.name)
        return (2, value if higher_is_better else -value, case.name)

    return key


def evaluate(
    pairing: Pairing,
    options: Options,
    *,
    workers: int | None = None,
    dask: str | None = None,
    missing: Missing = "worst",
    sort: str = "iou",
    progress: Callable[[int, int], None] | None = None,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
    max_pixels: int | None = None,
    compat: str | Sequence[str] | None = None,
):
    """Evaluate every case of ``pairing`` with ``options``.

    Parameters
    ----------
    pairing : Pairing
        From :func:`~maskapp.batch.pairing.pair_locations`.
    options : Options
        One set of options for every case (as for one pair).
    workers : int, optional
        Worker processes; None: the usable cores; 0: this process (the app).
    dask : str, optional
        ``'local'`` for a ``LocalCluster`` of ``workers`` processes, or a
        scheduler address (``tcp://host:8786``); needs ``maskapp[dask]``.
    missing : {'worst', 'skip'}
        A missing candidate is an empty one (``'worst'``) or left out of the
        summaries (``'skip'``); either way it is listed and counted.
    sort : str
        The statistic the cases are ordered by, worst first.
    progress : callable, optional
        ``progress(done, total)`` after every chunk.
    seed : int
        Seed of the bootstrap confidence intervals.
    log : callable, optional
        Receives one-line notices (the Dask dashboard link).
    max_pixels : int, optional
        Largest mask read (checked from the header before decoding); a larger
        one fails its case. Default :data:`maskapp.masks.MAX_PIXELS`.
    compat : str or sequence of str, optional
        Libraries whose numbers to reproduce (``'all'`` or names, as
        :func:`maskapp.compare`; overrides ``options.compat``): every row gains
        ``compat.<library>.<key>`` and the result each library's dataset means,
        averaged the way that library aggregates (:mod:`maskapp.compat.aggregate`).

    Returns
    -------
    BatchResult

    Raises
    ------
    MaskError
        An unknown ``sort`` statistic, or a Dask cluster that cannot be used.
    """
    from .results import BatchResult, check_sort
    from .runners import run

    if compat is not None:
        options = replace(options, compat=compat)  # validated there: one sentence if unknown
    check_sort(sort, options)
    if missing not in ("worst", "skip"):
        raise MaskError(f"--missing must be 'worst' or 'skip', not {missing!r}.")
    builder = BatchResult.builder(pairing, options, missing=missing, sort=sort, seed=seed)
    run(
        pairing,
        options,
        workers=workers,
        dask=dask,
        sink=builder.add,
        progress=progress,
        log=log,
        max_pixels=max_pixels,
    )
    return builder.result()

