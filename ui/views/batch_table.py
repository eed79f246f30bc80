"""The cases worst first, the failed ones with their stage, and opening a case on the pair page.

Opening a case puts its two files into the pair page's session model as
uploads (named after the case), read with the batch's mode, void label and
options, so every view of the pair page (overlay, distances, classes,
objects) shows that pair with the numbers the batch computed for it.
"""

from __future__ import annotations

import posixpath

import numpy as np
import pandas as pd
import streamlit as st

from maskapp import MaskError, read_mask
from maskapp.batch import BatchResult, CaseResult
from maskapp.batch.results import ModelResult
from maskapp.encode import encode_png
from maskapp.figures.batch import metric_label
from ui.state import OPTION_DEFAULTS, SessionModel

#: The statistics the table shows (when computed), after the one it is sorted by.
COLUMNS = ("iou", "dice", "precision", "recall", "hd95", "assd", "surface_dice", "objects.f1",
           "mean_iou")  # fmt: skip
STATUS = {"ok": "evaluated", "missing_candidate": "no candidate (empty)", "failed": "failed"}


def frame(result: BatchResult, model: ModelResult) -> pd.DataFrame:
    """One row per case, worst first: its status, its statistics, why it failed."""
    shown = [result.sort] + [m for m in COLUMNS if m in result.metrics and m != result.sort]
    rows = []
    for case in model.cases:
        row = {"case": case.name, "status": STATUS[case.status]}
        for metric in shown:
            value = case.value(metric)
            row[metric_label(metric)] = None if value is None or np.isnan(value) else value
        row["failed at"] = f"{case.stage}: {case.error}" if case.status == "failed" else ""
        rows.append(row)
    return pd.DataFrame(rows)


def cases_table(result: BatchResult, model: ModelResult, key: str) -> CaseResult | None:
    """The worst-first table; the case whose row was just selected, if any."""
    data = frame(result, model)
    numbers = {
        metric_label(m): st.column_config.NumberColumn(format="%.4f")
        for m in result.metrics
        if metric_label(m) in data
    }
    event = st.dataframe(
        data,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        column_config=numbers,
    )
    rows = event.selection.rows if event is not None else []
    return model.cases[rows[0]] if rows else None


def chooser(result: BatchResult, model: ModelResult, key: str) -> CaseResult | None:
    """The same choice without the table (narrow screens, keyboards): a list and a button."""
    by_name = {c.name: c for c in model.cases}
    label = metric_label(result.sort)

    def described(name: str) -> str:
        case = by_name[name]
        if case.status == "failed":
            return f"{name} — failed at {case.stage}"
        value = case.value(result.sort)
        shown = "undefined" if value is None or np.isnan(value) else f"{value:.4f}"
        return f"{name} — {label} {shown.replace('inf', '∞')}"

    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.selectbox(
        "Case to open on the pair page", list(by_name), key=f"{key}_name", format_func=described
    )
    if right.button("Open on the pair page", key=f"{key}_open"):
        return by_name[name]
    return None


def failures(model: ModelResult, key: str) -> None:
    """Every failed case with the stage it failed at and the reason, in one table."""
    failed = model.failures
    if not failed:
        return
    st.warning(
        f"{len(failed)} case{'' if len(failed) == 1 else 's'} could not be evaluated and "
        "{} in no statistic (counted as failed):".format("is" if len(failed) == 1 else "are"),
        icon="⚠️",
    )
    st.dataframe(
        pd.DataFrame([{"case": c.name, "stage": c.stage, "reason": c.error} for c in failed]),
        hide_index=True,
        key=key,
    )


def open_case(
    model: SessionModel, result: BatchResult, case: CaseResult, *, against: bool = False
) -> str | None:
    """Put ``case``'s reference and candidate into the pair page; returns why it cannot be.

    A missing candidate is opened as the empty mask it was scored as; a case
    that failed before both masks could be read has nothing to show.
    """
    if case.status == "failed" and case.stage != "compare":
        return (
            f"Case «{case.name}» failed at {case.stage} ({case.error}); there is no pair to open."
        )
    pairing = result.pairing
    files = pairing.against if against else pairing.candidates
    try:
        reference = pairing.references.read(case.reference or "")
        if case.candidate is not None:
            candidate = files.read(case.candidate)
        else:
            shape = read_mask(reference, kind=result.options.kind).shape
            candidate = encode_png(np.zeros(shape, np.uint8))
    except MaskError as err:
        return f"Case «{case.name}» cannot be opened: {err}"
    options = result.options
    model.set_mode(options.kind)
    model.set_void(options.void)
    for name in OPTION_DEFAULTS:
        model.set_option(name, getattr(options, name))
    flat = case.name.replace("/", " › ")
    for slot, data, member in (
        ("reference", reference, case.reference),
        ("candidate", candidate, case.candidate),
    ):
        file = posixpath.basename(member) if member else "empty (no candidate)"
        model.upload(slot, f"{flat} · {slot} · {file}", data)
    return None
