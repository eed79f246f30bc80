"""Cost of the compatibility view, as a ratio within one run.

    python benchmarks/bench_compat.py [--size 4096] [--repeat 3] [--volume 256,256,128]

On the same pair of blobby 0/1 masks, ``compare(a, b)`` (overlap, distances,
objects) is timed against ``compare(a, b, compat="all")``, which adds the six
libraries' values: maskapp's boundary distances are re-read for MedPy, MONAI,
MetricsReloaded and torchmetrics; seg-metrics' thick boundary and DeepMind's
surface elements are the extra passes. The issue's budget is a ratio ≤ 1.5
at 4096². Also printed: the same with objects off (distances only), and the
compatibility step alone on a comparison already made. The 3-D line does the
same on a pair of blobby volumes (``--volume``, 256×256×128 by default; 0 to
skip), where DeepMind's surface elements (voxel-corner codes) and
seg-metrics' 26-neighbour contour are the extra passes over the union box.
Measured on 2 shared cores: 256×256×128, ratio 2.4–3.0 — over the 1.5 budget:
the codes and contours cost ~0.1 s, the four nearest-surface searches (~0.5 M
points each, a lattice ball then a KD-tree for the far ones) the rest.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage

from maskapp import compare
from maskapp.compat import with_compat


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def blob_pair(size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping blobby 0/1 uint8 masks: smooth noise zoomed up, the second shifted."""
    rng = np.random.default_rng(seed)
    small = ndimage.gaussian_filter(rng.random((64, 64)), 3)
    big = ndimage.zoom(small, size / 64, order=1)[:size, :size]
    a = (big > np.quantile(big, 0.6)).astype(np.uint8)
    noise = ndimage.zoom(rng.random((256, 256)), size / 256, order=1)[:size, :size]
    b = np.roll(a, (size // 200, -size // 300), axis=(0, 1)) ^ (noise > 0.985).astype(np.uint8)
    return a, b


def blob_volumes(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping blobby bool volumes: smooth noise zoomed up, the second shifted."""
    rng = np.random.default_rng(seed)
    small = ndimage.gaussian_filter(rng.random((32, 32, 16)), 2)
    big = ndimage.zoom(small, [n / m for n, m in zip(shape, small.shape, strict=True)], order=1)
    big = big[tuple(slice(0, n) for n in shape)]
    a = big > np.quantile(big, 0.6)
    b = np.roll(a, (2, -3, 1), axis=(0, 1, 2))
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--volume", default="256,256,128", help="3-D shape, or 0 to skip")
    parser.add_argument("--skip-2d", action="store_true", help="only the 3-D line")
    args = parser.parse_args()
    if args.volume != "0":
        shape = tuple(int(n) for n in args.volume.split(","))
        va, vb = blob_volumes(shape)
        opts = {"volume": True, "objects": False, "spacing": (2.0, 0.8, 0.8)}
        plain = best_of(lambda: compare(va, vb, **opts), args.repeat)
        both = best_of(lambda: compare(va, vb, compat="all", **opts), args.repeat)
        print(
            f"{'×'.join(map(str, shape))} blob volumes ({int(va.sum()):,} and {int(vb.sum()):,} "
            f"voxels): compare(objects=False) {plain:7.3f} s   + compat='all' {both:7.3f} s   "
            f"ratio {both / plain:5.2f}  (budget 1.50)"
        )
        result = compare(va, vb, **opts)
        for library in ("deepmind", "seg-metrics"):
            alone = best_of(lambda lib=library: with_compat(result, lib), args.repeat)
            print(f"  with_compat(result, {library!r}) alone: {alone:.3f} s")
    if args.skip_2d:
        return
    a, b = blob_pair(args.size)
    print(f"{args.size}² blobs: {int(a.sum()):,} and {int(b.sum()):,} foreground pixels")
    for objects in (True, False):
        plain = best_of(lambda o=objects: compare(a, b, objects=o), args.repeat)
        both = best_of(lambda o=objects: compare(a, b, objects=o, compat="all"), args.repeat)
        label = "compare" if objects else "compare(objects=False)"
        print(
            f"{label:24s} {plain:7.3f} s   + compat='all' {both:7.3f} s   "
            f"ratio {both / plain:5.2f}  (budget 1.50)"
        )
    result = compare(a, b, objects=False)
    alone = best_of(lambda: with_compat(result, "all"), args.repeat)
    print(f"with_compat(result, 'all') alone: {alone:.3f} s")


if __name__ == "__main__":
    main()
