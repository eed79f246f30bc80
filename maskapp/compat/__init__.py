"""What other libraries would report for the same pair — reproduced, never imported.

``maskapp.compare(..., compat=("medpy", "monai"))`` (or ``compat="all"``) adds
``Comparison.compat``: for each library, the value its standard call returns
for each key in maskapp's vocabulary (``dice``, ``iou``, ``hausdorff``,
``hd95``, ``assd``, ``asd``, ``masd``, ``surface_dice``, ``boundary_iou``,
``mean_reference_to_candidate``, ``mean_candidate_to_reference``; only those
the library reports). A value is a float (NaN and ±inf included) or the
string ``"raises <ExceptionName>"``. ``Comparison.compat_notes`` says in one
sentence why each value that differs from maskapp's own differs
(:mod:`maskapp.compat.notes`).

Each library has one module stating its calls and conventions:

=================  ==========================================================
``medpy``          MedPy 0.5.2 ``medpy.metric.binary`` (:mod:`.medpy`)
``monai``          MONAI 1.6 ``monai.metrics`` (:mod:`.monai`)
``deepmind``       DeepMind surface-distance, surface elements (:mod:`.deepmind`)
``metricsreloaded``  MetricsReloaded ``BinaryPairwiseMeasures`` (:mod:`.metricsreloaded`)
``seg-metrics``    seg-metrics 1.2.8 ``write_metrics`` (:mod:`.segmetrics`)
``torchmetrics``   torchmetrics 1.9 functional segmentation (:mod:`.torchmetrics`)
=================  ==========================================================

Everything is computed from maskapp's own boundary data: the distances the
surface family found (re-read), seg-metrics' thick boundary and DeepMind's
surface elements (one extra pass each over the box around both masks).

Examples
--------
>>> a = np.zeros((8, 8), bool); a[2:6, 2:6] = True
>>> values = compat_values(Inputs(a, np.zeros_like(a)), ("medpy", "seg-metrics"))
>>> values["medpy"]["hd95"], values["seg-metrics"]["hd95"]
('raises RuntimeError', 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from types import ModuleType

import numpy as np  # noqa: F401  (the doctests use it)

from . import deepmind, medpy, metricsreloaded, monai, segmetrics, torchmetrics
from .context import Inputs

#: Library name → module, in the order tables show them.
LIBRARIES: dict[str, ModuleType] = {
    module.NAME: module
    for module in (medpy, monai, deepmind, metricsreloaded, segmetrics, torchmetrics)
}

#: Every key any library reports, in table order.
KEYS = (
    "dice",
    "iou",
    "hausdorff",
    "hd95",
    "assd",
    "asd",
    "masd",
    "mean_reference_to_candidate",
    "mean_candidate_to_reference",
    "surface_dice",
    "boundary_iou",
)

Value = float | str


def resolve(libraries: str | Iterable[str] | None) -> tuple[str, ...]:
    """The library names asked for, checked: ``'all'``, ``'medpy,monai'`` or an iterable.

    Raises ``ValueError`` naming the unknown library and the known ones.

    >>> resolve("all")[:2], resolve("monai, medpy"), resolve(None)
    (('medpy', 'monai'), ('medpy', 'monai'), ())
    """
    if libraries is None:
        return ()
    names = libraries.split(",") if isinstance(libraries, str) else list(libraries)
    names = [str(n).strip().lower() for n in names if str(n).strip()]
    if "all" in names:
        return tuple(LIBRARIES)
    unknown = [n for n in names if n not in LIBRARIES]
    if unknown:
        raise ValueError(
            f"unknown library {unknown[0]!r}: choose from {', '.join(LIBRARIES)} or 'all'"
        )
    return tuple(n for n in LIBRARIES if n in names)


def compat_values(inputs: Inputs, libraries: Iterable[str]) -> dict[str, dict[str, Value]]:
    """Each library's values for the pair in ``inputs`` (names as :func:`resolve` returns)."""
    return {name: LIBRARIES[name].values(inputs) for name in libraries}


def encode(value: Value) -> float | str:
    """A value as JSON holds it: NaN and ±inf as ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.

    >>> encode(float("nan")), encode(-math.inf), encode(0.5), encode("raises RuntimeError")
    ('NaN', '-Infinity', 0.5, 'raises RuntimeError')
    """
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def decode(value: float | str) -> Value:
    """The inverse of :func:`encode` (strings other than the three stay strings)."""
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)


__all__ = [
    "KEYS",
    "LIBRARIES",
    "Inputs",
    "compat_values",
    "decode",
    "encode",
    "resolve",
]
