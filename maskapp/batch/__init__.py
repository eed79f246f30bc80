"""Whole datasets: pair folders or zips of masks, evaluate every case, summarise.

Pairing
    pair_locations(references, candidates=None, *, against=None, strip_suffix=(),
                   pattern=None, recursive=True, limits=ZipLimits()) -> Pairing
        two folders, two zips, one zip holding two folders, or a CSV of pairs;
        .cases (every reference), .missing_reference, .ignored, .sentence()

Evaluating
    evaluate(pairing, options, *, workers=None, dask=None, missing='worst',
             sort='iou', progress=None, seed=0) -> BatchResult
        every case through maskapp.compare_pair with one Options; a failed case
        is recorded (stage, sentence) and never stops the run; a missing
        candidate is an empty candidate unless missing='skip'
    BatchResult: .cases (worst first), .summary (per metric, bootstrap CI),
        .pooled (micro), .classes (label mode), .against / .paired (two models),
        .to_json(), .to_csv(), .exit_code (0 / 3 / 2)

CLI
    python -m maskapp batch REFERENCES [CANDIDATES] [--against CANDIDATES2] ...
"""

from .evaluate import CaseResult, evaluate
from .files import FileSet, ZipLimits, open_files
from .pairing import Case, Pairing, pair_files, pair_locations
from .results import BatchResult, ModelResult

__all__ = [
    "BatchResult",
    "Case",
    "CaseResult",
    "FileSet",
    "ModelResult",
    "Pairing",
    "ZipLimits",
    "evaluate",
    "open_files",
    "pair_files",
    "pair_locations",
]
