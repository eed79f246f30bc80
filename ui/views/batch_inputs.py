"""The dataset page's inputs: three zip uploaders and the evaluation settings.

Everything chosen here is kept under ``b.`` keys of the session state, not
only in the widgets: Streamlit forgets a widget's value when its page is not
shown, and the batch results must still be there after a visit to the pair
page. A zip is opened (and its names and sizes checked) when it arrives; a
refused zip is reported for its slot and never replaces the zip kept there.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import streamlit as st

from maskapp import MaskError
from maskapp.batch import FileSet, ZipLimits, open_files
from maskapp.batch.evaluate import metric_names
from maskapp.figures.batch import metric_label
from maskapp.pair import Options
from maskapp.report import display_name, escape_markdown
from maskapp.void import DEFAULT_VOID, parse_void
from ui.state import digest_of
from ui.widgets import act, synced

SLOTS = ("reference", "candidate", "against")
HEADINGS = {
    "reference": "References (ground truth) — or one zip holding both folders",
    "candidate": "Candidates (predictions)",
    "against": "Second candidates (optional: compare two models)",
}

#: The hosted demo's caps (a 690 MB host): pairs per run, pixels per mask, bytes per zip.
MAX_PAIRS = 500
MAX_MASK_PIXELS = 2048 * 2048
MAX_ZIP_BYTES = 200 * 2**20
ZIP_LIMITS = ZipLimits(
    max_members=10 * MAX_PAIRS,
    max_total_bytes=4 * 2**30,
    # The largest file a mask at the pixel cap needs (8-byte .npy values), as maskapp.io allows.
    max_member_bytes=MAX_MASK_PIXELS * 8 + 4096,
)


@dataclass(frozen=True)
class Upload:
    """A zip taken into a slot: its name, digest and the opened file set (holding the bytes)."""

    name: str
    digest: str
    size: int
    files: FileSet
    members: int


@dataclass(frozen=True)
class Settings:
    """How every case is read, compared, summarised and ordered."""

    kind: Literal["binary", "labels"] = "binary"
    void: int | None = DEFAULT_VOID
    strip_suffix: tuple[str, ...] = ()
    missing: Literal["worst", "skip"] = "worst"
    sort: str = "iou"
    distances: bool = True
    objects: bool = True
    #: Also reproduce the six other libraries' values and dataset means.
    compat: bool = False

    def options(self) -> Options:
        return Options(
            kind=self.kind,
            void=self.void,
            distances=self.distances,
            objects=self.objects,
            compat="all" if self.compat else (),
        )

    def metrics(self) -> tuple[str, ...]:
        """The statistics these settings compute (what the results can be sorted by)."""
        return metric_names(self.options())

    def run_key(self) -> tuple[Any, ...]:
        """Everything but the order: changing the sort re-orders, it does not recompute."""
        return (
            self.kind, self.void, self.strip_suffix, self.missing, self.distances, self.objects,
            self.compat,
        )  # fmt: skip


def inert(text: str) -> str:
    """A sentence naming user files, with every Markdown special shown literally."""
    return escape_markdown(text)


def upload(store: MutableMapping[str, Any], slot: str, name: str, data: bytes) -> bool:
    """Take a zip into ``slot`` if it opens; a refused one keeps the zip already there."""
    try:
        if len(data) > MAX_ZIP_BYTES:
            raise MaskError(
                f"The zip is {len(data) / 2**20:.0f} MB, more than the "
                f"{MAX_ZIP_BYTES / 2**20:.0f} MB this demo takes; split the dataset into "
                "smaller zips or run maskapp batch on your own machine."
            )
        files = open_files(data, label=name, limits=ZIP_LIMITS)
        members = len(files.members())
    except MaskError as err:
        store[f"b.error.{slot}"] = (name, str(err))
        return False
    store[f"b.zip.{slot}"] = Upload(name, digest_of(data), len(data), files, members)
    store.pop(f"b.error.{slot}", None)
    return True


def forget(store: MutableMapping[str, Any], slot: str) -> None:
    store.pop(f"b.zip.{slot}", None)
    store.pop(f"b.error.{slot}", None)
    store[f"b.uploader.{slot}"] = store.get(f"b.uploader.{slot}", 0) + 1


def kept(store: MutableMapping[str, Any], slot: str) -> Upload | None:
    return store.get(f"b.zip.{slot}")


def settings(store: MutableMapping[str, Any]) -> Settings:
    chosen = store.get("b.settings", Settings())
    if chosen.sort not in chosen.metrics():
        chosen = replace(chosen, sort="iou")
    return chosen


def change(store: MutableMapping[str, Any], **values: Any) -> None:
    """Change settings; a value Options refuses raises MaskError and changes nothing."""
    updated = replace(settings(store), **values)
    updated.options()  # validated: the void label's range …
    store["b.settings"] = updated


def set_void(store: MutableMapping[str, Any], text: str) -> None:
    change(store, void=parse_void(text))


def set_strip_suffix(store: MutableMapping[str, Any], text: str) -> None:
    suffixes = tuple(s.strip() for s in text.split(",") if s.strip())
    change(store, strip_suffix=suffixes)


# ---------------------------------------------------------------- widgets


def uploaders() -> None:
    """One uploader a slot; a new file is taken on the run that sees it (as on the pair page)."""
    store = st.session_state
    for slot, column in zip(SLOTS, st.columns(3), strict=True):
        with column:
            file = st.file_uploader(
                HEADINGS[slot],
                type=["zip"],
                key=f"batch_uploader_{slot}_{store.get(f'b.uploader.{slot}', 0)}",
                help="A zip of mask files (PNG, TIFF, NPY …) paired by file name.",
            )
            seen = f"b.seen.{slot}"
            if file is not None and store.get(seen) != file.file_id:
                upload(store, slot, file.name, file.getvalue())
                store[seen] = file.file_id
            _slot_caption(store, slot)


def _slot_caption(store: MutableMapping[str, Any], slot: str) -> None:
    held = kept(store, slot)
    failed = store.get(f"b.error.{slot}")
    if failed:
        keeping = f"«{display_name(held.name)}» is kept" if held else "nothing loaded"
        name, reason = display_name(failed[0]), inert(failed[1].rstrip("."))
        which = "" if name in reason else f"«{name}»: "  # the sentence names its zip already
        st.error(f"{which}{reason} ({keeping}).", icon="⚠️")
    if held is not None:
        st.caption(f"«{display_name(held.name)}» · {_size(held.size)} · {held.members:,} files")
        st.button(
            "Remove", key=f"batch_forget_{slot}", on_click=forget, args=(store, slot),
            help="Forget this zip (the results of the last run stay until the next run).",
        )  # fmt: skip


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(1, round(n / 2**10))} kB"


def settings_panel() -> None:
    """The evaluation settings, each widget showing the kept value and changing it."""
    store = st.session_state
    chosen = settings(store)
    left, middle, right = st.columns(3)
    with left:
        st.radio(
            "Masks are",
            ["binary", "labels"],
            key=synced("batch_kind", chosen.kind),
            on_change=lambda: act(change, store, kind=store["batch_kind"]),
            format_func=lambda v: "binary masks" if v == "binary" else "label maps (multi-class)",
            horizontal=True,
        )
        st.text_input(
            "Void / ignore label",
            key=synced("batch_void", "" if chosen.void is None else str(chosen.void)),
            on_change=lambda: act(set_void, store, store["batch_void"]),
            help="Pixels with this label count in no statistic; empty for none.",
        )
    with middle:
        st.text_input(
            "Strip suffix from names",
            key=synced("batch_strip", ", ".join(chosen.strip_suffix)),
            on_change=lambda: act(set_strip_suffix, store, store["batch_strip"]),
            placeholder="_0000, _pred",
            help="Comma-separated; stripped from every file name on both sides before pairing.",
        )
        st.radio(
            "A missing candidate",
            ["worst", "skip"],
            key=synced("batch_missing", chosen.missing),
            on_change=lambda: act(change, store, missing=store["batch_missing"]),
            format_func=lambda v: "counts as empty (worst)" if v == "worst" else "is left out",
            horizontal=True,
        )
    with right:
        st.selectbox(
            "Worst first by",
            chosen.metrics(),
            key=synced("batch_sort", chosen.sort),
            on_change=lambda: act(change, store, sort=store["batch_sort"]),
            format_func=metric_label,
        )
        st.toggle(
            "Distances (HD95, ASSD, surface Dice …)",
            key=synced("batch_distances", chosen.distances),
            on_change=lambda: act(change, store, distances=store["batch_distances"]),
        )
        st.toggle(
            "Objects (F1, panoptic quality)",
            key=synced("batch_objects", chosen.objects),
            on_change=lambda: act(change, store, objects=store["batch_objects"]),
        )
        st.toggle(
            "Other libraries' means (MONAI, MedPy …)",
            key=synced("batch_compat", chosen.compat),
            on_change=lambda: act(change, store, compat=store["batch_compat"]),
            help="Also compute what MedPy, MONAI, DeepMind, MetricsReloaded, seg-metrics and "
            "torchmetrics would report per case, and each one's dataset mean averaged its own "
            "way (MONAI drops NaN, seg-metrics counts a miss as HD95 = 0 …).",
        )
