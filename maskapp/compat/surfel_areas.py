"""DeepMind's marching-cubes surface areas of the 256 cases of a 2×2×2 voxel cube.

The normals below are the values of ``_NEIGHBOUR_CODE_TO_NORMALS`` in
``surface_distance/lookup_tables.py`` of google-deepmind/surface-distance
(commit 1f805cea), Copyright 2018 Google Inc., licensed under the Apache
License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0); they are
re-encoded here, not otherwise changed. Each marching-cubes triangle of a
case is stored by the absolute values of its area vector's components in
eighths of a voxel face (``"111"`` is (1/8, 1/8, 1/8): the triangle cutting
off one corner); only the first 128 codes are written, code 255 − c having
the same triangles as c (checked against the original table when the oracle
data is made, ``tests/data/make_compat_3d.py``).

They are reused rather than derived: the area of a case whose polygon is not
planar depends on how it was split into triangles, and DeepMind's split (a
classic marching-cubes table) is neither the minimum-area one nor
recoverable from the cube's symmetry, so only the table itself reproduces
its numbers to the last digit.

A code is 128·v[0,0,0] + 64·v[0,0,1] + 32·v[0,1,0] + 16·v[0,1,1] + 8·v[1,0,0]
+ 4·v[1,0,1] + 2·v[1,1,0] + v[1,1,1] over the cube's eight voxels (1 =
foreground), as DeepMind's ``ENCODE_NEIGHBOURHOOD_3D_KERNEL``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_EIGHTHS = (
    "000,111,111,220 220,111,202 202,111 111,400 222 111,111,111 111,202 202,400 222 111,"
    "220 220,400 222 111,400 222 111,400 400,111,022 022,111 111,040 222 111,111 111,"
    "004 222 111,111 111 111,111 222 222 111,111 111,022 022 111,202 202 111,"
    "111 333 022 202,111 220 220,333 022 111 220,400 111 222 111,400 111 222,111,111 111,"
    "022 022,040 111 222,111 111,111 202 202,022 022 111,333 022 111 202,111 111,"
    "111 111 111,004 222 111,222 222 111 111,111 220 220,400 222 111 111,022 333 111 220,"
    "400 222 111,220 220,040 222 111,040 111 222,040 040,220 220 111,333 202 111 220,"
    "111 040 222 111,040 222 111,111 220 220,040 222 111 111,333 220 111 202,040 222 111,"
    "220 220 220 220,220 220 111,111 220 220,220 220,111,111 111,111 111,111 220 220,"
    "022 022,004 222 111,022 022 111,333 022 111 220,111 111,111 111 111,111 202 202,"
    "400 222 111 111,040 222 111,222 222 111 111,202 333 022 111,400 222 111,202 202,"
    "004 222 111,111 202 202,202 333 220 111,004 222 111,004 004,111 111 222 004,"
    "111 222 004,202 202 111,004 222 111 111,202 202 202 202,111 202 202,202 333 220 111,"
    "004 222 111,111 202 202,202 202,111 111,111 111 111,111 022 022,040 111 222 111,"
    "022 022 111,004 222 111 111,022 022 022 022,022 022 111,111 111 111,111 111 111 111,"
    "004 222 111 111,111 111 111,040 222 111 111,111 111 111,022 022 111,111 111,"
    "400 222 111,222 111 222 111,333 022 111 202,040 222 111,333 220 022 111,111 222 004,"
    "111 022 022,022 022,400 222 111 111,111 111 111,202 202 111,111 111,220 220 111,"
    "111 111,111 111,111"
)


@lru_cache(maxsize=1)
def normals() -> tuple[np.ndarray, ...]:
    """The 256 cases' triangle area vectors (absolute components, voxel units), by code."""
    half = [
        np.array([[int(d) for d in tri] for tri in case.split()], np.float64) / 8.0
        for case in "".join(_EIGHTHS).split(",")
    ]
    return tuple(half + half[::-1])


def surface_areas(spacing) -> np.ndarray:
    """Surface area through a cube, by its code, for voxels of ``spacing`` (3 numbers).

    As DeepMind's ``create_table_neighbour_code_to_surface_area``: each
    triangle's area vector is scaled by the products of the other two
    spacings and the norms are summed.

    >>> t = surface_areas((1.0, 1.0, 1.0))
    >>> t[[0, 1, 3, 15, 255]].round(6).tolist()
    [0.0, 0.216506, 0.707107, 1.0, 0.0]
    """
    s0, s1, s2 = (float(s) for s in spacing)
    scale = np.array([s1 * s2, s0 * s2, s0 * s1])
    table = np.zeros(256)
    for code, case in enumerate(normals()):
        scaled = case * scale
        table[code] = sum(float(np.linalg.norm(row)) for row in scaled)
    return table


__all__ = ["normals", "surface_areas"]
