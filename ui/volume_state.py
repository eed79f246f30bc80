"""The volume page's session model: two volumes, how to read them, the plane and slice shown.

Plain Python over a MutableMapping (Streamlit's session state in the app, a
dict in the tests), like ui/state.py; no streamlit import. Every number the
page shows is ``model.shown().result``: the comparison of the two volumes
shown, read with the reading options shown. The display choices (plane,
slice, class) decide no number.

An upload is kept even when it cannot be read: its slot then shows one
sentence and the other slot keeps its own file.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Literal

from maskapp import MaskError
from maskapp.compare import Comparison
from maskapp.masks import Mask
from maskapp.slices import PLANES
from maskapp.void import DEFAULT_VOID
from ui.state import digest_of

SLOTS = ("reference", "candidate")
KINDS = ("binary", "labels")
Slot = Literal["reference", "candidate"]
#: reader(digest, data, kind, void) → Mask (the app's is cached and capped).
Reader = Callable[[str, bytes, str, "int | None"], Mask]
#: comparer(token, reference, candidate, kind, void) → Comparison.
Comparer = Callable[[str, Mask, Mask, str, "int | None"], Comparison]

_P = "v."  # every key this model keeps starts so (the pair page's start "m.")


@dataclass(frozen=True)
class VolumeSource:
    """A slot's file: its name, digest and bytes; ``demo`` for the built-in case."""

    name: str
    digest: str
    data: bytes = field(repr=False)
    demo: bool = False


@dataclass(frozen=True)
class VolumeShown:
    """What the page shows: each slot's file, volume or error, and the comparison.

    ``result`` is None until both volumes are read and lie on one grid;
    ``message`` then says why in one sentence (``waiting``: nothing is wrong,
    a file is still missing).
    """

    sources: dict[str, VolumeSource | None]
    masks: dict[str, Mask | None]
    errors: dict[str, str]
    result: Comparison | None
    message: str = ""
    waiting: bool = False
    token: str = ""


class VolumeModel:
    """The volume page's state over ``store``.

    Parameters
    ----------
    store : MutableMapping
        Where the state lives (``st.session_state``).
    demo : callable
        () → {slot: (file name, bytes)} of the built-in case.
    reader, comparer : callable
        See :data:`Reader`, :data:`Comparer`.
    max_bytes : int
        Largest file accepted, in bytes (checked before anything is read).
    """

    def __init__(
        self,
        store: MutableMapping,
        *,
        demo: Callable[[], dict[str, tuple[str, bytes]]],
        reader: Reader,
        comparer: Comparer,
        max_bytes: int,
    ) -> None:
        self.store = store
        self._demo = demo
        self._reader = reader
        self._comparer = comparer
        self.max_bytes = max_bytes
        if _P + "started" not in store:
            store[_P + "started"] = True
            self.use_demo()

    # ------------------------------------------------------------ values

    def source(self, slot: Slot) -> VolumeSource | None:
        return self.store.get(_P + "source." + slot)

    @property
    def kind(self) -> str:
        return self.store.get(_P + "kind", "labels")

    @property
    def void(self) -> int | None:
        return self.store.get(_P + "void", DEFAULT_VOID)

    @property
    def plane(self) -> str:
        return self.store.get(_P + "plane", "axial")

    @property
    def showing_demo(self) -> bool:
        return all(s is not None and s.demo for s in map(self.source, SLOTS))

    def slice_index(self, count: int, default: int | None) -> int:
        """The slice shown in the current plane, within [0, count); ``default`` at first."""
        index = self.store.get(f"{_P}slice.{self.plane}")
        if index is None:
            index = count // 2 if default is None else default
        return min(max(int(index), 0), count - 1)

    # ------------------------------------------------------------ actions

    def upload(self, slot: Slot, name: str, data: bytes) -> None:
        """Put a file in ``slot`` (refused, with one sentence, above ``max_bytes``)."""
        if slot not in SLOTS:
            raise ValueError(f"slot must be one of {SLOTS}, not {slot!r}")
        if len(data) > self.max_bytes:
            raise MaskError(
                f"{name} is {len(data) / 2**20:.1f} MB; this demo takes volume files up to "
                f"{self.max_bytes / 2**20:.3g} MB — compare larger ones with `python -m "
                "maskapp compare` on your own machine (the same numbers)."
            )
        self.store[_P + "source." + slot] = VolumeSource(name, digest_of(data), data)
        self._new_volumes()

    def use_demo(self) -> None:
        """Both slots back to the built-in 3-D case, read as labels."""
        for slot, (name, data) in self._demo().items():
            self.store[_P + "source." + slot] = VolumeSource(name, digest_of(data), data, True)
        self.store[_P + "kind"] = "labels"
        self.store[_P + "void"] = DEFAULT_VOID
        self._new_volumes()

    def set_kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self.store[_P + "kind"] = kind

    def set_void(self, void: int | None) -> None:
        if void is not None and not 0 <= int(void) <= 65535:
            raise MaskError(f"The void label must be within 0–65535, not {void}.")
        self.store[_P + "void"] = None if void is None else int(void)

    def set_plane(self, plane: str) -> None:
        if plane not in PLANES:
            raise ValueError(f"plane must be one of {tuple(PLANES)}, not {plane!r}")
        self.store[_P + "plane"] = plane

    def set_slice(self, index: int, plane: str | None = None) -> None:
        """Show slice ``index`` (of ``plane``, default the current one)."""
        self.store[f"{_P}slice.{plane or self.plane}"] = int(index)

    def _new_volumes(self) -> None:
        for plane in PLANES:
            self.store.pop(f"{_P}slice.{plane}", None)

    # ------------------------------------------------------------ what is shown

    def shown(self) -> VolumeShown:
        """Read both slots and compare them; every failure is one sentence."""
        sources = {slot: self.source(slot) for slot in SLOTS}
        masks: dict[str, Mask | None] = {}
        errors: dict[str, str] = {}
        for slot, source in sources.items():
            masks[slot] = None
            if source is None:
                continue
            try:
                mask = self._reader(source.digest, source.data, self.kind, self.void)
            except MaskError as err:
                errors[slot] = str(err)
                continue
            if len(mask.shape) != 3:
                errors[slot] = (
                    f"{source.name} is a 2-D image; this page compares volumes (NIfTI "
                    ".nii/.nii.gz, NRRD) — the 'Compare a pair' page compares images."
                )
                continue
            masks[slot] = mask
        if errors:
            return VolumeShown(sources, masks, errors, None, next(iter(errors.values())))
        missing = [slot for slot in SLOTS if masks[slot] is None]
        if missing:
            return VolumeShown(
                sources, masks, errors, None, f"Upload the {missing[0]} volume.", waiting=True
            )
        token = "|".join((sources["reference"].digest, sources["candidate"].digest,
                          self.kind, str(self.void)))  # fmt: skip
        try:
            result = self._comparer(token, masks["reference"], masks["candidate"], self.kind,
                                    self.void)  # fmt: skip
        except MaskError as err:
            return VolumeShown(sources, masks, errors, None, str(err), token=token)
        return VolumeShown(sources, masks, errors, result, token=token)
