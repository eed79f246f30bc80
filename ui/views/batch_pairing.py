"""The pairing report, shown before anything is computed: what matched, what is missing, why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.views.batch_inputs import inert
from ui.views.batch_run import Paired
from ui.widgets import on_a_phone

_GROUPS = {
    "matched": "matched",
    "missing_candidate": "reference without a candidate",
    "missing_against": "reference without a second candidate",
    "missing_reference": "candidate without a reference",
    "ambiguous": "ambiguous name (two files map to it)",
    "ignored": "ignored (junk, not a mask)",
}


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
        "missing_against": "No 2nd candidate",
        "missing_reference": "No reference",
        "ambiguous": "Ambiguous",
        "ignored": "Ignored",
    }
    if on_a_phone():
        # Five stacked cards would fill a phone's screen: one line of counts instead.
        st.markdown(" · ".join(f"**{len(groups[k]):,}** {labels[k].lower()}" for k in shown))
    else:
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
