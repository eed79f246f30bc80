"""The void (ignore) label and the policy that says which pixels it removes.

PASCAL VOC marks object borders and unlabelled pixels 255 in the reference;
those pixels count in no statistic. Every part of maskapp that needs the
rule — the per-class joint histogram, the binary foreground of a label map,
the overlay figures, the CLI's intersection — asks this module.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .errors import MaskError

#: The void label when none is given (PASCAL VOC, Cityscapes' ignore id).
DEFAULT_VOID = 255

VoidPolicy = Literal["reference", "either"]
#: ``'reference'``: pixels where the reference is void are ignored (VOC,
#: torchmetrics, scikit-image); ``'either'``: pixels where either map is void.
VOID_POLICIES: tuple[VoidPolicy, ...] = ("reference", "either")


def check_void_policy(policy: str) -> VoidPolicy:
    """The policy if it is one of :data:`VOID_POLICIES`, else :class:`MaskError`."""
    if policy not in VOID_POLICIES:
        raise MaskError(
            f"The void policy must be 'reference' or 'either', not {policy!r}; choose one of them."
        )
    return policy  # type: ignore[return-value]


def check_void(void: object) -> int | None:
    """A void label as an int ≥ 1 (or None for none), else :class:`MaskError`.

    0 is the background class, so it cannot also be void.

    >>> check_void("255"), check_void(None), check_void(3)
    (255, None, 3)
    """
    if void is None:
        return None
    try:
        value = int(str(void).strip())
    except ValueError:
        value = -1
    if value < 1 or value >= 2**31 or (isinstance(void, float) and not float(void).is_integer()):
        raise MaskError(
            f"The void label must be a whole number ≥ 1 (0 is the background) or none, "
            f"not {void!r}; VOC uses {DEFAULT_VOID}."
        )
    return value


def parse_void(text: str) -> int | None:
    """A void label typed by a person: a number, or ``''`` / ``'none'`` / ``'off'`` for none.

    >>> parse_void(" 255 "), parse_void("none"), parse_void("")
    (255, None, None)
    """
    if text.strip().lower() in ("", "none", "off"):
        return None
    return check_void(text)


def ignored(
    reference: np.ndarray, candidate: np.ndarray, void: int | None, policy: VoidPolicy
) -> np.ndarray | None:
    """Bool map of the pixels the policy ignores, or None when nothing can be void."""
    if void is None:
        return None
    out = reference == void
    if policy == "either":
        out |= candidate == void
    return out


def label_foreground(
    reference: np.ndarray, candidate: np.ndarray, void: int | None, policy: VoidPolicy
) -> tuple[np.ndarray, np.ndarray, int]:
    """Binary foreground of two label maps (any class but background 0), void removed.

    Ignored pixels are set to background in both masks and their number is
    returned, so the overlap statistics can leave them out of TN. A candidate
    pixel marked void where the reference has a class has not found it:
    background in the binary view, as the per-class table counts it.

    >>> r, c, n = label_foreground(np.array([1, 255, 2]), np.array([255, 1, 2]), 255, "reference")
    >>> r.tolist(), c.tolist(), n
    ([True, False, True], [False, False, True], 1)
    """
    ref_fg = reference != 0
    cand_fg = candidate != 0
    skip = ignored(reference, candidate, void, policy)
    if skip is None:
        return ref_fg, cand_fg, 0
    cand_fg &= candidate != void
    ref_fg &= ~skip
    cand_fg &= ~skip
    return ref_fg, cand_fg, int(np.count_nonzero(skip))
