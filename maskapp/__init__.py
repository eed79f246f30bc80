"""maskapp — compare two segmentation masks with numbers you can trust.

Reading
    read_mask(source, *, kind='binary', threshold=None, void=255) -> Mask
        source: path, bytes, file-like, ndarray, or anything with __array__ /
        __dlpack__ (a CPU torch tensor; torch is never imported). Formats by
        content: PNG (1, L, LA, I;16, I, RGB, RGBA, P), JPEG, BMP, TIFF (incl.
        float32), WebP, GIF, .npy (never pickles). EXIF orientation applied.
        Mask.array is bool (binary) or int32 labels; Mask.info says how it was
        read (mode, dtype, size, values/classes, rule, notes).

Comparing
    compare(reference, candidate, *, kind, threshold, void, resize, distances,
            objects, spacing, hd95, ...) -> Comparison
        .overlap   areas, TP/FP/FN/TN, IoU, Dice, precision, recall, specificity,
                   accuracy, balanced accuracy, MCC, kappa, volume similarity,
                   relative area difference, centroids, bounding boxes
        .surface   Hausdorff, HD95, ASSD, MASD, directed values, surface Dice,
                   Boundary IoU, Hausdorff pair
        .classes   per-class table, mean IoU/Dice (macro, micro, weighted),
                   confusion matrix (label mode)
        .objects   connected components, matching, object F1, PQ, splits/merges
        .to_dict() the CLI's JSON (no NaN/Infinity; reasons under 'undefined')

Operations (bool arrays)
    intersection, union, symmetric_difference, reference_only (missed, FN),
    candidate_only (extra, FP), confusion_map (0 TN, 1 TP, 2 FP, 3 FN)

Conventions
    reference = ground truth A, candidate = prediction B;
    precision = |A∩B|/|B|, recall = |A∩B|/|A|;
    both empty → IoU = Dice = 1.0 (flagged), distances 0;
    one empty → IoU = Dice = 0, distances infinite (null in JSON, with reason);
    any other zero denominator → NaN (null in JSON) with a reason.

Errors
    MaskError(ValueError): one human sentence for every unusable input.

Volumes
    read_mask / compare read NIfTI (.nii, .nii.gz) and NRRD by content, with the
    header's spacing and orientation (maskapp.geometry); 3-D .npy with volume=True.
    Every family works in 3-D; per-class distances (maskapp.class_distances) and
    per-slice profiles (Comparison.slice_profile, maskapp.slices) for viewers.

Other libraries
    compare(..., compat="all" | ("medpy", "monai", ...)) -> Comparison.compat:
    what MedPy, MONAI, DeepMind, MetricsReloaded, seg-metrics and torchmetrics
    would report, and compat_notes: why each differs (maskapp.compat).

Datasets
    maskapp.batch.pair_locations(references, candidates) -> Pairing
    maskapp.batch.evaluate(pairing, options, workers=..., dask=...) -> BatchResult

CLI
    python -m maskapp compare REFERENCE CANDIDATE [--json] [--compat all]
    python -m maskapp batch REFERENCES [CANDIDATES] [--against CANDIDATES2] [--json F]
    python -m maskapp intersect REFERENCE CANDIDATE -o out.png
"""

__version__ = "0.1.0"

from .compare import Comparison, compare
from .errors import MaskError
from .io import read_mask
from .masks import MAX_PIXELS, Interpretation, Mask
from .overlap import (
    candidate_only,
    confusion_map,
    intersection,
    reference_only,
    symmetric_difference,
    union,
)

__all__ = [
    "MAX_PIXELS",
    "Comparison",
    "Interpretation",
    "Mask",
    "MaskError",
    "__version__",
    "candidate_only",
    "compare",
    "confusion_map",
    "intersection",
    "read_mask",
    "reference_only",
    "symmetric_difference",
    "union",
]
