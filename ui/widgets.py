"""Widgets that show the session model's values and send changes back as actions.

The model owns every value that decides a number; a widget only displays it.
Before a widget is drawn its key is set to the model's value (allowed before
the widget exists in this run), and its ``on_change`` calls a model method.
A refused value (``MaskError``) becomes a one-line message on the next run
and the widget shows the model's value again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from maskapp import MaskError

_FLASH = "ui.flash"


def synced(key: str, value: Any) -> str:
    """Make the widget ``key`` show ``value`` when it is drawn; returns ``key``."""
    if st.session_state.get(key) != value:
        st.session_state[key] = value
    return key


def act(action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a model action; a MaskError is kept to be shown once, in one line."""
    try:
        action(*args, **kwargs)
    except MaskError as err:
        st.session_state[_FLASH] = str(err)


def on_change(key: str, action: Callable[[Any], Any]) -> Callable[[], None]:
    """A widget callback passing the widget's new value to ``action``."""
    return lambda: act(action, st.session_state[key])


def show_flash() -> None:
    """The message of a refused value, once."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.error(message, icon="⚠️")


def on_a_phone() -> bool:
    """Whether the browser says it is a phone (``Mobi`` in its User-Agent, as MDN advises).

    Streamlit does not tell the script the viewport width; this only sets the
    defaults of the narrow-screen toggles, which a person can always change.
    """
    try:
        agent = st.context.headers.get("User-Agent", "")
    except Exception:  # no browser behind this run (AppTest, bare mode)
        return False
    return "Mobi" in (agent or "")
