"""The "other libraries" view: what MedPy, MONAI, DeepMind, MetricsReloaded, seg-metrics
and torchmetrics would report for the pair shown, and why each differs from maskapp."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp import report
from maskapp.compare import Comparison
from maskapp.compat import LIBRARIES, with_compat
from ui.state import Shown

#: Background of a cell whose value differs from maskapp's (light amber, legible in both themes).
_DIFFERS = "background-color: rgba(255, 183, 3, 0.35)"


def compat_of(shown: Shown) -> Comparison:
    """The shown result with the six libraries' values, kept for this pair and these options."""
    kept = st.session_state.get("compat.kept")
    if kept is not None and kept[0] == shown.token:
        return kept[1]
    result = with_compat(shown.result, "all")
    st.session_state["compat.kept"] = (shown.token, result)
    return result


def table(result: Comparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values as text (rows: statistics; columns: maskapp, then each library) and,
    for styling, True where a library differs from maskapp."""
    libraries = list(result.compat or {})
    rows = report.compat_rows(result)
    text = pd.DataFrame(
        [
            [row["statistic"], report.compat_text(row["maskapp"])]
            + [report.compat_text(row[lib]) for lib in libraries]
            for row in rows
        ],
        columns=["statistic", "maskapp", *libraries],
    )
    differs = pd.DataFrame(
        [[False, False] + [lib in row["differs"] for lib in libraries] for row in rows],
        columns=text.columns,
    )
    return text, differs


def render(shown: Shown) -> None:
    if shown.result.pair is not None and shown.result.pair.foreground[0].ndim != 2:
        st.info("The other libraries' numbers are reproduced for 2-D masks only.")
        return
    result = compat_of(shown)
    st.caption(
        "What each library's standard call returns for this pair, with this page's spacing, "
        "τ, Boundary IoU band and HD percentile — reproduced by maskapp, not by running the "
        "libraries. Highlighted cells differ from maskapp; the reasons are below. "
        "'—' means the library does not report that statistic."
    )
    for warning in result.compat_warnings:
        st.warning(warning, icon="⚠️")
    text, differs = table(result)
    styled = text.style.apply(
        lambda column: [_DIFFERS if flag else "" for flag in differs[column.name]], axis=0
    )
    st.dataframe(styled, hide_index=True, key="compat_table")
    labels = report.COMPAT_LABELS
    lines = [
        f"- **{report.escape_markdown(library)} · {report.escape_markdown(labels[key])}**: "
        f"{report.escape_markdown(sentence)}"
        for library, notes in result.compat_notes.items()
        for key, sentence in notes.items()
    ]
    if lines:
        st.markdown("**Why they differ**\n\n" + "\n".join(lines))
    else:
        st.success("Every library agrees with maskapp on this pair.", icon="✅")
    with st.expander("The exact calls reproduced"):
        for module in LIBRARIES.values():
            st.markdown(f"**{report.escape_markdown(module.TITLE)}** — `{module.CALLS}`")
