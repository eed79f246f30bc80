"""Random sequences of user actions on the session model (hypothesis stateful testing).

The machine keeps its own, much simpler record of what a person did — which
file or drawing each slot should hold, the threshold they set for it, the
mode, void, options and the one resize they approved — and after every step
checks that the page would show exactly the numbers a fresh
:func:`maskapp.compare` gives for those inputs with those options, that a bad
file never replaced a good one, and that nothing of the other slot changed.

The model is given caching reader/comparer functions keyed the way the app's
caches are, so a cache key that forgets an option shows up as stale numbers.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers import blob, grey, jpeg, npy, png_bytes
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from scipy import ndimage

from maskapp import MaskError, compare, read_mask
from maskapp.drawing import polygons_to_mask
from maskapp.masks import interpret
from maskapp.void import DEFAULT_VOID
from ui import links
from ui.state import SLOTS, SessionModel, compare_masks, digest_of

pytestmark = pytest.mark.slow

ROWS, COLS = 24, 32


def _soft(mask: np.ndarray) -> np.ndarray:
    """An 8-bit soft map (> 64 grey levels) around a mask: read with a threshold."""
    smooth = ndimage.gaussian_filter(mask.astype(float), 2.0)
    ramp = np.linspace(0, 0.3, mask.size).reshape(mask.shape)
    return np.clip((smooth * 0.7 + ramp) * 255, 0, 255).astype(np.uint8)


def _labels(mask: np.ndarray, shift: int) -> np.ndarray:
    out = np.zeros(mask.shape, np.uint8)
    out[mask] = 1
    out[np.roll(mask, shift, axis=1) & ~mask] = 2
    out[: mask.shape[0] // 3, : mask.shape[1] // 4] = 3
    edge = ndimage.binary_dilation(mask) & ~ndimage.binary_erosion(mask)
    out[edge] = 255
    return out


A = blob(ROWS, COLS)
B = np.roll(blob(ROWS, COLS), (2, 3), axis=(0, 1))
TIFF_FLOAT = grey(ndimage.gaussian_filter(B.astype(np.float32), 1.5), "TIFF")
FILES = {
    "binary A": png_bytes(A),
    "binary B": png_bytes(B),
    "soft A": grey(_soft(A)),
    "jpeg A": jpeg(A),
    "bool npy B": npy(B),
    "float tiff B": TIFF_FLOAT,
    "labels A": grey(_labels(A, 2)),
    "labels B": grey(_labels(B, -2)),
    "smaller": png_bytes(blob(20, 30)),
    "transposed": png_bytes(np.ascontiguousarray(A.T)),
    # Bad in every mode:
    "empty": b"",
    "truncated": png_bytes(A)[:60],
    "text": b"not a mask at all\n" * 4,
    "pickle npy": npy(np.array([{"x": 1}], dtype=object), allow_pickle=True),
}
CASE_FILES = {
    "bin_ref.png": png_bytes(A),
    "bin_cand.png": png_bytes(B),
    "bin_bg.png": grey(np.full((ROWS, COLS, 3), 90, np.uint8)),
    "lab_ref.png": grey(_labels(A, 1)),
    "lab_cand.png": grey(_labels(B, 1)),
}
CASES = {
    "bin": {
        "kind": "binary",
        "void": None,
        "class_names": {},
        "files": {
            "reference": "bin_ref.png",
            "candidate": "bin_cand.png",
            "background": "bin_bg.png",
        },
    },
    "lab": {
        "kind": "labels",
        "void": 255,
        "class_names": {"0": "zero", "1": "one", "2": "two", "3": "three"},
        "files": {"reference": "lab_ref.png", "candidate": "lab_cand.png"},
    },
}
OPTION_VALUES = {
    "spacing": [(1.0, 1.0), (0.5, 2.0), (0, 1), ("x", 1)],
    "hd95": ["max", "pooled", "median"],
    "boundary_connectivity": [4, 8, 6],
    "connectivity": [8, 4, 0],
    "tolerance": [1.0, 0.0, 2.5, -1.0, float("nan")],
    "boundary_width": [2.0, 0.5, 0.0],
    "match_iou": [0.5, 0.3, 1.0, 1.5],
    "void_policy": ["reference", "either", "both"],
    "include_background": [False, True],
}


#: Machines started in this process: with STATE_NO_SHRINK=1, how many examples it
#: took to find a failure (how the two state bugs of issue 9 were re-found).
MACHINES_RUN = [0]


class Caches:
    """Memoising reader and comparer keyed exactly as the app's caches are."""

    def __init__(self) -> None:
        self.masks: dict = {}
        self.results: dict = {}

    def reader(self, digest, data, kind, threshold, void):
        key = (digest, kind, threshold, void)
        if key not in self.masks:
            try:
                self.masks[key] = read_mask(data, kind=kind, threshold=threshold, void=void)
            except MaskError as err:
                self.masks[key] = err
        value = self.masks[key]
        if isinstance(value, MaskError):
            raise value
        return value

    def image_reader(self, digest, data):
        from maskapp.io import read_image

        return read_image(data)

    def comparer(self, token, reference, candidate, options):
        if token not in self.results:
            self.results[token] = compare_masks(reference, candidate, options)
        return self.results[token]


def assets(name: str) -> tuple[bytes, str]:
    data = CASE_FILES[name]
    return data, digest_of(data)


class PairPage(RuleBasedStateMachine):
    """A person using the pair page; ``self.want`` is what they should be seeing."""

    def __init__(self) -> None:
        super().__init__()
        MACHINES_RUN[0] += 1
        caches = Caches()
        self.model = SessionModel(
            {},
            cases=CASES,
            assets=assets,
            reader=caches.reader,
            image_reader=caches.image_reader,
            comparer=caches.comparer,
        )
        self.case = "bin"
        self._demo_reading()
        self.options = {
            "spacing": (1.0, 1.0),
            "hd95": "max",
            "boundary_connectivity": 4,
            "connectivity": 8,
            "tolerance": 1.0,
            "boundary_width": 2.0,
            "match_iou": 0.5,
            "void_policy": "reference",
            "include_background": False,
        }
        self.slots = {slot: ("demo", slot, None) for slot in SLOTS}
        self.under = dict(self.slots)  # what a drawing was drawn over
        self.approved = None

    # ------------------------------------------------------------ the record

    def _drawn(self, slot: str, drawing: np.ndarray) -> None:
        if self.slots[slot][0] != "drawing":
            self.under[slot] = self.slots[slot]
        self.slots[slot] = ("drawing", drawing, None)

    def _demo_reading(self) -> None:
        case = CASES[self.case]
        self.kind = case["kind"]
        self.void = DEFAULT_VOID if case["void"] is None else case["void"]

    def _bytes(self, entry) -> bytes | np.ndarray:
        what, value, _ = entry
        if what == "demo":
            return CASE_FILES[CASES[self.case]["files"][value]]
        return value

    def _read(self, entry):
        """The mask a person expects for a slot (raises MaskError if it cannot be read)."""
        what, value, threshold = entry
        if what == "drawing":
            return interpret(value, kind=self.kind, source="drawing", void=self.void)
        return read_mask(self._bytes(entry), kind=self.kind, threshold=threshold, void=self.void)

    def _pair_key(self):
        ref, cand = (_comparable(self.slots[slot]) for slot in SLOTS)
        return (ref, cand, self.kind, self.void)

    def _expected(self):
        """(Comparison or None, fragment the message must hold) for what a person did."""
        try:
            ref = self._read(self.slots["reference"])
            cand = self._read(self.slots["candidate"])
        except MaskError as err:
            return None, str(err)[:40]
        origins = {self.slots[s][0] for s in SLOTS}
        if origins == {"upload", "demo"}:
            return None, "Now upload the"
        resize = self.approved is not None and self.approved == self._pair_key()
        if ref.shape != cand.shape and not resize:
            return None, "differ in size"
        both_demo = origins == {"demo"}
        names = CASES[self.case]["class_names"] if self.kind == "labels" and both_demo else {}
        result = compare(
            ref,
            cand,
            kind=self.kind,
            void=self.void,
            resize=resize,
            class_names={int(k): v for k, v in names.items()} or None,
            **self.options,
        )
        return result, None

    def _shown_mask(self, slot: str) -> np.ndarray | None:
        try:
            mask = self._read(self.slots[slot]).array != 0
        except MaskError:
            return None
        if slot == "candidate" and self.approved == self._pair_key():
            from maskapp.masks import resize_nearest

            ref = self._read(self.slots["reference"])
            mask = resize_nearest(mask, ref.shape)
        return mask

    # ------------------------------------------------------------ actions

    @rule(slot=st.sampled_from(SLOTS), name=st.sampled_from(sorted(FILES)))
    def upload(self, slot, name):
        data = FILES[name]
        try:
            read_mask(data, kind=self.kind, void=self.void)
        except MaskError:
            good = False
        else:
            good = True
        before_other = self.model.source(_other(slot))
        taken = self.model.upload(slot, name, data)
        assert taken == good, (name, self.kind)
        assert self.model.source(_other(slot)) is before_other, "the other slot changed"
        if good:
            self.slots[slot] = ("upload", data, None)
            assert self.model.upload_error(slot) is None
        else:
            assert self.model.upload_error(slot)[0] == name

    @rule(slot=st.sampled_from(SLOTS), seed=st.integers(0, 3))
    def draw(self, slot, seed):
        shape = self.model.drawing_shape()
        drawing = np.random.default_rng(seed).random(shape) < 0.3
        self.model.draw(slot, drawing)
        self._drawn(slot, drawing)

    @rule(
        slot=st.sampled_from(SLOTS),
        box=st.tuples(st.integers(0, 30), st.integers(0, 22), st.integers(1, 12)),
        erase=st.booleans(),
    )
    def edit_selection(self, slot, box, erase):
        x, y, size = box
        polygon = [(x, y), (x + size, y), (x + size, y + size), (x, y + size)]
        base = self._shown_mask(slot)
        self.model.edit_selection(slot, [polygon], erase=erase)
        if base is not None and self.kind == "binary":
            self._drawn(slot, polygons_to_mask([polygon], base.shape, base=base, erase=erase))

    @rule(slot=st.sampled_from(SLOTS))
    def clear_drawing(self, slot):
        self.model.clear_drawing(slot)
        if self.slots[slot][0] == "drawing":
            self.slots[slot] = self.under[slot]

    @rule()
    def swap(self):
        self.model.swap()
        self.slots = {"reference": self.slots["candidate"], "candidate": self.slots["reference"]}
        self.under = {"reference": self.under["candidate"], "candidate": self.under["reference"]}

    @rule()
    def toggle_mode(self):
        kind = "binary" if self.kind == "labels" else "labels"
        self.model.set_mode(kind)
        self.kind = kind

    @rule(text=st.sampled_from(["255", "0", "3", "", "none", "abc", "-1", "2.5", " 7 "]))
    def edit_void(self, text):
        try:
            self.model.set_void(text)
        except MaskError:
            return
        self.void = None if text.strip() in ("", "none") else int(text)

    @rule(slot=st.sampled_from(SLOTS), value=st.sampled_from([0.1, 0.5, 40.0, 88.0, 200.0, None]))
    def move_threshold(self, slot, value):
        self.model.set_threshold(slot, value)
        what, data, _ = self.slots[slot]
        if what != "drawing":
            self.slots[slot] = (what, data, value)

    @precondition(lambda self: self.model.shown().can_resize)
    @rule()
    def approve_resize(self):
        self.model.approve_resize()
        self.approved = self._pair_key()

    @rule(case=st.sampled_from(sorted(CASES)))
    def change_case(self, case):
        self.model.select_case(case)
        self.case = case
        for slot in SLOTS:
            what, value, _ = self.slots[slot]
            if what == "demo":
                self.slots[slot] = (what, value, None)
        if all(self.slots[s][0] == "demo" for s in SLOTS):
            self._demo_reading()

    @rule()
    def restore_demo(self):
        self.model.restore_demo()
        self.slots = {slot: ("demo", slot, None) for slot in SLOTS}
        self.under = dict(self.slots)
        self._demo_reading()
        self.approved = None

    @rule(data=st.data())
    def change_option(self, data):
        name = data.draw(st.sampled_from(sorted(OPTION_VALUES)))
        value = data.draw(st.sampled_from(OPTION_VALUES[name]))
        try:
            self.model.set_option(name, value)
        except MaskError:
            return
        self.options[name] = tuple(map(float, value)) if name == "spacing" else value

    @rule()
    def open_own_link_in_a_fresh_session(self):
        """The share link reproduces the numbers while the demo is shown."""
        if not all(self.slots[s][0] == "demo" for s in SLOTS):
            return
        caches = Caches()
        fresh = SessionModel(
            {},
            cases=CASES,
            assets=assets,
            reader=caches.reader,
            image_reader=caches.image_reader,
            comparer=caches.comparer,
        )
        assert links.open_link(fresh, links.to_link(self.model)) == []
        mine, theirs = self.model.shown(), fresh.shown()
        assert (mine.result is None) == (theirs.result is None)
        if mine.result is not None:
            assert theirs.result.to_dict() == mine.result.to_dict()

    # ------------------------------------------------------------ what must hold

    @invariant()
    def each_slot_holds_what_the_person_gave_it(self):
        for slot in SLOTS:
            held = _comparable(_entry(self.model.source(slot)))
            assert held == _comparable(self.slots[slot]), slot

    @invariant()
    def the_numbers_are_those_of_a_fresh_compare_of_the_inputs_shown(self):
        assert self.model.kind == self.kind and self.model.void == self.void
        shown = self.model.shown()
        expected, fragment = self._expected()
        if expected is None:
            assert shown.result is None
            assert shown.message and fragment in shown.message, (shown.message, fragment)
            return
        assert shown.message is None, shown.message
        got, want = shown.result.to_dict(), expected.to_dict()
        assert got == want, _differences(got, want)


def _differences(got: dict, want: dict, prefix: str = "") -> list[str]:
    """The keys (dotted) whose values differ, with both values."""
    out = []
    for key in sorted(set(got) | set(want)):
        a, b = got.get(key), want.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}: shown {a!r}, fresh {b!r}")
    return out


def _other(slot: str) -> str:
    return "candidate" if slot == "reference" else "reference"


def _entry(source):
    """The model's source as the record writes it: (what, bytes/role/drawing, threshold)."""
    if source.origin == "demo":
        return ("demo", source.role, source.threshold)
    if source.origin == "upload":
        return ("upload", source.data, source.threshold)
    return ("drawing", source.drawing, None)


def _comparable(entry):
    """Entries holding arrays compare by content."""
    what, value, threshold = entry
    if isinstance(value, np.ndarray):
        return (what, value.shape, value.tobytes(), threshold)
    return entry


PairPage.TestCase.settings = settings(
    max_examples=int(os.environ.get("STATE_EXAMPLES", 150)),
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    phases=[Phase.generate] if os.environ.get("STATE_NO_SHRINK") else list(Phase),
)


def teardown_module() -> None:
    if os.environ.get("STATE_NO_SHRINK"):
        print(f"\nstate machine examples run: {MACHINES_RUN[0]}")
TestPairPage = PairPage.TestCase
