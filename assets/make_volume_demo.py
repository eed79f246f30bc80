"""Build the app's 3-D demo case: two 3-label NIfTI volumes at anisotropic spacing.

    python assets/make_volume_demo.py

Writes ``volume_reference.nii.gz`` and ``volume_candidate.nii.gz`` next to this
script (together well under 1 MB; the outputs are committed). The grid is
96 × 96 × 48 voxels (i × j × k) at 0.8 × 0.8 × 2.5 mm, RAS, as a CT with thick
axial slices would store it. Labels, drawn analytically (no randomness):

- 1 "liver": a large ellipsoid; the candidate's is shifted 2 voxels along i,
- 2 "kidney": a smaller ellipsoid; the candidate's is eroded by one voxel and
  misses its last four axial slices (a slice-wise failure the Dice strip shows),
- 3 "lesion": a small sphere inside the liver; the candidate has it, plus a
  false blob of label 3 elsewhere (FP, far from the reference: it holds the
  Hausdorff pair).

The voxels are the same on every run; the gzip stream carries no time stamp
(``mtime=0``), so the bytes are too, for one zlib build.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import nibabel as nib
import numpy as np

HERE = Path(__file__).resolve().parent
SIZE_IJK = (96, 96, 48)
SPACING_IJK = (0.8, 0.8, 2.5)
NAMES = {1: "liver", 2: "kidney", 3: "lesion"}


def _ellipsoid(centre: tuple[float, float, float], radii_mm: tuple[float, float, float]):
    """A boolean (i, j, k) ellipsoid given in millimetres, so it looks round at any spacing."""
    i, j, k = np.ogrid[: SIZE_IJK[0], : SIZE_IJK[1], : SIZE_IJK[2]]
    terms = [
        ((axis - c) * s / r) ** 2
        for axis, c, s, r in zip((i, j, k), centre, SPACING_IJK, radii_mm, strict=True)
    ]
    return terms[0] + terms[1] + terms[2] <= 1.0


def volumes() -> tuple[np.ndarray, np.ndarray]:
    """The reference and candidate label volumes in file order (i, j, k), uint8."""
    reference = np.zeros(SIZE_IJK, np.uint8)
    candidate = np.zeros(SIZE_IJK, np.uint8)
    liver = _ellipsoid((40, 50, 24), (22, 26, 45))
    reference[liver] = 1
    candidate[np.roll(liver, 2, axis=0)] = 1
    kidney = _ellipsoid((72, 38, 22), (9, 12, 30))
    reference[kidney] = 2
    eroded = _ellipsoid((72, 38, 22), (8.2, 11.2, 27.5))
    eroded[:, :, 30:] = False  # the candidate misses the kidney's upper slices
    candidate[eroded] = 2
    lesion = _ellipsoid((36, 54, 26), (5, 5, 6))
    reference[lesion] = 3
    candidate[_ellipsoid((37, 54, 26), (5, 5, 6))] = 3
    candidate[_ellipsoid((70, 75, 12), (4, 4, 5))] = 3  # a false lesion
    return reference, candidate


def nifti_bytes(array: np.ndarray) -> bytes:
    """A .nii.gz of ``array`` (i, j, k) at the demo's spacing, RAS, gzip without a time stamp."""
    image = nib.Nifti1Image(array, np.diag([*SPACING_IJK, 1.0]))
    image.header.set_xyzt_units("mm")
    return gzip.compress(image.to_bytes(), compresslevel=9, mtime=0)


def main() -> None:
    reference, candidate = volumes()
    for name, array in (("reference", reference), ("candidate", candidate)):
        path = HERE / f"volume_{name}.nii.gz"
        path.write_bytes(nifti_bytes(array))
        print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
