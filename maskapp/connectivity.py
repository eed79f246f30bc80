"""Neighbourhoods in 2-D and 3-D: the one home of what "connectivity" means.

A connectivity is written as the number of neighbours a pixel or voxel has:
4 (edges) or 8 (edges and corners) in 2-D; 6 (faces), 18 (faces and edges)
or 26 (faces, edges and corners) in 3-D. It is the ``rank`` of
:func:`scipy.ndimage.generate_binary_structure` (MedPy's ``connectivity``):
rank 1 is the face-connected cross, rank ``ndim`` the full square or cube.

The 2-D values stand for their kind in 3-D, so one option works for images
and volumes: 4 (the cross) means 6, and 8 (every neighbour) means 26. The
defaults therefore give the face cross for boundaries and full connectivity
for objects in both. The options also take words, for any dimension:
``'face'`` (rank 1: 4 or 6), ``'edge'`` (rank 2: 8 or 18) and ``'vertex'``
(every neighbour: 8 or 26).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .errors import MaskError

#: Valid values, by number of dimensions.
CONNECTIVITIES = {2: (4, 8), 3: (6, 18, 26)}

#: Words an option may use, for images and volumes alike.
WORDS = ("face", "edge", "vertex")

_RANKS = {2: {4: 1, 8: 2}, 3: {6: 1, 18: 2, 26: 3, 4: 1, 8: 3}}


def check_connectivity(value: object, what: str = "connectivity") -> int | str:
    """``value`` if it is 4, 8 or one of :data:`WORDS`, else :class:`MaskError`.

    >>> check_connectivity(8), check_connectivity("edge")
    (8, 'edge')
    """
    if isinstance(value, str) and value in WORDS:
        return value
    if isinstance(value, bool) or value not in (4, 8):
        raise MaskError(
            f"The {what} must be 4 or 8, not {value!r} (volumes also take 'face', 'edge' or "
            "'vertex': 6, 18 or 26 neighbours); choose one of them."
        )
    return int(value)  # type: ignore[arg-type]


def rank(connectivity: int, ndim: int) -> int:
    """The structuring-element rank of ``connectivity`` in ``ndim`` dimensions.

    Raises ``ValueError`` for a value that has no meaning there (6/18/26 in 2-D).

    >>> rank(4, 2), rank(8, 2), rank(6, 3), rank(18, 3), rank(8, 3)
    (1, 2, 1, 2, 3)
    """
    if isinstance(connectivity, str) and connectivity in WORDS:
        return min(WORDS.index(connectivity) + 1, ndim)
    try:
        return _RANKS[ndim][connectivity]
    except (KeyError, TypeError):
        valid = " or ".join(str(c) for c in CONNECTIVITIES.get(ndim, ()))
        raise ValueError(
            f"connectivity must be {valid} in {ndim}-D, not {connectivity!r}"
        ) from None


def effective(connectivity: int, ndim: int) -> int:
    """The neighbour count ``connectivity`` stands for in ``ndim`` dimensions.

    >>> effective(4, 3), effective(8, 3), effective("edge", 3), effective("vertex", 2)
    (6, 26, 18, 8)
    """
    return {1: 2 * ndim, 2: 8 if ndim == 2 else 18, 3: 26}[rank(connectivity, ndim)]


def structure(connectivity: int, ndim: int) -> np.ndarray:
    """The 3×3 (×3) bool structuring element of ``connectivity``."""
    return ndimage.generate_binary_structure(ndim, rank(connectivity, ndim))


def describe(connectivity: int, ndim: int) -> str:
    """In words: ``"the 6-connected cross"``, ``"the 3×3×3 cube"`` …"""
    n = effective(connectivity, ndim)
    words = {
        4: "the 4-connected cross",
        8: "the 3×3 square",
        6: "the 6-connected cross (faces)",
        18: "the 18-connected neighbourhood (faces and edges)",
        26: "the 3×3×3 cube",
    }
    return words[n]


def check_for(connectivity: int, ndim: int, what: str) -> int:
    """:func:`effective`, or a :class:`MaskError` naming the option (6/18/26 on an image)."""
    try:
        return effective(connectivity, ndim)
    except ValueError:
        raise MaskError(
            f"The {what} {connectivity} is for volumes; 2-D masks take 4 or 8."
        ) from None
