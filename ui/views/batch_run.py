"""Pairing the kept zips, running one batch at a time, and keeping its result.

The pairing and the result live in this visitor's session state, keyed by
the zips' digests and every setting that changes a number, so a visit to the
pair page and back shows the same results without computing them again.
Only one batch runs at a time in the whole server (a 690 MB host): a second
visitor pressing Run is told so and can press it again a moment later.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from maskapp import MaskError
from maskapp.batch import Pairing, evaluate, pair_locations
from ui.views.batch_inputs import MAX_MASK_PIXELS, MAX_PAIRS, Settings, kept


@dataclass(frozen=True)
class Paired:
    """The pairing of the kept zips, or why there is none (``waiting``: a next step)."""

    key: tuple[Any, ...]
    pairing: Pairing | None = None
    message: str | None = None
    waiting: bool = False


def pairing(store: MutableMapping[str, Any], chosen: Settings) -> Paired:
    """Pair the kept zips (once per zips and suffixes; kept in the session)."""
    uploads = {slot: kept(store, slot) for slot in ("reference", "candidate", "against")}
    digests = tuple(u.digest if u else None for u in uploads.values())
    key = (digests, chosen.strip_suffix)
    held = store.get("b.pairing")
    if held is not None and held.key == key:
        return held
    paired = _pair(key, uploads, chosen)
    store["b.pairing"] = paired
    return paired


def _pair(key, uploads, chosen: Settings) -> Paired:
    reference, candidate, against = uploads.values()
    if reference is None:
        return Paired(key, message="Upload the references zip to begin.", waiting=True)
    try:
        paired = pair_locations(
            reference.files,
            candidate.files if candidate else None,
            against=against.files if against else None,
            strip_suffix=chosen.strip_suffix,
        )
    except MaskError as err:
        if candidate is None:
            # One zip and no candidates: the candidates are most likely still to come, unless
            # the zip has folders (then it was meant to hold both, and the reason matters).
            reason = str(err)
            if not any("/" in m for m in reference.files.members()):
                reason = "or one zip holding both folders, e.g. references/ and candidates/."
            return Paired(key, message=f"Now upload the candidates zip — {reason}", waiting=True)
        return Paired(key, message=str(err))
    if len(paired.cases) > MAX_PAIRS:
        return Paired(
            key,
            message=(
                f"{reference.name} holds {len(paired.cases):,} reference masks, more than the "
                f"{MAX_PAIRS} this demo evaluates at once; split it into zips of at most "
                f"{MAX_PAIRS} or run maskapp batch on your own machine."
            ),
        )
    if not paired.cases:
        return Paired(
            key,
            message=(
                f"No reference masks were found in {reference.name}; upload a zip of mask "
                "files (PNG, TIFF, NPY …)."
            ),
        )
    return Paired(key, paired)


# ---------------------------------------------------------------- one batch at a time


@dataclass
class Runner:
    """The server's one batch slot: a lock, whose batch holds it and how far it has come."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    owner: str | None = None
    done: int = 0
    total: int = 0


@st.cache_resource(show_spinner=False)
def runner() -> Runner:
    """One for the whole server (every session shares it)."""
    return Runner()


def run_key(paired: Paired, chosen: Settings) -> tuple[Any, ...]:
    return (paired.key, chosen.run_key())


def _take(slot: Runner, session: str) -> bool:
    """The slot for this session; a run of its own that is stopping is waited for."""
    if slot.lock.acquire(blocking=False):
        return True
    # Pressing Run again stops this session's own run at its next progress update.
    return slot.owner == session and slot.lock.acquire(timeout=30)


def run(store: MutableMapping[str, Any], paired: Paired, chosen: Settings) -> str | None:
    """Evaluate the pairing with a progress bar; returns why it did not run (busy), else None.

    Raises
    ------
    MaskError
        From :func:`maskapp.batch.evaluate` (the page shows its sentence).
    """
    slot = runner()
    session = store.setdefault("b.session", uuid.uuid4().hex)
    if not _take(slot, session):
        return (
            f"Another visitor's dataset is being evaluated ({slot.done} of {slot.total} "
            "pairs done); this demo runs one at a time, so press Run again in a moment."
        )
    try:
        slot.owner, slot.done, slot.total = session, 0, len(paired.pairing.cases)
        bar = st.progress(0.0, text="Evaluating…")

        def progress(done: int, total: int) -> None:
            slot.done, slot.total = done, total
            bar.progress(done / total if total else 1.0, text=f"{done} of {total} pairs evaluated")

        try:
            result = evaluate(
                paired.pairing,
                chosen.options(),
                workers=0,
                missing=chosen.missing,
                sort=chosen.sort,
                progress=progress,
                max_pixels=MAX_MASK_PIXELS,  # an oversized mask fails its case, from its header
            )
        finally:
            bar.empty()
    finally:
        slot.owner = None
        slot.lock.release()
    store["b.result"] = (run_key(paired, chosen), result)
    return None


def result(store: MutableMapping[str, Any], paired: Paired, chosen: Settings):
    """``(result, current)``: the last run's result re-ordered by the chosen sort, and
    whether it is of the zips and settings shown now."""
    held = store.get("b.result")
    if held is None:
        return None, False
    key, kept_result = held
    current = key == run_key(paired, chosen)
    sort = chosen.sort if current else kept_result.sort
    if sort == kept_result.sort or sort not in kept_result.metrics:
        return kept_result, current
    return kept_result.sorted_by(sort), current
