"""Share links: the query parameters that reproduce every number of the pair page.

Only non-default options are written; pixels never are. A link opened in a
fresh session gives the same numbers (tests/ui/test_state_machine.py checks it
after random action sequences).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from maskapp import MaskError
from ui.state import OPTION_DEFAULTS, SLOTS, SessionModel

#: Short names of the options in a link.
_LINK_NAMES = {
    "void_policy": "void_policy",
    "include_background": "background0",
    "hd95": "hd95",
    "boundary_connectivity": "bconn",
    "tolerance": "tau",
    "boundary_width": "band",
    "connectivity": "conn",
    "match_iou": "match",
}


def to_link(model: SessionModel) -> dict[str, str]:
    """Query parameters that reproduce every number (never any pixels)."""
    out = {"case": model.case_key, "mode": model.kind, "view": model.view}
    if model.kind == "labels":
        out["void"] = "none" if model.void is None else str(model.void)
    options = model.store["m.options"]
    row, col = options["spacing"]
    if (row, col) != OPTION_DEFAULTS["spacing"]:
        out["spacing"] = f"{row:g},{col:g}"
    for key, name in _LINK_NAMES.items():
        if options[key] != OPTION_DEFAULTS[key]:
            out[name] = _link_text(options[key])
    for slot in SLOTS:
        source = model.source(slot)
        if source is not None and source.threshold is not None:
            out[f"threshold_{slot}"] = f"{source.threshold:g}"
    reference = model.source("reference")
    if reference is not None and reference.origin == "demo" and reference.role != "reference":
        out["swap"] = "1"
    return out

def open_link(model: SessionModel, params: Mapping[str, str]) -> list[str]:
    """Apply a share link's parameters; returns one sentence per value ignored."""
    problems: list[str] = []

    def attempt(name: str, action: Callable[[], None]) -> None:
        try:
            action()
        except (MaskError, ValueError, KeyError) as err:
            problems.append(f"The link's {name}={params[name]!r} was ignored: {err}")

    if "case" in params:
        attempt("case", lambda: model.select_case(params["case"]))
    if params.get("swap") == "1":
        model.swap()
    if "mode" in params:
        attempt("mode", lambda: model.set_mode(params["mode"]))
    if "void" in params:
        attempt("void", lambda: model.set_void(params["void"]))
    if "spacing" in params:
        attempt("spacing", lambda: model.set_option("spacing", params["spacing"].split(",")))
    for key, name in _LINK_NAMES.items():
        if name in params:
            attempt(name, lambda k=key, n=name: model.set_option(k, _parse(k, params[n])))
    for slot in SLOTS:
        name = f"threshold_{slot}"
        if name in params:
            attempt(name, lambda s=slot, n=name: model.set_threshold(s, float(params[n])))
    if "view" in params:
        model.set_view(params["view"])
    return problems


def _link_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _parse(key: str, text: str) -> Any:
    """A link parameter's text as the option's type."""
    default = OPTION_DEFAULTS[key]
    if isinstance(default, bool):
        return text.strip().lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text
