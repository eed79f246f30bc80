"""A 5-label 512×512×300 pair at 0.8×0.8×2.5 mm: read + overlap + per-class + HD95/ASSD per class.

Budget (issue 11): ≤ 3 s and ≤ +300 MB on 2 cores for maskapp's whole comparison
(``compare(a.nii.gz, b.nii.gz, kind='labels', objects=False)``: reading both
files, overlap, the per-class table, binary and per-class boundary distances).
In the same run, MedPy's ``hd``, ``hd95`` and ``assd`` with ``voxelspacing`` per
class (on nibabel's arrays) give the same numbers, and the ratios are printed.

    python benchmarks/bench_volumes.py [--size 512 512 300] [--no-medpy] [--deepmind CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np
from scipy import ndimage

from peak_memory import PeakMemory

SPACING_IJK = (0.8, 0.8, 2.5)
# The checkout this file is in, not whichever maskapp is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_pair(size: tuple[int, int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Five organ-like labels (smooth blobs of different sizes); the candidate is perturbed."""
    rng = np.random.default_rng(seed)
    x, y, z = size
    ref = np.zeros(size, np.uint8)
    centres = [(0.5, 0.5, 0.5, 0.22), (0.3, 0.4, 0.4, 0.12), (0.7, 0.4, 0.6, 0.1),
               (0.5, 0.7, 0.3, 0.08), (0.4, 0.3, 0.7, 0.05)]  # fmt: skip
    gi, gj, gk = np.ogrid[:x, :y, :z]
    for label, (cx, cy, cz, r) in enumerate(centres, start=1):
        d = ((gi / x - cx) / r) ** 2 + ((gj / y - cy) / r) ** 2 + ((gk / z - cz) / (1.3 * r)) ** 2
        ref[d <= 1.0] = label
    noise = ndimage.gaussian_filter(rng.random(((x + 7) // 8, (y + 7) // 8, (z + 7) // 8)), 1.0)
    shift = ndimage.zoom(noise > 0.5, (8, 8, 8), order=0)[:x, :y, :z]
    cand = ref.copy()
    cand[1:] = np.where(shift[1:], ref[:-1], ref[1:])  # boundaries moved by one voxel in places
    return ref, cand


def deepmind_baseline(checkout: str, paths, result, elapsed: float, mb) -> None:
    """DeepMind's compute_surface_distances on the largest class alone, time and memory.

    Its numbers differ by definition (surface elements on the voxel-corner lattice,
    area-weighted percentiles: see the README's compatibility table), so only the cost
    is compared; maskapp's figure is the whole comparison of every class.
    """
    sys.path.insert(0, checkout)
    import surface_distance

    a = np.asanyarray(nib.load(paths[0]).dataobj)
    b = np.asanyarray(nib.load(paths[1]).dataobj)
    labels = [c.label for c in result.class_distances.classes]
    counts = np.bincount(a.ravel(), minlength=max(labels) + 1)
    label = max(labels, key=lambda v: counts[v])
    ra, rb = a == label, b == label
    del a, b
    with PeakMemory() as peak:
        start = time.perf_counter()
        s = surface_distance.compute_surface_distances(ra, rb, SPACING_IJK)
        hd95 = surface_distance.compute_robust_hausdorff(s, 95)
        seconds = time.perf_counter() - start
    print(f"DeepMind surface-distance, class {label} alone: {seconds:.2f} s, "
          f"+{peak.extra_mb or 0:.0f} MB peak (its HD95 {hd95:.3f} mm, surface elements)")
    deepmind_mb = peak.extra_mb or 0
    from maskapp.surface import surface_distances

    with PeakMemory() as peak:
        start = time.perf_counter()
        ours = surface_distances(ra, rb, spacing=SPACING_IJK)  # the arrays are (i, j, k)
        own_s = time.perf_counter() - start
    own_mb = max(peak.extra_mb or 0, 1)
    print(f"maskapp surface_distances, the same class: {own_s:.2f} s, +{own_mb:.0f} MB peak "
          f"(HD95 {ours.hd95:.3f} mm, voxel-centre boundaries)")
    print(f"DeepMind / maskapp on that class: {seconds / own_s:.1f}× the time, "
          f"{deepmind_mb / own_mb:.1f}× the memory (target ≥ 5× both); against maskapp's "
          f"whole comparison of every class incl. reading: {seconds / elapsed:.1f}× the time, "
          f"{deepmind_mb / max(mb or 1, 1):.1f}× the memory")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, nargs=3, default=(512, 512, 300))
    parser.add_argument("--no-medpy", action="store_true")
    parser.add_argument(
        "--deepmind",
        metavar="CHECKOUT",
        help="a checkout of google-deepmind/surface-distance (its PyPI 0.1 fails on numpy 2): "
        "time it on the largest class as a second baseline",
    )
    args = parser.parse_args(argv)
    from maskapp import compare

    size = tuple(args.size)
    ref, cand = make_pair(size)
    affine = np.diag([*SPACING_IJK, 1.0])
    folder = Path(tempfile.mkdtemp())
    paths = []
    for name, data in (("reference", ref), ("candidate", cand)):
        path = folder / f"{name}.nii.gz"
        nib.save(nib.Nifti1Image(data, affine), path)
        paths.append(path)
    del ref, cand
    print(f"{'×'.join(map(str, size))} uint8, 5 labels, {SPACING_IJK} mm, {os.cpu_count()} cores")
    print(f"files: {sum(p.stat().st_size for p in paths) / 2**20:.1f} MB (.nii.gz)")

    # Warm-up on a tiny pair (imports) — not on this one, whose freed memory the
    # allocator would keep and hide from the peak below.
    tiny = np.zeros((4, 4, 4), np.uint8)
    tiny[1:3, 1:3, 1:3] = 1
    compare(tiny, tiny, kind="labels", volume=True, spacing=(1, 1, 1), objects=False)
    with PeakMemory() as peak:
        start = time.perf_counter()
        result = compare(*paths, kind="labels", objects=False)
        elapsed = time.perf_counter() - start
    mb = peak.extra_mb
    print(f"maskapp compare (read + overlap + per-class + distances): {elapsed:.2f} s, "
          f"+{mb:.0f} MB peak" if mb is not None else f"{elapsed:.2f} s")  # fmt: skip
    for c in result.class_distances.classes:
        print(f"  class {c.label}: Dice {result.classes.classes[c.label].dice:.4f}  "
              f"HD95 {c.hd95:.3f} mm  ASSD {c.assd:.4f} mm")  # fmt: skip
    verdict = "within" if elapsed <= 3 and (mb or 0) <= 300 else "OVER"
    print(f"budget ≤ 3 s and ≤ +300 MB: {verdict}")

    if args.deepmind:
        deepmind_baseline(args.deepmind, paths, result, elapsed, mb)
    if args.no_medpy:
        return 0
    try:
        from medpy.metric import binary as medpy
    except ImportError:
        print("MedPy not installed: no baseline")
        return 0
    # MedPy on nibabel's (x, y, z) arrays with zooms as voxelspacing, pooled HD95
    # (its definition): compare maskapp with hd95='pooled'.
    pooled = compare(*paths, kind="labels", objects=False, hd95="pooled")
    a = np.asanyarray(nib.load(paths[0]).dataobj)
    b = np.asanyarray(nib.load(paths[1]).dataobj)
    zooms = nib.load(paths[0]).header.get_zooms()[:3]
    start = time.perf_counter()
    worst = 0.0
    for c in pooled.class_distances.classes:
        ra, rb = a == c.label, b == c.label
        values = (medpy.hd95(rb, ra, zooms), medpy.assd(rb, ra, zooms))
        worst = max(worst, abs(values[0] - c.hd95), abs(values[1] - c.assd))
    medpy_s = time.perf_counter() - start
    print(f"MedPy hd95 + assd per class (distances only, arrays already read): {medpy_s:.1f} s")
    print(f"largest |maskapp − MedPy| over classes: {worst:.2e} mm")
    print(f"ratio MedPy / maskapp (whole comparison incl. reading): {medpy_s / elapsed:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
