"""The pair page's session model: plain Python over any ``MutableMapping``.

Everything that decides a number on the pair page lives here — which file or
drawing each slot holds, how each input is read, the reading mode and void
label, every comparison option, the one resize a person approved, the demo
case and the view — and every user action is a method. The page passes
``st.session_state`` and only calls these methods; tests pass a ``dict``
(tests/ui/test_state_machine.py drives random action sequences through it).

Rules this model keeps, whatever the order of actions:

- reading options belong to an input: a threshold someone set for a soft
  mask applies to that mask only, and a new file starts on its automatic rule;
- a bad file never replaces a good one, and nothing of the other slot changes;
- an uploaded mask is never compared with a demo mask ("now upload the
  candidate"); a resize holds for the one pair it was approved for;
- the numbers are those of :func:`maskapp.compare` on the inputs shown with
  the options shown (share links, ui/links.py, carry every option that changes one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from maskapp import MaskError
from maskapp.compare import Comparison, compare_pair
from maskapp.errors import SizeMismatch
from maskapp.masks import Mask, interpret
from maskapp.pair import Options, pair_of
from maskapp.void import DEFAULT_VOID, parse_void

SLOTS = ("reference", "candidate")
ROLES = (*SLOTS, "background")
TITLES = {
    "reference": "Reference (A)",
    "candidate": "Candidate (B)",
    "background": "Background image",
}
VIEWS = (
    "overlay", "side-by-side", "distances", "classes", "objects", "table", "other libraries"
)
Origin = Literal["demo", "upload", "drawing"]

#: Reads one file: ``reader(digest, data, kind, threshold, void) -> Mask``.
Reader = Callable[[str, bytes, str, float | None, int | None], Mask]
#: Checks a background photo: ``image_reader(digest, data)`` (raises MaskError).
ImageReader = Callable[[str, bytes], Any]
#: ``comparer(token, reference, candidate, options) -> Comparison``; ``token``
#: names both inputs and every option, so a cache may key on it alone.
Comparer = Callable[[str, Mask, Mask, Options], Comparison]
#: A demo asset's bytes and digest by file name.
Assets = Callable[[str], tuple[bytes, str]]

#: The comparison options a person can change, and their defaults.
OPTION_DEFAULTS: dict[str, Any] = {
    "void_policy": "reference",
    "include_background": False,
    "spacing": (1.0, 1.0),
    "hd95": "max",
    "boundary_connectivity": 4,
    "tolerance": 1.0,
    "boundary_width": 2.0,
    "connectivity": 8,
    "match_iou": 0.5,
}


def compare_masks(reference: Mask, candidate: Mask, options: Options) -> Comparison:
    """What every comparer does, cached or not: pair the masks as read, compare them."""
    return compare_pair(pair_of(reference, candidate, options))


def digest_of(data: bytes | np.ndarray) -> str:
    """A short content digest: the cache key of an input, taken once when it arrives."""
    digest = hashlib.blake2b(digest_size=12)
    if isinstance(data, np.ndarray):
        # The same bytes at another shape (a transposed drawing) are another mask.
        digest.update(f"{data.dtype.str}{data.shape}".encode())
        data = np.ascontiguousarray(data).tobytes()
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class Source:
    """What a slot holds: a demo file, an upload or a drawing, and how to read it.

    ``threshold`` is the one a person set for *this* input (None: the automatic
    rule). A drawing keeps the source it was drawn over in ``under``, so
    clearing the drawing brings that file back.
    """

    origin: Origin
    name: str
    digest: str
    data: bytes | None = field(default=None, repr=False)
    role: str | None = None
    drawing: np.ndarray | None = field(default=None, repr=False)
    threshold: float | None = None
    under: Source | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Input:
    """A slot as the page shows it: its source, its mask or the reason it has none."""

    slot: str
    source: Source | None
    mask: Mask | None = None
    error: str | None = None
    token: str = ""
    resized_from: tuple[int, int] | None = None


@dataclass(frozen=True)
class Shown:
    """What the page shows: both inputs, and the numbers or why there are none.

    ``message`` is one sentence when there is no comparison; ``waiting`` says
    it is a next step (not an error); ``can_resize`` offers the resize button.
    """

    inputs: dict[str, Input]
    options: Options
    result: Comparison | None = None
    token: str = ""
    message: str | None = None
    waiting: bool = False
    can_resize: bool = False
    #: The two masks as read (before any approved resize): what is compared.
    read: tuple[Mask, Mask] | None = field(default=None, repr=False)


class SessionModel:
    """One visitor's pair page, stored in ``store`` under keys starting ``m.``.

    Parameters
    ----------
    store : MutableMapping
        ``st.session_state`` in the app, a ``dict`` in tests.
    cases : mapping
        The demo cases (``assets/cases.json``'s ``"cases"``).
    assets : callable
        A demo file's ``(bytes, digest)`` by name.
    reader, image_reader, comparer : callable
        Decoding and comparing (cached in the app); see :data:`Reader` etc.
    """

    def __init__(
        self,
        store: MutableMapping[str, Any],
        *,
        cases: Mapping[str, Mapping[str, Any]],
        assets: Assets,
        reader: Reader,
        image_reader: ImageReader,
        comparer: Comparer,
    ) -> None:
        self.store = store
        self.cases = cases
        self.assets = assets
        self.reader = reader
        self.image_reader = image_reader
        self.comparer = comparer
        if "m.case" not in store:
            self._start(next(iter(cases)))

    # ------------------------------------------------------------ reading state

    @property
    def case_key(self) -> str:
        return self.store["m.case"]

    @property
    def case(self) -> Mapping[str, Any]:
        return self.cases[self.case_key]

    @property
    def kind(self) -> str:
        return self.store["m.kind"]

    @property
    def void(self) -> int | None:
        return self.store["m.void"]

    @property
    def view(self) -> str:
        return self.store["m.view"]

    @property
    def options(self) -> Options:
        """Every comparison option in force (validated when it was set)."""
        return Options(
            kind=self.kind,  # type: ignore[arg-type]
            void=self.void,
            class_names=self._class_names(),
            **self.store["m.options"],
        )

    def source(self, slot: str) -> Source | None:
        return self.store.get(f"m.source.{slot}")

    def upload_error(self, slot: str) -> tuple[str, str] | None:
        """The last refused file of a slot: ``(name, one-sentence reason)``."""
        return self.store.get(f"m.error.{slot}")

    def canvas_generation(self, slot: str) -> int:
        """Renewed whenever the slot's canvas must start blank (swap, clear, restore)."""
        return self.store.get(f"m.canvas.{slot}", 0)

    def uploader_generation(self, slot: str) -> int:
        """Renewed whenever the slot's uploader must start empty (swap, restore)."""
        return self.store.get(f"m.uploader.{slot}", 0)

    # ------------------------------------------------------------ actions

    def select_case(self, key: str) -> None:
        """Show another demo case; uploads and drawings stay in their slots.

        While every slot shows demo files, the case's reading mode and void
        label apply (the labels case reads label maps with void 255).
        """
        if key not in self.cases:
            cases = ", ".join(self.cases)
            raise MaskError(f"There is no demo case {key!r}; choose one of {cases}.")
        self.store["m.case"] = key
        for role in ROLES:
            # A threshold belongs to the file it was set for, not to the next case's.
            if (source := self.source(role)) is not None and source.origin == "demo":
                self._put(role, replace(source, threshold=None))
        if self._all_demo():
            self._case_reading()

    def restore_demo(self) -> None:
        """Forget this session's uploads, drawings, thresholds and swap: the demo again."""
        self._start(self.case_key, keep_options=True)

    def swap(self) -> None:
        """Exchange the reference and the candidate, with everything each slot holds."""
        a, b = self.source("reference"), self.source("candidate")
        self._put("reference", b)
        self._put("candidate", a)
        ea, eb = self.upload_error("reference"), self.upload_error("candidate")
        self._put_error("reference", eb)
        self._put_error("candidate", ea)
        self._renew(SLOTS)

    def upload(self, slot: str, name: str, data: bytes) -> bool:
        """Take a file into a slot if it can be read; a bad file keeps the old one.

        Returns whether the file was taken. A refused file's reason is kept
        for :meth:`upload_error` until the next good file or a restore.
        """
        digest = digest_of(data)
        try:
            if slot == "background":
                self.image_reader(digest, data)
            else:
                self.reader(digest, data, self.kind, None, self.void)
        except MaskError as err:
            self._put_error(slot, (name, str(err)))
            return False
        self._put(slot, Source("upload", name, digest, data=data))
        self._put_error(slot, None)
        self.store.pop(f"m.base.{slot}", None)
        return True

    def set_threshold(self, slot: str, value: float | None) -> None:
        """Read this slot's input as value > ``value`` (None: its automatic rule)."""
        source = self.source(slot)
        if source is None or source.origin == "drawing":
            return
        if value is not None:
            value = Options(threshold=value).threshold  # validated: one sentence if not
        self._put(slot, replace(source, threshold=value))

    def set_mode(self, kind: str) -> None:
        """Read both inputs as binary masks or as label maps."""
        Options(kind=kind)  # type: ignore[arg-type]
        self.store["m.kind"] = kind

    def set_void(self, text: str | int | None) -> None:
        """The void label, as typed (a number, or empty / 'none' for none)."""
        void = parse_void(text) if isinstance(text, str) else Options(void=text).void
        self.store["m.void"] = void

    def set_option(self, name: str, value: Any) -> None:
        """Change one comparison option; a bad value raises MaskError and changes nothing."""
        if name not in OPTION_DEFAULTS:
            raise KeyError(name)
        options = dict(self.store["m.options"], **{name: value})
        checked = Options(**options)  # validated, normalised (spacing → floats …)
        self.store["m.options"] = {key: getattr(checked, key) for key in OPTION_DEFAULTS}

    def set_view(self, view: str) -> None:
        if view in VIEWS:
            self.store["m.view"] = view

    def approve_resize(self) -> None:
        """Resize the candidate to the reference — for the pair shown now only."""
        inputs = self.inputs()
        self.store["m.resize"] = (inputs["reference"].token, inputs["candidate"].token)

    def shown_masks(self) -> dict[str, Mask | None]:
        """Each slot's mask as shown: the candidate resized when that was approved."""
        return {slot: item.mask for slot, item in self._prepare().inputs.items()}

    def draw(self, slot: str, mask: np.ndarray) -> None:
        """The slot now holds a drawn (binary) mask; the source drawn over is kept."""
        mask = np.ascontiguousarray(mask, dtype=bool)
        mask.flags.writeable = False
        current = self.source(slot)
        under = current.under if current is not None and current.origin == "drawing" else current
        name = f"drawing over {under.name}" if under is not None else "drawing"
        self._put(slot, Source("drawing", name, digest_of(mask), drawing=mask, under=under))
        self._put_error(slot, None)

    def start_empty(self, slot: str) -> None:
        """An empty drawing of the pair's size, to draw a mask from scratch."""
        self.draw(slot, np.zeros(self.drawing_shape(), bool))
        self._renew((slot,), uploaders=False)

    def clear_drawing(self, slot: str) -> None:
        """Forget the slot's drawing: the file it was drawn over comes back."""
        current = self.source(slot)
        if current is not None and current.origin == "drawing":
            self._put(slot, current.under)
        self._renew((slot,), uploaders=False)

    def edit_selection(self, slot: str, polygons: list, *, erase: bool) -> None:
        """Add a selection (box or lasso, in pixel coordinates) to a mask, or erase it.

        Edits the mask as shown — resized, if the resize was approved — so the
        edit and the numbers it changes are always at the pair's size.
        """
        from maskapp.drawing import polygons_to_mask

        shown = self.shown_masks()[slot]
        if shown is None or self.kind == "labels" or not polygons:
            return
        base = np.asarray(shown.array) != 0
        self.draw(slot, polygons_to_mask(polygons, base.shape, base=base, erase=erase))
        self._renew((slot,), uploaders=False)

    def canvas_base(self, slot: str) -> np.ndarray | None:
        """The mask a canvas's strokes apply to: the slot's mask when the canvas began."""
        kept = self.store.get(f"m.base.{slot}")
        if kept is not None and kept[0] == self.canvas_generation(slot):
            return kept[1]
        return None

    def draw_strokes(self, slot: str, strokes: np.ndarray) -> bool:
        """Apply a canvas's RGBA strokes to the slot's mask; returns whether it changed."""
        from maskapp.drawing import canvas_to_mask

        shape = self.drawing_shape()
        base = self.canvas_base(slot)
        if base is None or base.shape != shape:
            shown = self.shown_masks()[slot]
            base = (
                np.asarray(shown.array) != 0
                if shown is not None and shown.shape == shape
                else np.zeros(shape, bool)
            )
            self.store[f"m.base.{slot}"] = (self.canvas_generation(slot), base)
        drawn = canvas_to_mask(strokes, shape, base=base)
        current = self.source(slot)
        if current is not None and current.drawing is not None:
            if np.array_equal(current.drawing, drawn):
                return False
        self.draw(slot, drawn)
        return True

    def drawing_shape(self) -> tuple[int, int]:
        """The size drawings are made at: the reference's, else the candidate's."""
        masks = self.shown_masks()
        for slot in SLOTS:
            if masks[slot] is not None:
                return masks[slot].shape
        return (256, 256)

    # ------------------------------------------------------------ what is shown

    def inputs(self) -> dict[str, Input]:
        """Each mask slot's source, read with its own reading options."""
        out = {}
        for slot in SLOTS:
            out[slot] = self._read(slot, self.source(slot))
        return out

    def shown(self) -> Shown:
        """The inputs and the numbers the page shows (or the sentence why there are none)."""
        prepared = self._prepare()
        if prepared.message is not None:
            return prepared
        try:
            result = self.comparer(prepared.token, *prepared.read, prepared.options)
        except MaskError as err:
            return replace(prepared, message=str(err))
        return replace(prepared, result=result)

    def _prepare(self) -> Shown:
        """The inputs as shown (the candidate resized if approved), before comparing."""
        inputs = self.inputs()
        ref, cand = inputs["reference"], inputs["candidate"]
        approved = self.store.get("m.resize") == (ref.token, cand.token)
        options = replace(self.options, resize=approved)
        for item in (ref, cand):
            if item.mask is None:
                return Shown(inputs, options, message=item.error)
        if {ref.source.origin, cand.source.origin} == {"upload", "demo"}:
            missing = "candidate" if ref.source.origin == "upload" else "reference"
            given = ref if missing == "candidate" else cand
            what = "prediction" if missing == "candidate" else "ground truth"
            return Shown(
                inputs,
                options,
                message=f"Now upload the {missing} ({what}) to compare with «{given.source.name}».",
                waiting=True,
            )
        try:
            pair = pair_of(ref.mask, cand.mask, options)
        except SizeMismatch as err:
            message = err.sentence("choose 'Resize candidate to reference' below")
            return Shown(inputs, options, message=message, can_resize=not err.transposed)
        except MaskError as err:
            return Shown(inputs, options, message=str(err))
        if pair.resized:
            resized = replace(cand, mask=pair.candidate, resized_from=cand.mask.shape)
            inputs = dict(inputs, candidate=resized)
        token = "|".join((ref.token, cand.token, repr(sorted(options.to_dict().items()))))
        return Shown(inputs, options, token=token, read=(ref.mask, cand.mask))

    def background(self) -> tuple[Source | None, str | None]:
        """The background photo's source and, if it cannot be read, why."""
        source = self.source("background")
        if source is None:
            return None, None
        if source.origin == "demo":
            demo = self._demo_file(source)
            if demo is None:
                return None, None
            source = replace(source, name=demo[0], digest=demo[2])
        try:
            self.image_reader(source.digest, self._data(source))
        except MaskError as err:
            return source, str(err)
        return source, None

    def background_data(self, source: Source) -> bytes:
        return self._data(source)

    # ------------------------------------------------------------ internals

    def _start(self, case_key: str, *, keep_options: bool = False) -> None:
        self.store["m.case"] = case_key
        for role in ROLES:
            self._put(role, self._demo_source(role))
            self._put_error(role, None)
        self.store.pop("m.resize", None)
        if not keep_options or "m.options" not in self.store:
            self.store["m.options"] = dict(OPTION_DEFAULTS)
            self.store["m.view"] = VIEWS[0]
        self._case_reading()
        self._renew(ROLES)

    def _case_reading(self) -> None:
        case = self.case
        self.store["m.kind"] = case.get("kind") or "binary"
        void = case.get("void")
        self.store["m.void"] = DEFAULT_VOID if void is None else int(void)

    def _demo_source(self, role: str) -> Source | None:
        return Source("demo", "", "", role=role) if role in ROLES else None

    def _all_demo(self) -> bool:
        return all((s := self.source(slot)) is None or s.origin == "demo" for slot in SLOTS)

    def _data(self, source: Source) -> bytes:
        if source.origin == "demo":
            return self.assets(self.case["files"][source.role])[0]
        return source.data or b""

    def _demo_file(self, source: Source) -> tuple[str, bytes, str] | None:
        name = self.case["files"].get(source.role)
        if not name:
            return None
        data, digest = self.assets(name)
        return name, data, digest

    def _read(self, slot: str, source: Source | None) -> Input:
        if source is None:
            return Input(slot, None, error=f"No {slot} yet: upload one or draw it.")
        if source.origin == "drawing":
            mask = interpret(source.drawing, kind=self.kind, source="drawing", void=self.void)
            return Input(slot, source, mask, token=f"{source.digest}:{self.kind}")
        if source.origin == "demo":
            demo = self._demo_file(source)
            if demo is None:
                return Input(slot, source, error=f"The demo case has no {source.role} file.")
            name, data, digest = demo
            source = replace(source, name=name, digest=digest)
        else:
            data, digest = source.data or b"", source.digest
        try:
            mask = self.reader(digest, data, self.kind, source.threshold, self.void)
        except MaskError as err:
            return Input(slot, source, error=str(err))
        token = f"{digest}:{self.kind}:{source.threshold}:{self.void}"
        return Input(slot, source, mask, token=token)

    def _class_names(self) -> dict[int, str] | None:
        if self.kind != "labels" or not all(
            (s := self.source(slot)) is not None and s.origin == "demo" for slot in SLOTS
        ):
            return None
        names = self.case.get("class_names") or {}
        return {int(k): str(v) for k, v in names.items()} or None

    def _put(self, slot: str, source: Source | None) -> None:
        if source is None:
            self.store.pop(f"m.source.{slot}", None)
        else:
            self.store[f"m.source.{slot}"] = source

    def _put_error(self, slot: str, error: tuple[str, str] | None) -> None:
        if error is None:
            self.store.pop(f"m.error.{slot}", None)
        else:
            self.store[f"m.error.{slot}"] = error

    def _renew(self, slots, *, uploaders: bool = True) -> None:
        for slot in slots:
            self.store[f"m.canvas.{slot}"] = self.canvas_generation(slot) + 1
            self.store.pop(f"m.base.{slot}", None)
            if uploaders:
                self.store[f"m.uploader.{slot}"] = self.uploader_generation(slot) + 1
