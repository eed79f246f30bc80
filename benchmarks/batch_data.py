"""Seeded datasets of (reference, candidate) mask pairs for the batch tests and benchmark.

Every case is a few elliptical blobs (the reference) and a perturbed copy (the
candidate: shifted, grown or shrunk, sometimes with an extra island or a blob
missed), written as 8-bit 0/255 PNGs the way segmentation tools export them.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def case_masks(
    rng: np.random.Generator, shape: tuple[int, int], *, labels: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """One (reference, candidate) pair: bool masks, or uint8 label maps if ``labels``."""
    rows, cols = shape
    r, c = np.ogrid[:rows, :cols]
    reference = np.zeros(shape, np.uint8)
    candidate = np.zeros(shape, np.uint8)
    for blob in range(int(rng.integers(1, 4))):
        value = 1 if not labels else int(rng.integers(1, labels + 1))
        cy, cx = rng.uniform(0.2, 0.8) * rows, rng.uniform(0.2, 0.8) * cols
        ry, rx = rng.uniform(0.05, 0.2) * rows, rng.uniform(0.05, 0.2) * cols
        reference[((r - cy) / ry) ** 2 + ((c - cx) / rx) ** 2 <= 1] = value
        if rng.random() < 0.05 and blob:
            continue  # the candidate misses this blob
        dy, dx = rng.normal(0, 0.02 * rows), rng.normal(0, 0.02 * cols)
        grow = rng.uniform(0.85, 1.15)
        inside = ((r - cy - dy) / (ry * grow)) ** 2 + ((c - cx - dx) / (rx * grow)) ** 2 <= 1
        candidate[inside] = value if rng.random() > 0.1 or not labels else max(1, value - 1)
    if rng.random() < 0.3:  # a false-positive island
        y, x = int(rng.integers(0, rows - rows // 10)), int(rng.integers(0, cols - cols // 10))
        candidate[y : y + rows // 20, x : x + cols // 20] = 1
    if not labels:
        return reference.astype(bool), candidate.astype(bool)
    return reference, candidate


def png(mask: np.ndarray) -> bytes:
    """8-bit PNG bytes: 0/255 for a bool mask, the labels as grey values otherwise."""
    array = mask.astype(np.uint8) * 255 if mask.dtype == bool else mask.astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def write_dataset(
    root: Path,
    n: int,
    shape: tuple[int, int],
    *,
    seed: int = 0,
    labels: int = 0,
    reference_dir: str = "reference",
    candidate_dir: str = "candidate",
) -> tuple[Path, Path]:
    """Write ``n`` pairs under ``root``; returns the two folders. Reused when already there."""
    references, candidates = root / reference_dir, root / candidate_dir
    done = root / f".complete-{n}-{shape[0]}x{shape[1]}-{seed}-{labels}"
    if done.exists():
        return references, candidates
    references.mkdir(parents=True, exist_ok=True)
    candidates.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        reference, candidate = case_masks(rng, shape, labels=labels)
        (references / f"case_{i:05d}.png").write_bytes(png(reference))
        (candidates / f"case_{i:05d}.png").write_bytes(png(candidate))
    done.touch()
    return references, candidates
