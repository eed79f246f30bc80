"""The dataset page: zips in → pairing report → Run → summary, distributions, worst cases.

Wiring only: the pairing, the evaluation and every number come from
:mod:`maskapp.batch`; what this page keeps between runs (the zips, the
settings, the last result) is in ui/views/batch_inputs.py and batch_run.py.
Selecting a case opens it on the pair page; the sidebar's navigation comes
back here to the same results, not computed again.
"""

from __future__ import annotations

import streamlit as st

from maskapp import MaskError
from maskapp.figures.batch import metric_label
from maskapp.report import display_name
from ui import pages
from ui.cached import return_freed_arrays_to_the_os, session_model
from ui.views import (
    batch_compare,
    batch_inputs,
    batch_pairing,
    batch_run,
    batch_summary,
    batch_table,
)
from ui.views.batch_inputs import MAX_MASK_PIXELS, MAX_PAIRS, MAX_ZIP_BYTES
from ui.widgets import on_a_phone, show_flash


def limits_caption() -> str:
    """The hosted demo's limits in words (the zip cap: this page's or the server's, if lower)."""
    zip_mb = min(MAX_ZIP_BYTES // 2**20, int(st.get_option("server.maxUploadSize")))
    side = int(MAX_MASK_PIXELS**0.5)
    return (
        f"Limits of this demo: at most {MAX_PAIRS} pairs a run, each mask at most "
        f"{MAX_MASK_PIXELS / 1e6:.1f} MP ({side} × {side}), each zip at most {zip_mb} MB; one "
        "dataset is evaluated at a time for all visitors. For more, run `python -m maskapp "
        "batch` on your own machine: the same numbers."
    )


def render() -> None:
    return_freed_arrays_to_the_os()
    store = st.session_state
    st.title("Evaluate a dataset")
    st.caption(
        "Upload a zip of reference masks and a zip of candidate masks (or one zip holding two "
        "folders, e.g. references/ and candidates/); files are paired by name. " + limits_caption()
    )
    show_flash()
    batch_inputs.uploaders()
    with st.expander("Settings", expanded=not on_a_phone()):
        batch_inputs.settings_panel()
    chosen = batch_inputs.settings(store)
    paired = batch_run.pairing(store, chosen)
    batch_pairing.report(paired)
    if paired.pairing is not None:
        cases = len(paired.pairing.cases)
        if st.button(f"Run on {cases:,} case{'' if cases == 1 else 's'}", type="primary",
                     key="batch_run"):  # fmt: skip
            try:
                busy = batch_run.run(store, paired, chosen)
            except MaskError as err:
                st.error(batch_inputs.inert(str(err)), icon="⚠️")
            else:
                if busy:
                    st.warning(busy, icon="⏳")
    result, current = batch_run.result(store, paired, chosen)
    if result is None:
        return
    if not current:
        st.info(
            "The results below are from an earlier run: the zips or the settings have changed "
            "since. Press Run to evaluate what is shown above.",
            icon="ℹ️",
        )
    _results(result)


def _results(result) -> None:
    st.subheader("Summary")
    batch_summary.cards(result)
    batch_summary.distributions(result)
    with st.expander("Every statistic"):
        batch_summary.table(result)
    batch_summary.classes(result)
    batch_compare.comparison(result)
    _cases(result)
    _downloads(result)


def _cases(result) -> None:
    store = st.session_state
    st.subheader(f"Cases, worst first by {metric_label(result.sort)}")
    against = False
    if result.against is not None:
        labels = {
            False: display_name(result.pairing.candidates.label),
            True: display_name(result.pairing.against.label),
        }
        against = st.radio(
            "Cases of",
            [False, True],
            format_func=labels.get,
            horizontal=True,
            key="batch_cases_of",
        )
    model = result.against if against else result.candidates
    st.caption("Select a row to open that pair on the pair page (the sidebar brings you back).")
    generation = store.get("b.table", 0)
    chosen = batch_table.cases_table(result, model, key=f"batch_cases_{int(against)}_{generation}")
    picked = batch_table.chooser(result, model, key=f"batch_chooser_{generation}")
    batch_table.failures(model, key=f"batch_failures_{int(against)}")
    case = chosen or picked
    if case is None:
        return
    message = batch_table.open_case(session_model(), result, case, against=against)
    if message:
        st.info(batch_inputs.inert(message), icon="ℹ️")
        return
    # A fresh table when we come back: its old selection must not open the case again.
    store["b.table"] = generation + 1
    st.switch_page(pages.pair())


def _downloads(result) -> None:
    st.subheader("Downloads")
    left, right = st.columns(2)
    left.download_button(
        "Cases CSV", result.to_csv, "maskapp-batch.csv", "text/csv", on_click="ignore",
        help="One row per case, failures included.",
    )  # fmt: skip
    right.download_button(
        "Results JSON", result.to_json, "maskapp-batch.json", "application/json",
        on_click="ignore", help="Pairing, every case, summaries, comparison and conventions.",
    )  # fmt: skip
