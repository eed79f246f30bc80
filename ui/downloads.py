"""Download buttons; the PNGs are encoded only when clicked (deferred callables)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from maskapp import figures, report
from maskapp.compare import Comparison
from maskapp.encode import encode_png
from maskapp.overlap import TP


def downloads(result: Comparison, background: np.ndarray | None) -> None:
    """The intersection is the TP code of the result's confusion map, so in label
    mode it follows the statistics' convention (any class, void left out)."""
    conf = result.confusion
    st.subheader("Downloads")
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
        lambda: report.statistics_csv(result),
        "maskapp-statistics.csv",
        "text/csv",
        on_click="ignore",
    )
    cols[4].download_button(
        "Statistics JSON",
        lambda: report.statistics_json(result),
        "maskapp-statistics.json",
        "application/json",
        on_click="ignore",
    )
