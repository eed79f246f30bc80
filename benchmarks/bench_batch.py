"""Benchmark ``maskapp batch`` against baselines measured in the same run.

    python benchmarks/bench_batch.py               # 1,000 pairs of 1024² (the issue's set)
    python benchmarks/bench_batch.py --pairs 200   # quicker
    python benchmarks/bench_batch.py --rss         # + peak RSS at 1,000 and 10,000 pairs (256²)

A seeded dataset of 8-bit 0/255 PNG pairs is generated once (cached under
``--data``). Printed, each as seconds and as a ratio:

- **decode floor**: Pillow decoding every PNG to a numpy array on the same
  number of worker processes, nothing else: no evaluator can beat it;
- **nnU-Net-style**: the same pool computing TP/FP/FN, Dice and IoU with
  numpy per pair (what nnU-Net v2's ``compute_metrics_on_folder`` does for one
  label); the issue measured nnU-Net itself at 7.3 s for 1,000 pairs here;
- **MedPy route**: ``dc`` + ``hd95`` + ``assd`` per pair on a sample, scaled to
  the whole set (skipped when MedPy is not installed);
- maskapp: overlap statistics only, then with distances and objects, on the
  process pool and on ``--dask local``.

Targets (issue 10): overlap within 1.15× of the decode floor; with distances
and objects ≤ 9 s for 1,000 pairs of 1024² on 2 cores; Dask within 1.15× of
the pool; peak RSS flat between 1,000 and 10,000 pairs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from batch_data import write_dataset
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from maskapp.batch import evaluate, pair_locations  # noqa: E402
from maskapp.batch.runners import usable_cores  # noqa: E402
from maskapp.pair import Options  # noqa: E402
from maskapp.parallel import set_mmap_threshold  # noqa: E402


def _worker_setup() -> None:
    """Baseline workers get the allocator setting maskapp's batch workers use, so the
    floor measures decoding, not glibc returning each freed array to the OS."""
    set_mmap_threshold(32 * 2**20)


def _decode(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with Image.open(path) as im:
            total += np.asarray(im).shape[0]
    return total


def _nnunet_style(pairs: list[tuple[str, str]]) -> float:
    out = 0.0
    for ref, cand in pairs:
        with Image.open(ref) as a, Image.open(cand) as b:
            reference, candidate = np.asarray(a) > 0, np.asarray(b) > 0
        tp = np.count_nonzero(reference & candidate)
        fp = np.count_nonzero(~reference & candidate)
        fn = np.count_nonzero(reference & ~candidate)
        out += 2 * tp / max(2 * tp + fp + fn, 1) + tp / max(tp + fp + fn, 1)
    return out


def _chunks(items: list, n: int) -> list[list]:
    size = max(1, len(items) // (n * 8))
    return [items[i : i + size] for i in range(0, len(items), size)]


def timed(label: str, fn, baseline: float | None = None, note: str = "", repeat: int = 2) -> float:
    """The best of ``repeat`` runs (the first warms the page cache and the workers)."""
    seconds = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds = min(seconds, time.perf_counter() - start)
    ratio = f"{seconds / baseline:5.2f}× the decode floor" if baseline else ""
    print(f"  {label:<44} {seconds:7.2f} s  {ratio} {note}".rstrip(), flush=True)
    return seconds


def peak_rss_of(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB summed over the process and its children)."""
    import psutil

    start = time.perf_counter()
    proc = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [proc, *proc.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    proc.wait()
    stop.set()
    watcher.join()
    return time.perf_counter() - start, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "maskapp-bench"))
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--rss", action="store_true", help="also measure peak RSS vs pairs")
    args = parser.parse_args()
    workers = args.workers or usable_cores()
    shape = (args.size, args.size)
    root = Path(args.data) / f"{args.pairs}-{args.size}"
    print(f"maskapp batch benchmark: {args.pairs} pairs of {args.size}², {workers} workers, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}", flush=True)
    t = time.perf_counter()
    references, candidates = write_dataset(root, args.pairs, shape, seed=0)
    print(f"  dataset ready in {time.perf_counter() - t:.1f} s ({root})", flush=True)
    names = sorted(p.name for p in references.iterdir())
    pairs = [(str(references / n), str(candidates / n)) for n in names]
    every = [p for pair in pairs for p in pair]

    with ProcessPoolExecutor(workers, initializer=_worker_setup) as pool:
        list(pool.map(_decode, _chunks(every[: 4 * workers], workers)))  # start the workers
        floor = timed("decode floor (Pillow → numpy, pool)",
                      lambda: list(pool.map(_decode, _chunks(every, workers))))
        timed("nnU-Net-style Dice/IoU (numpy, pool)",
              lambda: list(pool.map(_nnunet_style, _chunks(pairs, workers))), floor,
              "(nnU-Net v2 itself: 7.3 s for 1,000 pairs, quoted)")

    try:
        from medpy.metric import binary as medpy_binary

        sample = pairs[:: max(1, len(pairs) // 20)]

        def medpy_route() -> None:
            for ref, cand in sample:
                a, b = (np.asarray(Image.open(p)) > 0 for p in (ref, cand))
                medpy_binary.dc(b, a)
                if a.any() and b.any():
                    medpy_binary.hd95(b, a)
                    medpy_binary.assd(b, a)

        start = time.perf_counter()
        medpy_route()
        per_pair = (time.perf_counter() - start) / len(sample)
        print(f"  {'MedPy dc + hd95 + assd, one process':<44} {per_pair * len(pairs):7.2f} s  "
              f"{per_pair * len(pairs) / floor:5.2f}× the decode floor "
              f"(scaled from {len(sample)} pairs: {per_pair * 1000:.0f} ms a pair)", flush=True)
    except ImportError:
        print("  MedPy not installed: its route is skipped")

    pairing = pair_locations(str(references), str(candidates))
    overlap_only = Options(distances=False, objects=False)
    full = Options()
    pool_overlap = timed("maskapp overlap only (pool)",
                         lambda: evaluate(pairing, overlap_only, workers=workers), floor)
    pool_full = timed("maskapp + distances + objects (pool)",
                      lambda: evaluate(pairing, full, workers=workers), floor)
    print(f"    overlap vs the decode floor: {pool_overlap / floor:.2f}× (target ≤ 1.15×); "
          f"full run {pool_full:.2f} s (target ≤ 9 s for 1,000 pairs of 1024²)")
    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=40) as cluster:
            started = timed("maskapp + distances + objects (Dask, started)",
                            lambda: evaluate(pairing, full, dask=cluster.scheduler_address),
                            floor, f"({workers} one-thread workers)")
        cold = timed("maskapp + distances + objects (--dask local)",
                     lambda: evaluate(pairing, full, workers=workers, dask="local"), floor,
                     "(starts and stops its cluster)")
        print(f"    Dask vs the pool: {started / pool_full:.2f}× on a running cluster, "
              f"{cold / pool_full:.2f}× with --dask local's start (target ≤ 1.15×)")

    if args.rss:
        print("  peak RSS of `maskapp batch` (process + workers), 256² pairs:")
        for n in (1000, 10000):
            refs, cands = write_dataset(Path(args.data) / f"{n}-256", n, (256, 256), seed=1)
            seconds, mb = peak_rss_of([
                sys.executable, "-m", "maskapp", "batch", str(refs), str(cands), "--quiet",
                "--workers", str(workers), "--json", os.devnull,
            ])
            print(f"    {n:>6} pairs: {mb:6.0f} MB peak, {seconds:6.1f} s", flush=True)


if __name__ == "__main__":
    main()
