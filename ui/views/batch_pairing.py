"""The pairing report, shown before anything is computed: what matched, what is missing, why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp.report import _MARKDOWN_SPECIAL
from ui.views.batch_run import Paired

_GROUPS = {
    "matched": "matched",
    "missing_candidate": "reference without a candidate",
    "missing_against": "reference without a second candidate",
    "missing_reference": "candidate without a reference",
    "ambiguous": "ambiguous name (two files map to it)",
    "ignored": "ignored (junk, not a mask)",
}


def inert(text: str) -> str:
    """A sentence naming user files, with every Markdown special shown literally."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def report(paired: Paired) -> None:
    """Counts of every group, the pairing's sentence and every file by group."""
    if paired.pairing is None:
        if paired.waiting:
            st.info(inert(paired.message or ""), icon="➡️")
        else:
            st.error(inert(paired.message or ""), icon="⚠️")
        return
    groups = paired.pairing.to_dict()
    st.subheader("Pairing")
    shown = [k for k in _GROUPS if k in groups]
    labels = {
        "matched": "Matched",
        "missing_candidate": "No candidate",
        "missing_against": "No second candidate",
        "missing_reference": "No reference",
        "ambiguous": "Ambiguous",
        "ignored": "Ignored",
    }
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        column.metric(labels[key], f"{len(groups[key]):,}", border=True)
    st.caption(inert(paired.pairing.sentence()))
    rows = [
        {"group": _GROUPS[key], "name or file": item}
        for key in shown
        if key != "matched"
        for item in groups[key]
    ]
    problems = groups.get("problems") or {}
    if rows:
        with st.expander(f"Files not paired ({len(rows):,})"):
            frame = pd.DataFrame(rows)
            frame["why"] = [problems.get(r["name or file"], "") for r in rows]
            st.dataframe(frame, hide_index=True, key="batch_unpaired")
