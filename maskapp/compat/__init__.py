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
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np  # noqa: F401  (the doctests use it)

from ..errors import MaskError
from . import deepmind, medpy, metricsreloaded, monai, segmetrics, torchmetrics
from .context import Inputs
from .notes import OWN, explain, situation, warnings

if TYPE_CHECKING:
    from ..compare import Comparison

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

    Raises :class:`~maskapp.MaskError` (a ``ValueError``) naming the unknown
    library and the known ones.

    >>> resolve("all")[:2], resolve("monai, medpy"), resolve(None)
    (('medpy', 'monai'), ('medpy', 'monai'), ())
    """
    if libraries is None:
        return ()
    names = libraries.split(",") if isinstance(libraries, str) else list(libraries)
    names = [str(n).strip().lower() for n in names if str(n).strip()]
    if not names:
        raise MaskError(
            f"Name at least one library for the compatibility view: {', '.join(LIBRARIES)} "
            "or 'all'."
        )
    if "all" in names:
        return tuple(LIBRARIES)
    unknown = [n for n in names if n not in LIBRARIES]
    if unknown:
        raise MaskError(
            f"Unknown library {unknown[0]!r} for the compatibility view; choose from "
            f"{', '.join(LIBRARIES)} or 'all'."
        )
    return tuple(n for n in LIBRARIES if n in names)


def compat_values(inputs: Inputs, libraries: Iterable[str]) -> dict[str, dict[str, Value]]:
    """Each library's values for the pair in ``inputs`` (names as :func:`resolve` returns)."""
    return {name: LIBRARIES[name].values(inputs) for name in libraries}


def inputs_of(result: Comparison) -> Inputs:
    """The :class:`Inputs` of a comparison: its foreground, options and boundary distances."""
    if result.pair is None:
        raise ValueError("this Comparison keeps no pair (built by hand)")
    reference, candidate = result.pair.foreground
    options = result.options
    return Inputs(
        reference,
        candidate,
        spacing=tuple(options.get("spacing", (1.0, 1.0))),
        tolerance=float(options.get("tolerance", 1.0)),
        boundary_width=float(options.get("boundary_width", 2.0)),
        percentile=float(options.get("percentile", 95.0)),
        surface=None if result.surface is None else result.surface.boundary_distances,
    )


def own_values(result: Comparison) -> dict[str, float]:
    """maskapp's own value for each compatibility key it computed (distances only with them)."""
    out = {}
    for key, path in OWN.items():
        family, name = path.split(".")
        source = getattr(result, family)
        if source is not None:
            out[key] = float(getattr(source, name))
    return out


def with_compat(result: Comparison, libraries: str | Iterable[str] = "all") -> Comparison:
    """``result`` with ``compat``, ``compat_notes`` and ``compat_warnings`` filled in.

    Examples
    --------
    >>> from maskapp import compare
    >>> a = np.zeros((8, 8), bool); a[2:6, 2:6] = True
    >>> r = with_compat(compare(a, np.zeros_like(a), objects=False), ("monai",))
    >>> r.compat["monai"]["hd95"], r.compat_notes["monai"]["hd95"][:24]
    (nan, 'NaN on an empty predicti')
    """
    names = resolve(libraries)
    inputs = inputs_of(result)
    values = compat_values(inputs, names)
    where = situation(inputs, result.options)
    return replace(
        result,
        compat=values,
        compat_notes=explain(values, own_values(result), where),
        compat_warnings=tuple(warnings(values, where)),
    )


def compat_block(result: Comparison) -> dict[str, Any]:
    """The JSON of the compatibility view (NaN / ±inf as strings, see :func:`encode`)."""
    values = result.compat or {}
    return {
        "compat": {
            library: {key: encode(v) for key, v in library_values.items()}
            for library, library_values in values.items()
        },
        "compat_notes": result.compat_notes,
        "compat_warnings": list(result.compat_warnings),
        "compat_calls": {
            library: f"{LIBRARIES[library].TITLE}: {LIBRARIES[library].CALLS}"
            for library in values
        },
        "compat_inputs": (
            "each library is given the binary foreground (label maps: any class, void "
            "removed), the spacing, τ, the Boundary IoU band and the HD percentile of this "
            "comparison; values are reproduced by maskapp, the libraries are not imported"
        ),
    }


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
    "compat_block",
    "compat_values",
    "decode",
    "encode",
    "inputs_of",
    "own_values",
    "resolve",
    "with_compat",
]
