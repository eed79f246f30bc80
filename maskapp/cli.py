"""The ``maskapp`` / ``python -m maskapp`` command line: a thin shell over the core.

Exit status: 0 on success, 2 on unusable input (one line on stderr, no
traceback), as argparse does for bad options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from . import __version__
from .compare import compare_pair
from .errors import MaskError, SizeMismatch
from .io import encode_png, read_mask
from .overlap import TP
from .pair import Options, Pair, pair_of
from .report import statistics_json, text_report
from .void import DEFAULT_VOID, parse_void


def _read_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reference", help="reference mask (ground truth, A): file path")
    parser.add_argument("candidate", help="candidate mask (prediction, B): file path")
    _reading_options(parser)


def _reading_options(parser: argparse.ArgumentParser) -> None:
    """How both inputs are read (every subcommand)."""
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="binary mode: foreground = value > THRESHOLD (default: automatic rule)",
    )
    parser.add_argument(
        "--labels",
        action="store_true",
        help="read both inputs as multi-class label maps (per-class statistics)",
    )
    parser.add_argument(
        "--void",
        default=str(DEFAULT_VOID),
        metavar="LABEL",
        help=f"label mode: void/ignore label, or 'none' (default: {DEFAULT_VOID})",
    )
    parser.add_argument(
        "--resize",
        action="store_true",
        help="resize the candidate to the reference size by nearest neighbour if they differ",
    )
    parser.add_argument(
        "--volume",
        action="store_true",
        help="read 3-D .npy files as volumes (NIfTI .nii/.nii.gz and NRRD always are)",
    )
    parser.add_argument(
        "--reorient",
        action="store_true",
        help="volumes: flip/permute the candidate's axes to the reference's orientation",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maskapp",
        description="Compare two segmentation masks: overlap, boundary distances, "
        "per-class and per-object statistics.",
    )
    parser.add_argument("--version", action="version", version=f"maskapp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    cmp = sub.add_parser("compare", help="print statistics for a reference and a candidate")
    _read_options(cmp)
    cmp.add_argument("--json", action="store_true", help="print one JSON object")
    _statistic_options(cmp)
    cmp.add_argument(
        "--compat",
        metavar="LIB[,LIB...]|all",
        default=None,
        help="also show what other libraries would report for this pair, and why each "
        "differs: medpy, monai, deepmind, metricsreloaded, seg-metrics, torchmetrics or all",
    )

    batch = sub.add_parser(
        "batch",
        help="evaluate a dataset: folders, zips or a CSV of reference/candidate pairs",
        description="Pair every reference with its candidate by file name and compare each "
        "pair; print a summary and the worst cases. Exit 0 when every pair was evaluated, "
        "3 when some failed or were missing (everything is still written), 2 when none "
        "could be compared.",
    )
    _batch_options(batch)
    _reading_options(batch)
    _statistic_options(batch)
    batch.add_argument(
        "--compat",
        metavar="LIB[,LIB...]|all",
        default=None,
        help="also give each case those libraries' values and each library's dataset means, "
        "averaged the way that library aggregates (medpy, monai, deepmind, metricsreloaded, "
        "seg-metrics, torchmetrics or all)",
    )

    inter = sub.add_parser("intersect", help="write the intersection of two masks as a 0/255 PNG")
    _read_options(inter)
    inter.add_argument("-o", "--output", required=True, help="output PNG path")
    return parser


def _batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "references",
        help="reference masks: a folder, a zip, a zip holding two folders "
        "(then no CANDIDATES), or a CSV of pairs (columns reference,candidate[,name])",
    )
    parser.add_argument(
        "candidates", nargs="?", default=None, help="candidate masks: a folder or a zip"
    )
    parser.add_argument(
        "--against",
        metavar="CANDIDATES2",
        help="a second candidate set on the same references: compare the two models",
    )
    parser.add_argument("--csv", metavar="FILE", help="write one row per case (- for stdout)")
    parser.add_argument("--json", metavar="FILE", help="write the whole result (- for stdout)")
    parser.add_argument(
        "--sort",
        default="iou",
        metavar="METRIC",
        help="order cases worst first by this statistic (default: iou)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: the usable cores; 0: this process only)",
    )
    parser.add_argument(
        "--dask",
        metavar="local|ADDRESS",
        help="run on Dask: 'local' starts a LocalCluster, tcp://host:8786 connects to one",
    )
    parser.add_argument(
        "--strip-suffix",
        action="append",
        default=[],
        metavar="S",
        help="remove this suffix from file names before pairing (_0000, _pred); repeatable",
    )
    parser.add_argument("--pattern", metavar="GLOB", help="only files matching this glob")
    parser.add_argument(
        "--no-recursive", action="store_true", help="only the top level of each folder"
    )
    parser.add_argument(
        "--missing",
        choices=("worst", "skip"),
        default="worst",
        help="a missing candidate counts as empty (worst, default) or is left out of the "
        "summaries (skip); either way it is listed",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _statistic_options(cmp: argparse.ArgumentParser) -> None:
    """Every option of the statistics (compare and batch)."""
    cmp.add_argument(
        "--void-policy",
        choices=("reference", "either"),
        default="reference",
        help="ignore pixels where the reference is void (VOC, default) or where either is",
    )
    cmp.add_argument(
        "--include-background",
        action="store_true",
        help="label mode: include class 0 in the mean IoU / Dice",
    )
    cmp.add_argument(
        "--spacing",
        type=float,
        nargs="+",
        default=None,
        metavar="S",
        help="pixel size along rows and columns (default: 1 1); volumes: three numbers in "
        "file order i j k override the header's spacing (noted)",
    )
    cmp.add_argument(
        "--hd95",
        choices=("max", "pooled"),
        default="max",
        help="HD95 as the larger directed 95th percentile (default) or pooled like MedPy",
    )
    cmp.add_argument(
        "--connectivity",
        type=int,
        choices=(4, 8, 6, 18, 26),
        default=8,
        help="object connectivity for connected components (default: 8; volumes: 26, "
        "or 6 or 18)",
    )
    cmp.add_argument(
        "--boundary-connectivity",
        type=int,
        choices=(4, 8, 6, 18, 26),
        default=4,
        help="erosion element for boundaries: 4 = cross (default), 8 = square; volumes: 6 "
        "(default), 18 or 26",
    )
    cmp.add_argument(
        "--tolerance",
        type=float,
        default=1.0,
        help="surface Dice tolerance, in spacing units (default: 1)",
    )
    cmp.add_argument(
        "--boundary-width",
        type=float,
        default=2.0,
        help="Boundary IoU band width, in spacing units (default: 2)",
    )
    cmp.add_argument(
        "--percentile",
        type=float,
        default=95.0,
        metavar="P",
        help="percentile of the robust Hausdorff distance reported as hd95, any P in (0, 100] "
        "(default: 95; 100 is the Hausdorff distance)",
    )
    cmp.add_argument(
        "--boundary-band",
        choices=("inclusive", "strict"),
        default="inclusive",
        help="Boundary IoU band: pixels within <= d of the boundary (inclusive, default) or "
        "< d (strict, as MetricsReloaded)",
    )
    cmp.add_argument(
        "--objects-from",
        choices=("components", "labels"),
        default="components",
        help="objects are connected components (default) or, with --labels, the label map's "
        "instance ids (each nonzero id one object, as MONAI's panoptic quality)",
    )
    cmp.add_argument(
        "--match-iou",
        type=float,
        default=0.5,
        help="object matching threshold, IoU >= this (default: 0.5)",
    )
    cmp.add_argument(
        "--class-distances",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="label mode: boundary distances per class (default: on for volumes)",
    )
    cmp.add_argument("--no-distances", action="store_true", help="skip boundary distances")
    cmp.add_argument("--no-objects", action="store_true", help="skip per-object matching")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "compare":
            return _compare(args)
        if args.command == "batch":
            from .batch.command import run_batch

            return run_batch(args, _options(args))
        return _intersect(args)
    except MaskError as err:
        print(f"maskapp: error: {_one_line(str(err))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("maskapp: interrupted; nothing was written.", file=sys.stderr)
        return 130


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _options(args: argparse.Namespace) -> Options:
    """Every option, validated once (a bad value is one sentence, never a traceback)."""
    extra = {}
    if args.command in ("compare", "batch"):
        extra = dict(
            void_policy=args.void_policy,
            include_background=args.include_background,
            distances=not args.no_distances,
            objects=not args.no_objects,
            spacing=_spacing(args.spacing),
            hd95=args.hd95,
            boundary_connectivity=_VOLUME_WORDS.get(
                args.boundary_connectivity, args.boundary_connectivity
            ),
            tolerance=args.tolerance,
            boundary_width=args.boundary_width,
            connectivity=_VOLUME_WORDS.get(args.connectivity, args.connectivity),
            match_iou=args.match_iou,
            percentile=args.percentile,
            boundary_band=args.boundary_band,
            objects_from=args.objects_from,
            class_distances=args.class_distances,
            compat=args.compat,  # a bad library name is one 'maskapp: error:' line
        )
    return Options(
        kind="labels" if args.labels else "binary",
        threshold=args.threshold,
        # Checked with every other option (one 'maskapp: error:' line), not by argparse.
        void=parse_void(args.void),
        resize=args.resize,
        volume=args.volume,
        reorient=args.reorient,
        **extra,
    )


#: The 3-D neighbour counts as the words Options takes (one option for images and volumes).
_VOLUME_WORDS = {6: "face", 18: "edge", 26: "vertex"}


def _spacing(values: Sequence[float] | None) -> tuple[float, ...]:
    """--spacing: two numbers (row, col), or three in file order i j k (array order k j i)."""
    if values is None:
        return (1.0, 1.0)
    return tuple(values[::-1]) if len(values) == 3 else tuple(values)


def _pair(args: argparse.Namespace) -> Pair:
    """Both inputs read with the options, each error naming its input."""
    options = _options(args)
    masks = []
    for role, path in (("reference (A)", args.reference), ("candidate (B)", args.candidate)):
        try:
            masks.append(
                read_mask(
                    path,
                    kind=options.kind,
                    threshold=options.threshold,
                    void=options.void,
                    volume=options.volume,
                )
            )
        except MaskError as err:
            raise MaskError(f"{role} {path}: {err}") from err
    try:
        return pair_of(*masks, options)
    except SizeMismatch as err:
        raise MaskError(err.sentence("pass --resize to resize the candidate")) from err


def _compare(args: argparse.Namespace) -> int:
    result = compare_pair(_pair(args))  # with the other libraries' values when --compat
    if args.json:
        print(statistics_json(result))
    else:
        print(text_report(result, reference_name=args.reference, candidate_name=args.candidate))
    return 0


def _intersect(args: argparse.Namespace) -> int:
    pair = _pair(args)
    # TP of the confusion map: in label mode any class, void left out (as the statistics).
    out = pair.confusion == TP
    png = encode_png(out)
    try:
        with open(args.output, "wb") as fh:
            fh.write(png)
    except OSError as err:
        raise MaskError(
            f"Could not write '{args.output}' ({err.strerror}); choose a writable path."
        ) from err
    print(
        f"wrote {args.output}: {out.shape[1]}×{out.shape[0]}, "
        f"{int(np.count_nonzero(out)):,} intersection pixels"
    )
    return 0
