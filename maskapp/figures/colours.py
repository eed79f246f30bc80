"""Colours, state names and the text rules every figure shares.

Colours (:data:`PALETTE`) are from the Okabe–Ito palette: TP bluish green
``#009E73``, FP orange ``#E69F00``, FN blue ``#0072B2``. Their smallest CIELAB
distance (ΔE) between any two is 70 with normal vision, 56 simulated for
deuteranopia, 52 for protanopia and 17 for tritanopia (Machado et al. 2009,
full severity); swapping FN for reddish purple ``#CC79A7`` would drop the
deuteranopia value to 18.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

#: Names of the confusion codes, indexed by code (0 TN, 1 TP, 2 FP, 3 FN).
STATE_NAMES: tuple[str, ...] = ("TN", "TP", "FP", "FN")

#: Colours of the drawn states (Okabe–Ito, colour-blind safe) and of void
#: (ignored) pixels. TN is never drawn.
PALETTE: dict[str, str] = {
    "TP": "#009E73",
    "FP": "#E69F00",
    "FN": "#0072B2",
    "void": "#9E9E9E",
}

#: What each state means, for legends.
STATE_MEANINGS: dict[str, str] = {
    "TN": "in neither",
    "TP": "in both",
    "FP": "candidate only",
    "FN": "reference only",
}

#: Colours of label-map classes 1, 2, 3 … (cycled); class 0 (background) is
#: transparent. Okabe–Ito first, then Paul Tol's muted scheme.
CLASS_COLORS: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)

#: Colour of the Hausdorff pair and of highlight rectangles (drawn over a
#: white halo so they show on dark and light images alike).
MARK_COLOR = "#000000"

#: Colour of the masks themselves in the reference / candidate panels
#: (Okabe–Ito reddish purple: no state uses it, and it shows on photos and white).
MASK_COLOR = "#CC79A7"

#: Palette of a confusion-code PNG (index = code: 0 TN black, 1 TP, 2 FP, 3 FN),
#: e.g. for ``maskapp.io.encode_png(codes, palette=CONFUSION_PALETTE)``.
CONFUSION_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0),
    tuple(int(PALETTE["TP"][i : i + 2], 16) for i in (1, 3, 5)),
    tuple(int(PALETTE["FP"][i : i + 2], 16) for i in (1, 3, 5)),
    tuple(int(PALETTE["FN"][i : i + 2], 16) for i in (1, 3, 5)),
)

#: Colour of the *other* mask traced on a drawing backdrop (Okabe–Ito sky blue).
TRACE_COLOR = "#56B4E9"

Layer = Literal["TP", "FP", "FN"]

ALL_LAYERS: tuple[Layer, ...] = ("TP", "FP", "FN")

#: Palette index of void pixels in the overlay image (never a confusion code).
VOID_INDEX = 4


def escape(text: object) -> str:
    """User text → literal Plotly text (Plotly renders a subset of HTML)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``'#RRGGBB'`` → (red, green, blue)."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def check_layers(layers: object) -> tuple[Layer, ...]:
    """Validate a sequence of state names; returned in TP, FP, FN order."""
    if isinstance(layers, str) or any(name not in ALL_LAYERS for name in layers):
        raise ValueError(f"layers must be a sequence of 'TP', 'FP', 'FN', not {layers!r}")
    return tuple(name for name in ALL_LAYERS if name in layers)


def cividis(n: int) -> list[tuple[int, int, int]]:
    """``n`` colours along Plotly's cividis scale, interpolated in RGB."""
    from plotly.colors import sequential

    stops = [rgb(c) if c.startswith("#") else _parse_rgb(c) for c in sequential.Cividis]
    positions = np.linspace(0, 1, len(stops))
    t = np.linspace(0, 1, n)
    channels = [np.interp(t, positions, [s[k] for s in stops]) for k in range(3)]
    return [tuple(round(float(c[i])) for c in channels) for i in range(n)]


def _parse_rgb(text: str) -> tuple[int, int, int]:
    values = text[text.index("(") + 1 : text.index(")")].split(",")
    return tuple(int(float(v)) for v in values[:3])  # type: ignore[return-value]
