"""``maskapp batch``: the command-line shell over :func:`maskapp.batch.evaluate`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import MaskError
from ..pair import Options
from .evaluate import evaluate
from .pairing import pair_locations
from .report import text_report


def _write(target: str, text: str, what: str) -> None:
    if target == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as err:
        raise MaskError(
            f"Could not write the {what} to {target} ({err.strerror}); choose a writable path."
        ) from err


def _check_writable(target: str | None, what: str) -> None:
    """Refuse an output path before the run, not after it (the results would be lost)."""
    if target is None or target == "-":
        return
    folder = Path(target).resolve().parent
    if not folder.is_dir():
        raise MaskError(
            f"The {what} would go to {target}, but the folder {folder.name or folder} does not "
            "exist; create it or choose another path."
        )
    if not os.access(folder, os.W_OK) or Path(target).is_dir():
        raise MaskError(f"The {what} cannot be written to {target}; choose a writable file path.")


def run_batch(args: argparse.Namespace, options: Options) -> int:
    """Pair, evaluate with a progress bar on stderr, write the files, print the report."""
    from tqdm import tqdm

    _check_writable(args.json, "JSON")
    _check_writable(args.csv, "CSV")

    pairing = pair_locations(
        args.references,
        args.candidates,
        against=args.against,
        strip_suffix=tuple(args.strip_suffix),
        pattern=args.pattern,
        recursive=not args.no_recursive,
    )
    print(f"maskapp: {pairing.sentence()}", file=sys.stderr)
    if not pairing.cases:
        raise MaskError(
            f"No reference masks were found in {args.references}; give a folder or zip of "
            "mask files (PNG, TIFF, NPY …)."
        )
    with tqdm(
        total=len(pairing.cases), unit="pair", file=sys.stderr, disable=args.quiet,
        dynamic_ncols=True, smoothing=0.1,
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        def log(line: str) -> None:
            bar.write(f"maskapp: {line}", file=sys.stderr)

        result = evaluate(
            pairing,
            options,
            workers=args.workers,
            dask=args.dask,
            missing=args.missing,
            sort=args.sort,
            progress=progress,
            seed=args.seed,
            log=log,
        )
    if args.json:
        _write(args.json, result.to_json(), "JSON")
    if args.csv:
        _write(args.csv, result.to_csv(), "CSV")
    if "-" not in (args.json, args.csv):
        print(text_report(result))
    else:
        print(f"maskapp: {result.sentence()}", file=sys.stderr)
    return result.exit_code
