"""Speed of the overlap statistics and of reading masks, as ratios within one run.

    python benchmarks/bench_overlap.py [--sizes 1024 4096 8192] [--repeat 7]

Baselines measured in the same process on the same 0/1 ``uint8`` masks (what
decoding a PNG gives):

- floor: numpy reading both masks once, ``np.count_nonzero(a) + np.count_nonzero(b)``;
- seed: the classic ``(a * b).sum()``, ``a.sum()``, ``b.sum()``;
- logical: ``np.count_nonzero(np.logical_and(a, b))`` plus both counts.

``compare(..., distances=False, objects=False)`` computes every overlap
statistic (areas, TP/FP/FN/TN, 11 ratios, centroids, bounding boxes).
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from PIL import Image
from scipy import ndimage

from maskapp import compare, read_mask


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def blob_pair(size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping blobby 0/1 uint8 masks (smooth noise, zoomed up cheaply)."""
    rng = np.random.default_rng(seed)
    small = ndimage.gaussian_filter(rng.random((256, 256)), 4)
    a = ndimage.zoom(small, size / 256, order=1) > np.quantile(small, 0.7)
    shifted = np.roll(a, (size // 100, -size // 120), axis=(0, 1))
    b = shifted | (rng.random((size, size)) < 0.001)
    return a.astype(np.uint8), b.astype(np.uint8)


def bench_overlap(sizes: list[int], repeat: int) -> None:
    print("Overlap statistics on 0/1 uint8 masks (best of", repeat, "runs)")
    header = (
        f"{'size':>6} {'floor ms':>9} {'seed ms':>8} {'compare ms':>10} "
        f"{'compare/floor':>13} {'seed/compare':>12} {'logical/floor':>13} {'seed/floor':>10}"
    )
    print(header)
    for size in sizes:
        a, b = blob_pair(size)
        floor = best_of(lambda a=a, b=b: (np.count_nonzero(a), np.count_nonzero(b)), repeat)
        seed = best_of(lambda a=a, b=b: ((a * b).sum(), a.sum(), b.sum()), repeat)
        logical = best_of(
            lambda a=a, b=b: (
                np.count_nonzero(np.logical_and(a, b)),
                np.count_nonzero(a),
                np.count_nonzero(b),
            ),
            repeat,
        )
        ours = best_of(lambda a=a, b=b: compare(a, b, distances=False, objects=False), repeat)
        result = compare(a, b, distances=False, objects=False)
        assert result.overlap.tp == int((a.astype(bool) & b.astype(bool)).sum())
        print(
            f"{size:>6} {floor * 1e3:>9.1f} {seed * 1e3:>8.1f} {ours * 1e3:>10.1f} "
            f"{ours / floor:>13.2f} {seed / ours:>12.2f} {logical / floor:>13.2f} "
            f"{seed / floor:>10.2f}"
        )


def bench_read(size: int, repeat: int) -> None:
    print(f"\nread_mask on {size}×{size} PNGs (best of {repeat} runs)")
    a, _ = blob_pair(size)
    for mode, image in (
        ("1-bit", Image.fromarray(a.astype(bool))),
        ("8-bit 0/255", Image.fromarray(a * np.uint8(255))),
        ("8-bit 0/1", Image.fromarray(a)),
    ):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data = buffer.getvalue()
        pil_only = best_of(
            lambda data=data: np.asarray(Image.open(io.BytesIO(data)).convert("L")), repeat
        )
        ours = best_of(lambda data=data: read_mask(data), repeat)
        print(
            f"  {mode:<12} {len(data) / 1e6:6.2f} MB  Pillow decode {pil_only * 1e3:7.1f} ms"
            f"  read_mask {ours * 1e3:7.1f} ms  ratio {ours / pil_only:5.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 4096, 8192])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--read-size", type=int, default=8192)
    args = parser.parse_args()
    bench_overlap(args.sizes, args.repeat)
    bench_read(args.read_size, max(3, args.repeat // 2))


if __name__ == "__main__":
    main()
