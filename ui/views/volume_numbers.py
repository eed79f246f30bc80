"""The volume page's tables: per-class Dice and distances in millimetres, every statistic."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp import report
from maskapp.compare import Comparison

#: Per-class distance columns shown, with their headings (in the distance unit).
DISTANCE_COLUMNS = {"hausdorff": "HD", "hd95": "HD95", "assd": "ASSD", "masd": "MASD"}


def class_rows(result: Comparison) -> list[dict]:
    """One row per class: Dice and IoU (per-class counts), HD, HD95, ASSD, MASD, surface Dice.

    A class in one volume only has infinite distances: None here, its reason in ``note``.
    """
    if result.classes is None:
        return []
    unit = result.geometry.unit if result.geometry is not None else "px"
    distances = {}
    if result.class_distances is not None:
        distances = {row["label"]: row for row in result.class_distances.table()}
    rows = []
    for c in result.classes.table():
        if not c["present"] or not c["averaged"]:  # background (unless included), void
            continue
        d = distances.get(c["label"], {})
        row = {"label": c["label"], "name": c["name"], "Dice": c["dice"], "IoU": c["iou"]}
        for key, heading in DISTANCE_COLUMNS.items():
            row[f"{heading} ({unit})"] = d.get(key)
        row[f"surface Dice (τ = {result.options.get('tolerance', 1.0):g} {unit})"] = d.get(
            "surface_dice"
        )
        row["reference voxels"] = c["reference_area"]
        row["candidate voxels"] = c["candidate_area"]
        row["note"] = "; ".join(n for n in (c.get("note"), d.get("note")) if n)
        rows.append(row)
    if all(row["name"] == str(row["label"]) for row in rows):  # no class names given
        for row in rows:
            del row["name"]
    return rows


def render(result: Comparison) -> None:
    rows = class_rows(result)
    if rows:
        st.subheader("Per class")
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="volume_class_table")
        st.caption(
            "Per label: Dice and IoU from the per-class counts; boundary distances of "
            "(reference == k) and (candidate == k), each class measured inside its own box. "
            "Empty cells: a class in one volume only (infinite distance, see note)."
        )
    st.subheader("Every statistic")
    table = pd.DataFrame(report.statistic_rows(result))[["group", "statistic", "value"]]
    st.dataframe(table, hide_index=True, key="volume_statistics")
