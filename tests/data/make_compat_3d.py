"""Make the 3-D oracle data of the compatibility view: ``compat_3d.json`` and ``compat_3d.npz``.

Dev only; not needed to run the tests (they read the files this writes)::

    python tests/data/make_compat_3d.py DEEPMIND_CHECKOUT SEG_METRICS_DIR [--out tests/data]

- ``DEEPMIND_CHECKOUT``: a checkout of google-deepmind/surface-distance at
  commit 1f805cea (the directory holding ``surface_distance/``; PyPI's 0.1
  fails on NumPy 2). Its real ``compute_surface_distances`` and friends are
  called.
- ``SEG_METRICS_DIR``: seg-metrics 1.2.8 unpacked (``pip download
  --no-deps seg-metrics==1.2.8`` and unzip the wheel; the directory holding
  ``seg_metrics/``). Its real ``computeQualityMeasures`` is called the way
  ``write_metrics(labels=[1], gdth_img=ref, pred_img=cand, csv_file=None,
  spacing=spacing, metrics=[...])`` calls it for numpy input: one label,
  ``spacing[::-1]`` (SimpleITK's x, y, z order), ``fullyConnected=True``.
  Its module-level imports that the call never uses (matplotlib, medutils,
  tqdm) are stubbed when they are not installed. Needs SimpleITK.

Each of the pairs below is built from a fixed seed; every value is what the
library returns, NaN and ±inf written as ``"NaN"``, ``"Infinity"``,
``"-Infinity"``. The JSON also keeps DeepMind's 256-entry surface-area table
at one anisotropic spacing, so the tests check maskapp's copy of it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import types
from pathlib import Path

import numpy as np
from scipy import ndimage

TABLE_SPACING = (0.7, 1.3, 2.1)


def blobs(shape, seed, density=0.5, sigma=1.2):
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.random(shape), sigma)
    return field > np.quantile(field, 1 - density)


def ball(shape, centre, radius, spacing):
    grid = np.indices(shape).astype(float)
    d2 = sum(((g - c) * s) ** 2 for g, c, s in zip(grid, centre, spacing, strict=True))
    return d2 <= radius**2


def pairs():
    """(name, description, reference, candidate, spacing, tolerance, percentile)."""
    out = []
    shape = (12, 14, 16)
    out.append(("blobs-iso", "two seeded blobs, unit spacing",
                blobs(shape, 1), blobs(shape, 2), (1.0, 1.0, 1.0), 1.0, 95.0))
    out.append(("blobs-aniso", "two seeded blobs, anisotropic, τ = 1.5, p = 90",
                blobs(shape, 3), blobs(shape, 4), (2.5, 0.8, 0.6), 1.5, 90.0))
    ref, cand = blobs((10, 9, 8), 5, 0.7), blobs((10, 9, 8), 6, 0.6)
    out.append(("frame-touching-aniso", "dense blobs touching all six faces",
                ref, cand, (1.5, 1.0, 0.7), 1.0, 95.0))
    ref = np.zeros((6, 7, 8), bool)
    cand = np.zeros_like(ref)
    ref[2, 3, 4] = True
    cand[4, 1, 5] = True
    out.append(("one-voxel-pair", "a single voxel each, apart",
                ref, cand, (2.0, 1.0, 1.0), 1.0, 95.0))
    ref = np.zeros((9, 9, 9), bool)
    ref[4, 4, 4] = True
    out.append(("one-voxel-vs-blob", "one voxel against a blob",
                ref, blobs((9, 9, 9), 7, 0.3), (1.0, 0.5, 2.0), 1.0, 95.0))
    out.append(("non-cubic-7x11x5", "blobs in a 7×11×5 volume",
                blobs((7, 11, 5), 8), blobs((7, 11, 5), 9), (0.9, 1.7, 1.2), 1.0, 95.0))
    ref = blobs((8, 10, 12), 10, 0.4)
    out.append(("candidate-empty", "a missed structure",
                ref, np.zeros_like(ref), (1.0, 1.0, 1.0), 1.0, 95.0))
    out.append(("reference-empty", "a false prediction on an empty reference",
                np.zeros_like(ref), ref, (1.2, 0.9, 3.0), 1.0, 95.0))
    out.append(("both-empty", "two empty volumes",
                np.zeros((5, 6, 7), bool), np.zeros((5, 6, 7), bool), (1.0, 1.0, 1.0), 1.0,
                95.0))
    out.append(("fills-volume", "the reference fills the volume",
                np.ones((6, 7, 8), bool), blobs((6, 7, 8), 11, 0.5), (1.0, 2.0, 0.5), 1.0,
                95.0))
    same = blobs((10, 12, 9), 12)
    out.append(("identical-aniso", "the same blob twice, anisotropic",
                same, same.copy(), (2.0, 0.7, 1.1), 1.0, 95.0))
    sp = (3.0, 0.5, 0.5)
    out.append(("shifted-ball-aniso", "a ball and the ball shifted, thick slices",
                ball((10, 24, 24), (4.5, 11.5, 11.5), 4.0, sp),
                ball((10, 24, 24), (5.0, 12.5, 11.0), 4.2, sp), sp, 1.0, 95.0))
    grid = np.indices((10, 10, 10)).sum(axis=0)
    out.append(("thin-diagonal-plates", "one-voxel-thick diagonal plates (non-planar cases)",
                grid == 13, (grid == 14) | (grid == 15), (1.0, 1.3, 0.8), 1.0, 95.0))
    rng = np.random.default_rng(13)
    out.append(("speckle", "random voxels at density 0.3 (every neighbour code)",
                rng.random((8, 9, 10)) < 0.3, rng.random((8, 9, 10)) < 0.3, (1.1, 0.6, 1.4),
                1.0, 95.0))
    return out


def encode(value):
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def deepmind_values(sd, ref, cand, spacing, tolerance, percentile):
    s = sd.compute_surface_distances(mask_gt=ref, mask_pred=cand, spacing_mm=spacing)
    with np.errstate(all="ignore"):
        means = sd.compute_average_surface_distance(s)
        return {
            "hausdorff": sd.compute_robust_hausdorff(s, 100),
            "hd95": sd.compute_robust_hausdorff(s, percentile),
            "mean_reference_to_candidate": means[0],
            "mean_candidate_to_reference": means[1],
            "surface_dice": sd.compute_surface_dice_at_tolerance(s, tolerance),
            "dice": sd.compute_dice_coefficient(ref, cand),
        }


def segmetrics_values(sm, ref, cand, spacing):
    quality = sm.computeQualityMeasures(
        cand.astype(np.uint8),
        ref.astype(np.uint8),
        spacing=np.array(spacing, np.float64)[::-1],
        metrics_names={"dice", "jaccard", "hd", "hd95", "msd"},
        fullyConnected=True,
        label=1,
    )
    return {
        "dice": quality["dice"],
        "iou": quality["jaccard"],
        "hausdorff": quality["hd"],
        "hd95": quality["hd95"],
        "assd": quality["msd"],
    }


def _stub_unused_imports():
    for name in ("matplotlib", "matplotlib.pyplot", "tqdm", "medutils", "medutils.medutils"):
        try:
            importlib.import_module(name)
        except ImportError:
            module = types.ModuleType(name)
            for attr in ("tqdm", "load_itk", "get_gdth_pred_names", "one_hot_encode_3d"):
                setattr(module, attr, None)
            sys.modules[name] = module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deepmind", type=Path, help="checkout of google-deepmind/surface-distance")
    parser.add_argument("segmetrics", type=Path, help="seg-metrics 1.2.8 unpacked")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.deepmind.resolve()))
    sys.path.insert(0, str(args.segmetrics.resolve()))
    _stub_unused_imports()
    import SimpleITK
    from seg_metrics import seg_metrics as sm
    from surface_distance import lookup_tables
    from surface_distance import metrics as sd

    records, arrays = [], {}
    for i, (name, description, ref, cand, spacing, tau, p) in enumerate(pairs()):
        arrays[f"reference_{i}"] = ref
        arrays[f"candidate_{i}"] = cand
        values = {
            "deepmind": deepmind_values(sd, ref, cand, spacing, tau, p),
            "seg-metrics": segmetrics_values(sm, ref, cand, spacing),
        }
        records.append(
            {
                "index": i,
                "name": name,
                "description": description,
                "shape": list(ref.shape),
                "spacing": list(spacing),
                "tolerance": tau,
                "percentile": p,
                "values": {
                    lib: {k: encode(v) for k, v in vals.items()} for lib, vals in values.items()
                },
            }
        )
        print(f"{name:24s} deepmind hd95 {values['deepmind']['hd95']!s:>10.8}  "
              f"seg-metrics hd95 {values['seg-metrics']['hd95']!s:>10.8}")
    table = lookup_tables.create_table_neighbour_code_to_surface_area(TABLE_SPACING)
    data = {
        "about": "3-D oracle data of maskapp's compatibility view, written by make_compat_3d.py",
        "versions": {
            "deepmind": "google-deepmind/surface-distance@1f805cea",
            "seg-metrics": f"seg-metrics 1.2.8, SimpleITK {SimpleITK.Version_VersionString()}",
            "numpy": np.__version__,
        },
        "calls": {
            "deepmind": (
                "S = compute_surface_distances(mask_gt=reference, mask_pred=candidate, "
                "spacing_mm=spacing); hausdorff = compute_robust_hausdorff(S, 100), hd95 = "
                "compute_robust_hausdorff(S, percentile), mean_reference_to_candidate, "
                "mean_candidate_to_reference = compute_average_surface_distance(S), "
                "surface_dice = compute_surface_dice_at_tolerance(S, tolerance), dice = "
                "compute_dice_coefficient(reference, candidate)"
            ),
            "seg-metrics": (
                "computeQualityMeasures(candidate, reference, spacing=spacing[::-1], "
                "metrics_names={dice, jaccard, hd, hd95, msd}, fullyConnected=True) as "
                "write_metrics(labels=[1], ..., spacing=spacing) calls it: dice, iou = jaccard, "
                "hausdorff = hd, hd95, assd = msd"
            ),
        },
        "spacing": "numpy axis order (z, y, x)",
        "tolerances": {
            "deepmind": {"rtol": 1e-6, "atol": 1e-6},
            "seg-metrics": {"rtol": 1e-5, "atol": 1e-4},
        },
        "surface_area_table": {"spacing": list(TABLE_SPACING), "areas": table.tolist()},
        "pairs": records,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compat_3d.json").write_text(json.dumps(data, indent=1) + "\n")
    np.savez_compressed(args.out / "compat_3d.npz", **arrays)
    print(f"{len(records)} pairs written to {args.out}")


if __name__ == "__main__":
    main()
