"""maskapp — compare two segmentation masks in the browser.

The Streamlit shell: widgets → maskapp → st.*. Decoding, metrics, figures and
words all live in the ``maskapp`` package; this file only wires them, caches
per input, and keeps each visitor's uploads and drawings in session state.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from maskapp import MaskError, compare, figures, read_mask, report
from maskapp.void import label_foreground
from maskapp.drawing import (
    ERASE,
    PAINT,
    canvas_size,
    canvas_to_mask,
    polygons_to_mask,
    selection_polygons,
)
from maskapp.io import EXTENSIONS, encode_png, read_image
from maskapp.masks import Mask, interpret, resized_mask, size_text
from maskapp.overlap import TP, confusion_map, masks_from_confusion
from maskapp.surface import error_distance_map

ASSETS = Path(__file__).parent / "assets"
CASES: dict = json.loads((ASSETS / "cases.json").read_text())["cases"]
SLOTS = ("reference", "candidate")
SLOT_TITLES = {
    "reference": "Reference (A) — ground truth",
    "candidate": "Candidate (B) — prediction",
    "background": "Background image (optional)",
}
# Bound widgets put their displayed option in the URL, so options are short words.
VIEWS = ["overlay", "side-by-side", "distances", "classes", "objects", "table"]
LAYERS = ["TP", "FP", "FN"]
# Bounded caches: a public demo must not grow without limit. At the pixel cap a
# mask or confusion map is 16 MB and a background 48 MB, so the large caches hold
# few entries: at most 6·16 + 2·48 + 3·16 = 240 MB, which with one computation's
# peak (~100–160 MB, one at a time: large_work) stays under a 690 MB host.
# Results and figures are small (< 1 MB).
CACHE = dict(ttl=1800, show_spinner=False)
#: Pixel cap per mask for this app (set MASKAPP_MAX_PIXELS to change it): one
#: visitor opening every view at 4096² peaks the server at ~570 MB.
MAX_PIXELS = int(os.environ.get("MASKAPP_MAX_PIXELS", 4096 * 4096))
# From this many pixels on, comparisons and figure builds run one at a time
# across all sessions (see large_work).
SERIAL_PIXELS = int(os.environ.get("MASKAPP_SERIAL_PIXELS", 2048 * 2048))


@st.cache_resource(show_spinner=False)
def _return_freed_arrays_to_the_os() -> bool:
    """Keep every allocation over 128 kB in its own mapping, unmapped when freed.

    glibc raises its mmap threshold after each large free (up to 32 MB), so later
    mask-sized arrays come from the heap and stay resident after they are freed.
    A fixed threshold turns that off: one visitor opening every view at the cap
    peaks at ~570 MB instead of 671 MB (benchmarks/bench_app_browser.py). Once
    per process; a no-op off glibc.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-3, 128 * 1024))  # -3: M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False


_return_freed_arrays_to_the_os()

st.set_page_config(
    page_title="maskapp — compare segmentation masks",
    page_icon="◐",
    layout="wide",
)


# ---------------------------------------------------------------- cached core calls


# Large read-only arrays (decoded masks, backgrounds, confusion maps) are shared
# between reruns and sessions (cache_resource) rather than copied out of the cache
# on every rerun (cache_data): at the cap a background is 48 MB, a mask 16 MB, and
# deferred downloads keep a reference to them. Nothing writes into them.
@st.cache_resource(max_entries=6, **CACHE)
def decode(
    digest: str, _data: bytes, kind: str, threshold: float | None, void: int | None
) -> Mask:
    """Decode one input's bytes (cached per content and reading options, shared read-only).

    Keyed by the bytes' ``digest``, computed once when the file arrives: hashing
    ``_data`` itself would cost a full pass over up to 100 MB on every rerun.
    """
    mask = read_mask(_data, kind=kind, threshold=threshold, void=void, max_pixels=MAX_PIXELS)
    mask.array.flags.writeable = False
    return mask


@st.cache_resource(max_entries=2, **CACHE)
def load_background(digest: str, _data: bytes) -> np.ndarray:
    """A photo to draw under the overlay, as RGB (decoded with the same guards; keyed
    by ``digest`` as :func:`decode` is)."""
    image = read_image(_data, max_pixels=MAX_PIXELS)
    image.flags.writeable = False
    return image


@st.cache_resource(show_spinner=False)
def _large_work_lock() -> threading.RLock:
    """One lock for the whole server (the script's own globals are new on every run)."""
    return threading.RLock()


@contextmanager
def large_work(pixels: int) -> Iterator[None]:
    """Run the block alone among all sessions when it handles ``pixels`` ≥ SERIAL_PIXELS.

    At the pixel cap one comparison or figure build costs ~70–160 MB on top of
    the caches; several visitors computing at the same moment could push a
    690 MB host over its limit. The others wait; a cached result is served without waiting.
    Re-entrant: a figure build may need the comparison.
    """
    if pixels < SERIAL_PIXELS:
        yield
        return
    with _large_work_lock():
        yield


@st.cache_data(max_entries=16, **CACHE)
def run_compare(token: str, options: str, _reference: Mask, _candidate: Mask):
    """Compare two masks; cached by a token naming both inputs and the options."""
    kwargs = json.loads(options)
    if kwargs.get("class_names"):
        kwargs["class_names"] = {int(k): v for k, v in kwargs["class_names"].items()}
    with large_work(_reference.array.size):
        return compare(_reference, _candidate, **kwargs)


@st.cache_resource(max_entries=3, **CACHE)
def confusion_of(token: str, _reference: Mask, _candidate: Mask, void: int | None) -> np.ndarray:
    """TP / FP / FN / TN codes of the pair (label maps: any class, void left out)."""
    if _reference.info.kind == "labels":
        a, b, _ = label_foreground(_reference.array, _candidate.array, void, "reference")
    else:
        a, b = _reference.array, _candidate.array
    codes = confusion_map(a, b)
    codes.flags.writeable = False
    return codes


@st.cache_data(max_entries=16, **CACHE)
def cached_figure(key: str, _build, pixels: int) -> go.Figure:
    """A figure of a ``pixels``-pixel pair built once per ``key`` (which names every
    input and option of ``_build``)."""
    with large_work(pixels):
        return _build()


# ---------------------------------------------------------------- inputs


@dataclass
class Input:
    """One slot's current mask (or error), and where it came from."""

    slot: str
    mask: Mask | None = None
    name: str = ""
    origin: str = ""  # "demo", "upload", "drawing"
    token: str = ""
    error: str | None = None


def _digest(data: bytes | np.ndarray) -> str:
    raw = data.tobytes() if isinstance(data, np.ndarray) else data
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


@st.cache_resource(show_spinner=False)
def _demo_file(name: str) -> tuple[bytes, str]:
    """A demo asset's bytes and digest, read once per process."""
    data = (ASSETS / name).read_bytes()
    return data, _digest(data)


def _case_bytes(case: dict, role: str) -> tuple[str, bytes, str] | None:
    name = case["files"].get(role)
    if not name:
        return None
    return (name, *_demo_file(name))


def _drawn_digest(slot: str, drawn: np.ndarray) -> str:
    """Digest of the slot's drawing, computed once per drawing: the same array stays
    in session state across reruns until a stroke replaces it."""
    memo = st.session_state.get(f"drawn_digest_{slot}")
    if memo is None or memo[0] is not drawn:
        memo = (drawn, _digest(drawn))
        st.session_state[f"drawn_digest_{slot}"] = memo
    return memo[1]


def _slot_source(slot: str, case: dict) -> tuple[str, str, bytes, str] | None:
    """(origin, name, bytes, digest) for a slot: the last good upload, else the demo file."""
    upload = st.session_state.get(f"upload_{slot}")
    if upload is not None:
        return ("upload", *upload)
    # The demo files keep their roles; "swap" only says which slot shows which.
    demo = _case_bytes(case, _demo_role(slot))
    return ("demo", *demo) if demo else None


def _demo_role(slot: str) -> str:
    if slot == "background" or not st.session_state.get("swap", False):
        return slot
    return "candidate" if slot == "reference" else "reference"


def read_inputs(case: dict, kind: str, threshold: float | None, void: int | None) -> dict:
    """Every slot's mask: its drawing, else its last good upload, else the demo file."""
    inputs = {}
    for slot in SLOTS:
        drawn = st.session_state.get(f"drawn_{slot}")
        if drawn is not None:
            # A drawing is binary; in label mode it is a one-class map (class 1).
            mask = interpret(drawn, kind=kind, source="drawing", void=void)
            token = f"{_drawn_digest(slot, drawn)}:{kind}"
            inputs[slot] = Input(slot, mask, "drawing", "drawing", token)
            continue
        source = _slot_source(slot, case)
        if source is None:
            inputs[slot] = Input(slot, error="no mask yet: upload one or draw it")
            continue
        origin, name, data, digest = source
        try:
            mask = decode(digest, data, kind, threshold, void)
        except MaskError as err:
            inputs[slot] = Input(slot, name=name, origin=origin, error=str(err))
            continue
        token = f"{digest}:{kind}:{threshold}:{void}"
        inputs[slot] = Input(slot, mask, name, origin, token)
    return inputs


#: Per-slot session state that moves with a mask when A and B are swapped.
_SLOT_STATE = ("upload_{}", "upload_error_{}", "drawn_{}", "drawn_base_{}", "drawn_digest_{}")


def swap_inputs() -> None:
    """Exchange everything the two slots hold, so each widget keeps meaning its slot."""
    state = st.session_state
    for pattern in _SLOT_STATE:
        a, b = pattern.format("reference"), pattern.format("candidate")
        va, vb = state.pop(a, None), state.pop(b, None)
        if vb is not None:
            state[a] = vb
        if va is not None:
            state[b] = va
    state["swap"] = not state.get("swap", False)
    _renew_widgets(SLOTS)


def _renew_widgets(slots) -> None:
    """Fresh uploader and canvas widgets: the old ones would show a file or strokes
    that are no longer (or no longer in) their slot's mask."""
    state = st.session_state
    for slot in slots:
        state[f"widget_gen_{slot}"] = state.get(f"widget_gen_{slot}", 0) + 1
        state[f"canvas_gen_{slot}"] = state.get(f"canvas_gen_{slot}", 0) + 1


def restore_demo() -> None:
    """Forget this session's uploads, drawings and swap: back to the demo files."""
    state = st.session_state
    for slot in (*SLOTS, "background"):
        for pattern in (*_SLOT_STATE, "seen_{}"):
            state.pop(pattern.format(slot), None)
    _renew_widgets((*SLOTS, "background"))
    state.pop("swap", None)
    state.pop("resize", None)


def _uploader_key(slot: str) -> str:
    return f"uploader_{slot}_{st.session_state.get(f'widget_gen_{slot}', 0)}"


def accept_upload(slot: str, file, reading: tuple) -> None:
    """Take a new file from a slot's uploader; a bad file never replaces a good one.

    ``reading`` is ``(kind, threshold, void)``, the options ``decode`` is given.
    Reconciled on every run from the widget's value, not in ``on_change``: a file
    dropped while the page's first run is still going can miss its callback, and
    the widget would then show a file the app never read. The file is marked as
    seen last: a newer upload can interrupt this run at any ``st`` call, and the
    next run must then take the file in again rather than skip it.
    """
    # An empty uploader changes nothing: replacing a file passes through a run
    # with no file, and a renewed widget (after a swap) starts empty. The slot
    # keeps its last good mask until another one arrives or the demo is restored.
    state = st.session_state
    if file is None or state.get(f"seen_{slot}") == file.file_id:
        return
    data = file.getvalue()
    digest = _digest(data)
    try:
        if slot == "background":
            load_background(digest, data)
        else:
            decode(digest, data, *reading)  # as read_inputs will read it: one cached decode
    except MaskError as err:
        state[f"upload_error_{slot}"] = (file.name, str(err))
    else:
        state[f"upload_{slot}"] = (file.name, data, digest)
        for pattern in ("upload_error_{}", "drawn_{}", "drawn_base_{}", "drawn_digest_{}"):
            state.pop(pattern.format(slot), None)
    state[f"seen_{slot}"] = file.file_id


def uploader(slot: str, reading: tuple) -> None:
    """The slot's title and file uploader; what it holds is taken in by accept_upload."""
    st.markdown(f"**{SLOT_TITLES[slot]}**")
    file = st.file_uploader(
        SLOT_TITLES[slot],
        type=list(EXTENSIONS),
        key=_uploader_key(slot),
        label_visibility="collapsed",
        help="PNG, JPEG, BMP, TIFF, GIF, WebP or .npy; the content decides, not the name.",
    )
    accept_upload(slot, file, reading)


def input_panel(slot: str, current: Input | None) -> None:
    """Interpretation and any error for one slot, under its uploader."""
    failed = st.session_state.get(f"upload_error_{slot}")
    if failed:
        kept = "the previous file is kept" if current and current.mask else "nothing loaded"
        st.error(
            f"{SLOT_TITLES[slot].split(' —')[0]} «{report.display_name(failed[0])}»: "
            f"{failed[1]} ({kept}).",
            icon="⚠️",
        )
    if current is None:
        return
    if current.mask is not None:
        info = current.mask.info
        origin = {"demo": "demo file", "upload": "uploaded", "drawing": "drawn here"}
        st.caption(
            f"{origin.get(current.origin, '')} «{report.display_name(current.name)}» · "
            f"{size_text(info.shape)} px · {info.mode} ({info.dtype}) · "
            f"{info.n_values} value(s) · rule: {info.rule}"
            + ("".join(f" · {n}" for n in info.notes))
        )
    elif current.error and not failed:
        st.error(
            f"{SLOT_TITLES[slot].split(' —')[0]} «{report.display_name(current.name)}»: "
            f"{current.error}",
            icon="⚠️",
        )


# ---------------------------------------------------------------- sidebar


def sidebar() -> dict:
    with st.sidebar:
        st.header("maskapp")
        st.caption("Where do two masks agree, where not, and by how much?")
        case_key = st.selectbox(
            "Demo case",
            list(CASES),
            key="case",
            bind="query-params",
            help="Uploads and drawings replace the demo masks for this session only.",
        )
        case = CASES[case_key]
        st.caption(f"**{case['title']}** — {case['description']}")
        labels = st.toggle(
            "Label-map mode (multi-class)",
            value=case.get("kind") == "labels",
            key=f"labels_{case_key}",
            help="Read both masks as label maps: per-class table and confusion matrix.",
        )
        void = None
        if labels:
            void_text = st.text_input(
                "Void / ignore label",
                value=str(case.get("void", 255)),
                key="void",
                help="Pixels with this label in the reference count in no statistic; "
                "empty for none.",
            )
            void = int(void_text) if void_text.strip().isdigit() else None
        with st.expander("Distance and object options"):
            row_sp = st.number_input("Row spacing", 0.001, 1e6, 1.0, key="row_spacing")
            col_sp = st.number_input("Column spacing", 0.001, 1e6, 1.0, key="col_spacing")
            hd95 = st.radio(
                "HD95",
                ["max", "pooled"],
                key="hd95",
                horizontal=True,
                format_func=lambda v: "max of directed" if v == "max" else "pooled (MedPy)",
            )
            tolerance = st.number_input("Surface Dice tolerance τ", 0.0, 1e6, 1.0)
            width = st.number_input("Boundary IoU width d", 0.1, 1e6, 2.0)
            connectivity = st.radio("Object connectivity", [8, 4], horizontal=True)
            match_iou = st.slider("Object match IoU ≥", 0.05, 1.0, 0.5, 0.05, key="match")
        st.divider()
        st.caption(
            f"maskapp {__import__('maskapp').__version__} · links carry the view settings, "
            "never your masks."
        )
    return dict(
        case_key=case_key,
        case=case,
        kind="labels" if labels else "binary",
        void=void,
        options=dict(
            spacing=(row_sp, col_sp),
            hd95=hd95,
            tolerance=tolerance,
            boundary_width=width,
            connectivity=connectivity,
            match_iou=match_iou,
        ),
    )


# ---------------------------------------------------------------- drawing


def drawing_panel(inputs: dict, background: np.ndarray | None, kind: str) -> None:
    """Draw or edit the reference or the candidate on a canvas."""
    from streamlit_drawable_canvas import st_canvas

    if kind == "labels":
        st.caption(
            "Label-map mode: a drawing is one class (label 1) and replaces the slot's "
            "label map; switch label-map mode off to compare binary masks."
        )

    shape = next((i.mask.shape for i in inputs.values() if i.mask is not None), (256, 256))
    c1, c2, c3, c4 = st.columns([1.2, 1.6, 1, 1.2])
    slot = c1.radio(
        "Edit",
        SLOTS,
        horizontal=True,
        key="draw_slot",
        format_func=lambda s: "reference (A)" if s == "reference" else "candidate (B)",
    )
    tool = c2.radio(
        "Tool",
        ["brush", "eraser", "rect", "polygon", "erase rect"],
        horizontal=True,
        key="draw_tool",
        help="Polygon: click vertices, click the first one again to close.",
    )
    size = c3.slider("Brush px", 2, 60, 14, key="draw_brush")
    under = c4.radio("Draw over", ["background", "other mask"], horizontal=True, key="draw_under")
    base_input = inputs[slot]
    base = base_input.mask.array if base_input.mask is not None else None
    if base is not None and base.dtype != bool:
        base = base != 0
    if base is not None and base.shape != shape:
        base = None
    other = inputs["candidate" if slot == "reference" else "reference"]
    photo = background if under == "background" else None
    other_mask = None
    if other.mask is not None and other.mask.shape == shape:
        other_mask = other.mask.array != 0
    width, height = canvas_size(shape)
    backdrop = figures.drawing_backdrop(
        shape,
        size=(width, height),
        background=photo,
        base=base,
        other=other_mask if under == "other mask" else None,
    )
    erase_tool = tool in ("eraser", "erase rect")
    colour = "#%02x%02x%02x" % (ERASE if erase_tool else PAINT)
    mode = {
        "brush": "freedraw",
        "eraser": "freedraw",
        "rect": "rect",
        "polygon": "polygon",
        "erase rect": "rect",
    }[tool]
    generation = st.session_state.get(f"canvas_gen_{slot}", 0)
    result = st_canvas(
        fill_color=colour,
        stroke_width=size,
        stroke_color=colour,
        background_image=backdrop,
        height=height,
        width=width,
        drawing_mode=mode,
        return_image_data=True,
        key=f"canvas_{slot}_{generation}",
    )
    b1, b2, b3 = st.columns(3)
    if b1.button("Clear drawing", key=f"clear_{slot}", help="Forget strokes; use the file."):
        st.session_state.pop(f"drawn_{slot}", None)
        st.session_state.pop(f"drawn_digest_{slot}", None)
        st.session_state[f"canvas_gen_{slot}"] = generation + 1
        st.rerun()
    if b2.button("Start from empty", key=f"empty_{slot}"):
        st.session_state[f"drawn_{slot}"] = np.zeros(shape, bool)
        st.session_state[f"canvas_gen_{slot}"] = generation + 1
        st.rerun()
    image = result.image_data if result is not None else None
    if image is not None and np.asarray(image)[..., 3].any():
        start = st.session_state.get(f"drawn_base_{slot}")
        if start is None or start.shape != shape:
            start = base if base is not None else np.zeros(shape, bool)
            st.session_state[f"drawn_base_{slot}"] = start
        drawn = canvas_to_mask(np.asarray(image), shape, base=start)
        previous = st.session_state.get(f"drawn_{slot}")
        if previous is None or not np.array_equal(previous, drawn):
            st.session_state[f"drawn_{slot}"] = drawn
            st.rerun()
    b3.caption(
        "Strokes edit the mask shown; the numbers update on release. "
        "A drawing stays until you clear it."
    )


def apply_selection(event: dict | None, inputs: dict, kind: str) -> None:
    """Buttons that add or erase a Plotly box/lasso selection in a mask."""
    polygons = selection_polygons(event)
    if not polygons:
        return
    if kind == "labels":
        # A selection has no class: painting it would flatten a label map to one class.
        st.caption("Selections edit binary masks: switch off label-map mode to edit with one.")
        return
    shape = inputs["reference"].mask.shape
    cols = st.columns(4)
    for i, slot in enumerate(SLOTS):
        for j, erase in enumerate((False, True)):
            verb = "Erase selection from" if erase else "Add selection to"
            if cols[i * 2 + j].button(f"{verb} {slot}", key=f"sel_{slot}_{erase}"):
                current = inputs[slot].mask.array != 0
                st.session_state[f"drawn_{slot}"] = polygons_to_mask(
                    polygons, shape, base=current, erase=erase
                )
                st.rerun()


# ---------------------------------------------------------------- results


def headline(result) -> None:
    o, s = result.overlap, result.surface
    undefined = result.undefined
    cards = [
        ("IoU", o.iou, "iou", "|A∩B| / |A∪B|"),
        ("Dice", o.dice, "dice", "2|A∩B| / (|A|+|B|)"),
        ("Precision", o.precision, "precision", "|A∩B| / |B|"),
        ("Recall", o.recall, "recall", "|A∩B| / |A|"),
        ("HD95", s.hd95 if s else None, "hd95", "95th-percentile boundary distance"),
    ]
    for col, (label, value, key, help_text) in zip(st.columns(5), cards, strict=True):
        text = report.format_value(value, undefined.get(key), digits=4)
        short, _, reason = text.partition(" — ")
        col.metric(label, short, help=help_text + (f" — {reason}" if reason else ""), border=True)
        if reason:
            col.caption(reason)
    sentence = report.edge_case_sentence(result)
    if sentence:
        st.info(sentence, icon="ℹ️")


def view_overlay(result, conf, background, figure_token: str, labels=None) -> dict | None:
    c1, c2, c3 = st.columns([1.2, 1.4, 1])
    opacity = c1.slider("Opacity", 0.0, 1.0, 0.6, 0.05, key="opacity", bind="query-params")
    layers = c2.pills(
        "Layers",
        LAYERS,
        selection_mode="multi",
        default=LAYERS,
        key="layers",
        bind="query-params",
    )
    contour = c3.toggle("Contours only", key="contour", bind="query-params")
    region = st.session_state.get("region")
    o = result.overlap
    layers = tuple(layers or ())
    # Built at full opacity and cached: moving the opacity slider only restyles it.
    fig = cached_figure(
        f"overlay|{figure_token}|{layers}|{contour}|{region}",
        lambda: figures.overlay_figure(
            conf,
            background=background,
            opacity=1.0,
            layers=layers,
            contour_only=contour,
            region=region,
            hausdorff_pair=result.surface.hausdorff_pair if result.surface else None,
            counts={"TP": o.tp, "FP": o.fp, "FN": o.fn},
            reference_labels=labels[0] if labels else None,
            candidate_labels=labels[1] if labels else None,
            void=result.options.get("void") or 255,
        ),
        conf.size,
    )
    event = st.plotly_chart(
        figures.with_overlay_opacity(fig, opacity),
        key="overlay_chart",
        on_select="rerun",
        selection_mode=("box", "lasso"),
        config={"displaylogo": False, "scrollZoom": True},
    )
    z1, z2 = st.columns(2)
    polygons = selection_polygons(event)
    if polygons and z1.button("Zoom: show the selected box at full detail"):
        xs = [x for p in polygons for x, _ in p]
        ys = [y for p in polygons for _, y in p]
        rows, cols = conf.shape
        st.session_state["region"] = (
            max(0, int(min(ys))),
            min(rows, int(max(ys)) + 1),
            max(0, int(min(xs))),
            min(cols, int(max(xs)) + 1),
        )
        st.rerun()
    if region and z2.button("Show the whole image"):
        st.session_state.pop("region", None)
        st.rerun()
    return event


def view_classes(result) -> tuple | None:
    classes = result.classes
    if classes is None:
        st.info("Switch on label-map mode in the sidebar for per-class results.")
        return None
    st.caption(
        f"Mean IoU {report.format_value(classes.mean_iou)} · mean Dice "
        f"{report.format_value(classes.mean_dice)} — macro over classes present in either "
        f"map, background {'included' if classes.include_background else 'excluded'}; "
        f"void {classes.void} ignored where the {classes.void_policy} is void "
        f"({classes.ignored_pixels:,} px)."
    )
    table = pd.DataFrame(classes.table())
    selection = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="class_table",
    )
    rows = selection["selection"]["rows"] if selection else []
    st.plotly_chart(
        figures.confusion_matrix_figure(classes.confusion, classes.labels),
        key="confusion_matrix",
    )
    # The selected class goes into the share link; a link opened later highlights it
    # (a table selection cannot be set from code, so the link only drives the overlay).
    if rows:
        label = int(table.iloc[rows[0]]["label"])
        st.query_params["class"] = str(label)
        return ("class", label)
    shared = st.query_params.get("class", "")
    if shared.lstrip("-").isdigit() and int(shared) in set(table["label"]):
        st.caption(f"Class {int(shared)} from the link is highlighted below.")
        return ("class", int(shared))
    return None


def view_objects(result) -> tuple | None:
    objects = result.objects
    if objects is None:
        return None
    summary = objects.to_dict(include_objects=False)
    cols = st.columns(5)
    for col, (key, label) in zip(
        cols,
        [("f1", "Object F1"), ("pq", "PQ"), ("tp", "Matched"), ("fn", "Missed"), ("fp", "Extra")],
        strict=True,
    ):
        col.metric(label, report.format_value(summary.get(key), digits=4))
    table = pd.DataFrame(objects.table())
    selection = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="object_table",
    )
    rows = selection["selection"]["rows"] if selection else []
    if rows:
        row = table.iloc[rows[0]]
        return ("bbox", tuple(int(v) for v in row["bbox"]))
    return None


def downloads(result, conf: np.ndarray, background: np.ndarray | None) -> None:
    """Download buttons; the PNGs are encoded only when clicked (deferred callables).

    The intersection is the TP code of the confusion map, so in label mode it
    follows the statistics' convention (any class, void left out).
    """
    cols = st.columns(5)
    cols[0].download_button(
        "Intersection PNG",
        lambda: encode_png(conf == TP),
        "maskapp-intersection.png",
        "image/png",
        on_click="ignore",
        help="0/255 PNG at the masks' size: pixels in both masks.",
    )
    cols[1].download_button(
        "Confusion map PNG",
        lambda: encode_png(conf, palette=figures.CONFUSION_PALETTE),
        "maskapp-confusion.png",
        "image/png",
        on_click="ignore",
        help="Palette PNG: index 0 TN, 1 TP, 2 FP, 3 FN.",
    )
    cols[2].download_button(
        "Overlay PNG",
        lambda: figures.overlay_png(conf, background=background),
        "maskapp-overlay.png",
        "image/png",
        on_click="ignore",
    )
    cols[3].download_button(
        "Statistics CSV",
        report.statistics_csv(result),
        "maskapp-statistics.csv",
        "text/csv",
        on_click="ignore",
    )
    cols[4].download_button(
        "Statistics JSON",
        report.statistics_json(result),
        "maskapp-statistics.json",
        "application/json",
        on_click="ignore",
    )


# ---------------------------------------------------------------- page


def main() -> None:
    settings = sidebar()
    case, kind, void = settings["case"], settings["kind"], settings["void"]
    st.title("Compare two segmentation masks")

    # The slider's own key holds the value just chosen; threshold_value keeps it
    # while the slider is not shown (no soft mask in this run).
    threshold = st.session_state.get("threshold", st.session_state.get("threshold_value"))
    top = dict(zip((*SLOTS, "background"), st.columns(3), strict=True))
    for slot, col in top.items():
        with col:
            uploader(slot, (kind, threshold, void))
    inputs = read_inputs(case, kind, threshold, void)
    for slot, col in top.items():
        with col:
            input_panel(slot, inputs.get(slot))
    background = None
    bg_source = _slot_source("background", case)
    if bg_source:
        try:
            background = load_background(bg_source[3], bg_source[2])
        except MaskError:
            background = None
    shape = next((inputs[s].mask.shape for s in SLOTS if inputs[s].mask is not None), None)
    if background is not None:
        origin = "demo file" if bg_source[0] == "demo" else "uploaded"
        name = report.display_name(bg_source[1])
        if shape is not None and background.shape[:2] != shape:
            top["background"].caption(
                f"{origin} «{name}» · {size_text(background.shape)} px differs in size from "
                f"the masks ({size_text(shape)}) and is not shown."
            )
            background = None
        else:
            top["background"].caption(
                f"{origin} «{name}» · {size_text(background.shape)} px · shown under the overlay"
            )

    c1, c2, c3 = st.columns([1, 1, 2])
    if c1.button("⇄ Swap A and B", help="Make the candidate the reference and vice versa."):
        swap_inputs()
        st.rerun()
    if c2.button("↺ Demo masks", help="Forget uploads and drawings; show the demo case again."):
        restore_demo()
        st.rerun()
    soft = [
        i.mask.info
        for i in inputs.values()
        if i.mask is not None and i.mask.info.threshold is not None
    ]
    if soft or threshold is not None:
        floats = any(info.dtype.startswith("float") for info in soft)
        top_value = 1.0 if floats else 255.0
        default = soft[0].threshold if soft else (threshold or 0.5)
        st.session_state["threshold_value"] = c3.slider(
            "Threshold (foreground = value > threshold)",
            0.0,
            top_value,
            float(min(default, top_value)),
            0.01 if floats else 1.0,
            key="threshold",
            bind="query-params",
        )

    # Rendered only while open: the canvas backdrop costs ~0.2 s a rerun at 4096².
    drawing = st.expander("✏️ Draw or edit a mask", key="drawing_open", on_change="rerun")
    if drawing.open:
        with drawing:
            drawing_panel(inputs, background, kind)

    ref, cand = inputs["reference"], inputs["candidate"]
    if ref.mask is None or cand.mask is None:
        st.warning("Both a reference and a candidate are needed for the comparison.")
        return
    if ref.mask.info.kind != cand.mask.info.kind:
        st.error("The reference and the candidate were read differently; reload both.")
        return
    # The click approves resizing this pair only: other files are never resized silently.
    resize = st.session_state.get("resize") == (ref.token, cand.token)
    if ref.mask.shape != cand.mask.shape:
        if not resize:
            st.error(
                f"The masks differ in size: {size_text(ref.mask.shape)} (reference) vs "
                f"{size_text(cand.mask.shape)} (candidate) pixels.",
                icon="📐",
            )
            if st.button("Resize candidate to reference (nearest neighbour)"):
                st.session_state["resize"] = (ref.token, cand.token)
                st.rerun()
            return
        cand = Input(
            "candidate",
            resized_mask(cand.mask, ref.mask.shape),
            cand.name,
            cand.origin,
            cand.token + ":resized",
        )
    options = dict(settings["options"], kind=kind, void=void)
    if kind == "labels" and ref.origin == cand.origin == "demo":
        names = case.get("class_names") or {}
        options["class_names"] = {int(k): v for k, v in names.items()} or None
    token = f"{ref.token}|{cand.token}"
    try:
        result = run_compare(token, json.dumps(options), ref.mask, cand.mask)
    except MaskError as err:
        st.error(str(err))
        return

    headline(result)
    conf = confusion_of(f"{token}|{kind}|{void}", ref.mask, cand.mask, void)
    bg_token = bg_source[3] if background is not None and bg_source else "none"
    figure_token = f"{token}|{json.dumps(options)}|{bg_token}"

    view = st.segmented_control(
        "View",
        VIEWS,
        default="overlay",
        key="view",
        bind="query-params",
        required=True,
    )
    highlight = None
    if view == "overlay":
        event = view_overlay(
            result,
            conf,
            background,
            figure_token,
            (ref.mask.array, cand.mask.array) if kind == "labels" else None,
        )
        apply_selection(event, inputs, kind)
    elif view == "side-by-side":
        figure = cached_figure(
            f"side|{figure_token}",
            lambda: figures.side_by_side_figure(
                *masks_from_confusion(conf), conf, background=background
            ),
            conf.size,
        )
        st.plotly_chart(figure, key="side_chart")
    elif view == "distances":
        if result.surface is None:
            st.info("Distances were not computed.")
        else:
            spacing = settings["options"]["spacing"]

            def distance_figure() -> go.Figure:
                a, b = masks_from_confusion(conf)
                distances = error_distance_map(a, b, spacing=spacing)
                return figures.error_distance_figure(distances, background=background)

            figure = cached_figure(
                f"distances|{figure_token}|{spacing}", distance_figure, conf.size
            )
            st.plotly_chart(figure, key="distance_chart")
    elif view == "classes":
        highlight = view_classes(result)
        if highlight:
            figure = cached_figure(
                f"class|{figure_token}|{highlight[1]}",
                lambda: figures.class_overlay_figure(
                    ref.mask.array,
                    cand.mask.array,
                    label=highlight[1],
                    void=void,
                    background=background,
                ),
                conf.size,
            )
            st.plotly_chart(figure, key="class_chart")
    elif view == "objects":
        highlight = view_objects(result)
        if highlight:
            figure = cached_figure(
                f"object|{figure_token}|{highlight[1]}",
                lambda: figures.overlay_figure(
                    conf, background=background, highlight_bbox=highlight[1]
                ),
                conf.size,
            )
            st.plotly_chart(figure, key="object_chart")
    else:
        st.dataframe(
            pd.DataFrame(report.statistic_rows(result))[["group", "statistic", "value"]],
            hide_index=True,
        )

    st.subheader("Downloads")
    downloads(result, conf, background)
    st.caption(
        "Link to this view — copy the address bar; it carries the demo case, view, "
        "opacity, threshold, layers and options, never uploaded or drawn pixels."
    )
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    st.code(f"{st.context.url or ''}/?{urlencode(params, doseq=True)}", language=None)


main()
