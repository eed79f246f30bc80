"""Per-object comparison: connected components, one-to-one matching, PQ, splits and merges.

:func:`compare_objects` labels both masks, counts the overlap of every
(reference object, candidate object) pair in one pass over the pixels where
both masks are set, and derives everything else from those sparse counts: the
IoU of every overlapping pair, the one-to-one matching, object TP / FP / FN,
precision, recall, F1, panoptic quality (PQ = SQ × RQ, Kirillov et al. 2019),
and split / merge flags.

Conventions (also in :meth:`ObjectComparison.to_dict` under ``conventions``):

- an object is a connected component of foreground pixels, with 4- or
  8-connectivity (default 8); ids are 1 … n in raster order, as
  :func:`scipy.ndimage.label` numbers them;
- a reference object R and a candidate object C match when they overlap and
  IoU(R, C) = |R∩C| / |R∪C| ≥ ``match_iou`` (``>=``, default 0.5), one to one;
  among all one-to-one matchings the one with the largest total IoU is chosen
  (the Hungarian method), which is the matching that maximises PQ;
- for ``match_iou`` ≥ 0.5 the matching is unique and no assignment is solved
  (see :func:`compare_objects`);
- a candidate object is a *part* of a reference object when more than half of
  its pixels lie inside it (and vice versa); a reference object is *split*
  when two or more candidate objects are parts of it, a candidate object is
  *merged* when two or more reference objects are parts of it;
- no objects in either mask → F1 = RQ = PQ = 1.0, flagged ``both_empty``
  (perfect agreement on nothing, like Dice of two empty masks); precision,
  recall and SQ are undefined (NaN, reason in ``undefined``);
- objects on one side only → F1 = RQ = PQ = 0.0; precision (no candidate
  objects) or recall (no reference objects) is undefined, and so is SQ.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import ndimage, optimize, sparse
from scipy.sparse import csgraph

from .connectivity import WORDS
from .connectivity import structure as connectivity_structure
from .errors import MaskError
from .numbers import finite_or_none, safe_ratio
from .overlap import union_box

Connectivity = Literal[4, 8]
ObjectsFrom = Literal["components", "labels"]

#: Default most objects per mask. Matching stays sparse, but the per-object
#: table and the dense :attr:`ObjectComparison.iou_matrix` grow with it.
MAX_OBJECTS = 10_000

# Largest (n_ref + 1) × (n_cand + 1) pair histogram counted with np.bincount
# (32 MB of int64); beyond it the overlapping pairs are found by sorting.
_DENSE_PAIR_BINS = 1 << 22
# Rows are processed in strips of about this many pixels (1 M: ~8 MB of temporaries).
_STRIP_PIXELS = 1 << 20

# Largest connected sub-problem solved by the dense Hungarian method; a larger
# one (only possible for match_iou < 0.5 on pathological inputs) goes to the
# sparse Jonker–Volgenant solver, whose memory grows with the number of pairs.
_DENSE_ASSIGNMENT_CELLS = 1 << 22

_STRUCTURES = {
    4: ndimage.generate_binary_structure(2, 1),
    8: ndimage.generate_binary_structure(2, 2),
}


def label_objects(mask: np.ndarray, *, connectivity: Connectivity = 8) -> tuple[np.ndarray, int]:
    """Label the connected components of a binary mask.

    Parameters
    ----------
    mask : ndarray of bool, shape (rows, cols)
    connectivity : {4, 8}
        4: pixels sharing an edge are connected; 8: pixels sharing an edge or
        a corner are connected.

    Returns
    -------
    labels : ndarray of uint16 or int32, shape (rows, cols)
        0 for background, 1 … n for the objects, numbered in raster order
        (by their first pixel, row by row); uint16 when n ≤ 65,535 (half the
        memory of int32: 34 MB at 4096², not 67 MB).
    n : int
        Number of objects.

    Raises
    ------
    ValueError
        ``mask`` is not a 2-D bool array, or ``connectivity`` is not 4 or 8.

    Examples
    --------
    >>> labels, n = label_objects(np.eye(3, dtype=bool), connectivity=4)
    >>> n, labels.diagonal().tolist()
    (3, [1, 2, 3])
    >>> label_objects(np.eye(3, dtype=bool))[1]
    1
    """
    mask = _check_mask(mask, "mask", connectivity)
    if mask.ndim == 3:
        structure = connectivity_structure(connectivity, 3)
    elif connectivity not in _STRUCTURES:
        raise ValueError(f"connectivity must be 4 or 8, not {connectivity!r}")
    else:
        structure = _STRUCTURES[connectivity]
    labels = np.empty(mask.shape, np.uint16)
    try:
        n = ndimage.label(mask, structure=structure, output=labels)
    except RuntimeError:  # "insufficient bit-depth": more than 65,535 objects
        labels = np.empty(mask.shape, np.int32)
        n = ndimage.label(mask, structure=structure, output=labels)
    return labels, int(n)


@dataclass(frozen=True)
class ObjectRecord:
    """One object of the reference or the candidate, and how it was matched.

    Attributes
    ----------
    side : {'reference', 'candidate'}
    id : int
        1 … n, as in the label image of :func:`label_objects`.
    area : int
        Pixels.
    centroid : (float, float)
        (row, col) mean of the object's pixel coordinates.
    bbox : (int, int, int, int)
        (min_row, min_col, max_row, max_col), half-open as in scikit-image's
        ``regionprops``: the object lies in ``[min_row:max_row, min_col:max_col]``.
    status : {'matched', 'missed', 'extra'}
        'missed' is an unmatched reference object (FN), 'extra' an unmatched
        candidate object (FP).
    matched_id : int or None
        Id of the matched object on the other side.
    matched_iou : float or None
        IoU with the matched object; None when unmatched.
    best_id : int or None
        Id of the object on the other side with the largest IoU (smallest id
        on ties); None when the object overlaps nothing. It can differ from
        ``matched_id`` only when ``match_iou`` < 0.5.
    best_iou : float
        That largest IoU; 0.0 when the object overlaps nothing. For an
        unmatched object it says how far it was from being matched.
    part_of : int or None
        Id of the object on the other side holding more than half of this
        object's pixels (at most one can), else None.
    split : bool
        Reference objects: two or more candidate objects are parts of it.
        Always False for candidate objects.
    merged : bool
        Candidate objects: two or more reference objects are parts of it.
        Always False for reference objects.
    """

    side: str
    id: int
    area: int
    centroid: tuple[float, float]
    bbox: tuple[int, int, int, int]
    status: str
    matched_id: int | None
    matched_iou: float | None
    best_id: int | None
    best_iou: float
    part_of: int | None
    split: bool
    merged: bool

    def _links(self) -> dict[str, Any]:
        return {
            "matched_id": self.matched_id,
            "matched_iou": self.matched_iou,
            "best_id": self.best_id,
            "best_iou": self.best_iou,
            "part_of": self.part_of,
            "split": self.split,
            "merged": self.merged,
        }

    @property
    def iou(self) -> float:
        """IoU with the matched object, else the best IoU with any object (0.0 if none)."""
        return self.best_iou if self.matched_iou is None else self.matched_iou

    def to_dict(self) -> dict[str, Any]:
        """One flat, JSON-ready row for a table or a CSV file."""
        if len(self.centroid) == 3:  # volumes: axes (k, j, i)
            return {
                "side": self.side,
                "id": self.id,
                "status": self.status,
                "area": self.area,
                **{f"centroid_{a}": v for a, v in zip("kji", self.centroid, strict=True)},
                **{f"min_{a}": v for a, v in zip("kji", self.bbox[:3], strict=True)},
                **{f"max_{a}": v for a, v in zip("kji", self.bbox[3:], strict=True)},
                **self._links(),
            }
        return {
            "side": self.side,
            "id": self.id,
            "status": self.status,
            "area": self.area,
            "centroid_row": self.centroid[0],
            "centroid_col": self.centroid[1],
            "min_row": self.bbox[0],
            "min_col": self.bbox[1],
            "max_row": self.bbox[2],
            "max_col": self.bbox[3],
            **self._links(),
        }


@dataclass(frozen=True)
class ObjectComparison:
    """Objects of a reference (A) and a candidate (B) mask, matched one to one.

    Every ratio is a Python float; an undefined one is NaN and its reason is
    in ``undefined``. With n_A reference and n_B candidate objects:

    Attributes
    ----------
    reference_count, candidate_count : int
        n_A and n_B.
    iou_sparse : scipy.sparse.csr_array, shape (n_A, n_B)
        IoU of every overlapping pair; entry [i − 1, j − 1] is reference
        object i against candidate object j. Pairs that do not overlap are
        not stored. :attr:`iou_matrix` is the dense version.
    matches : tuple of (int, int, float)
        (reference id, candidate id, IoU) of every matched pair, by reference id.
    tp, fp, fn : int
        Matched pairs, unmatched candidate objects ('extra'), unmatched
        reference objects ('missed').
    precision : float
        TP / n_B; NaN when the candidate has no objects.
    recall : float
        TP / n_A; NaN when the reference has no objects.
    f1 : float
        2TP / (n_A + n_B) = 2TP / (2TP + FP + FN); 1.0 when neither mask has
        objects (``both_empty``). Equal to ``rq``.
    sq : float
        Segmentation quality: mean IoU of the matched pairs; NaN without any.
    rq : float
        Recognition quality: TP / (TP + FP/2 + FN/2); 1.0 when ``both_empty``.
    pq : float
        Panoptic quality: Σ IoU over matched pairs / (TP + FP/2 + FN/2)
        = SQ × RQ when TP > 0; 0.0 when TP = 0 and some object exists; 1.0
        when ``both_empty``.
    match_iou : float
        Matching threshold: a matched pair overlaps and has IoU ≥ match_iou.
    connectivity : int
        4 or 8.
    splits : int
        Reference objects flagged ``split``.
    merges : int
        Candidate objects flagged ``merged``.
    objects : tuple of ObjectRecord
        Reference objects by id, then candidate objects by id.
    both_empty : bool
        Neither mask has an object.
    matching : str
        How the matching was found: ``'unique'`` (no object had two
        eligible partners, so every eligible pair is matched — always the
        case for match_iou ≥ 0.5) or ``'hungarian'``.
    undefined : dict of str to str
        Name of every NaN statistic → why it is undefined.
    """

    reference_count: int
    candidate_count: int
    iou_sparse: sparse.csr_array = field(repr=False, compare=False)
    matches: tuple[tuple[int, int, float], ...]
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    sq: float
    rq: float
    pq: float
    match_iou: float
    connectivity: int
    splits: int
    merges: int
    objects: tuple[ObjectRecord, ...] = field(repr=False)
    both_empty: bool = False
    matching: str = "unique"
    undefined: dict[str, str] = field(default_factory=dict)
    #: ``'components'`` (connected components) or ``'labels'`` (instance ids).
    objects_from: str = "components"

    @property
    def iou_matrix(self) -> np.ndarray:
        """Dense float64 IoU matrix, shape (n_A, n_B); built on each access.

        Entry [i − 1, j − 1] is IoU(reference object i, candidate object j),
        0.0 where they do not overlap. It takes 8 · n_A · n_B bytes (800 MB at
        10,000 objects each); prefer :attr:`iou_sparse` for many objects.
        """
        return self.iou_sparse.toarray()

    @property
    def reference_objects(self) -> tuple[ObjectRecord, ...]:
        return self.objects[: self.reference_count]

    @property
    def candidate_objects(self) -> tuple[ObjectRecord, ...]:
        return self.objects[self.reference_count :]

    def table(self) -> list[dict[str, Any]]:
        """The per-object table: one flat row per object (see :meth:`ObjectRecord.to_dict`)."""
        return [o.to_dict() for o in self.objects]

    def to_dict(self, *, include_objects: bool = True) -> dict[str, Any]:
        """JSON-ready summary; undefined values are None with reasons under ``undefined``.

        With ``include_objects`` the matched pairs (``matches``) and the
        per-object table (``objects``) are added.
        """
        out: dict[str, Any] = {
            "reference_count": self.reference_count,
            "candidate_count": self.candidate_count,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": finite_or_none(self.precision),
            "recall": finite_or_none(self.recall),
            "f1": finite_or_none(self.f1),
            "pq": finite_or_none(self.pq),
            "sq": finite_or_none(self.sq),
            "rq": finite_or_none(self.rq),
            "splits": self.splits,
            "merges": self.merges,
            "both_empty": self.both_empty,
            "match_iou": self.match_iou,
            "connectivity": self.connectivity,
            "objects_from": self.objects_from,
            "matching": self.matching,
            "undefined": dict(self.undefined),
            "conventions": self.conventions(),
        }
        if include_objects:
            out["matches"] = [list(m) for m in self.matches]
            out["objects"] = self.table()
        return out

    def conventions(self) -> dict[str, str]:
        """Every choice behind the object statistics, in words."""
        objects = (
            f"connected components, {self.connectivity}-connectivity; ids 1…n in raster order"
            if self.objects_from == "components"
            else "each nonzero id of the instance-id map is one object, connected or not (as "
            "MONAI's panoptic quality takes them); ids 1…n in order of the id values"
        )
        return {
            "objects": objects,
            "matching": (
                f"one-to-one, a pair must overlap and have IoU ≥ {self.match_iou:g}; "
                "largest total IoU (Hungarian); unique when the threshold is ≥ 0.5"
            ),
            "f1": "2TP / (2TP + FP + FN), equal to RQ",
            "pq": "Σ IoU of matched pairs / (TP + FP/2 + FN/2) = SQ × RQ (Kirillov et al. 2019)",
            "part": "an object is a part of an object on the other side holding > ½ of its pixels",
            "split": "a reference object with two or more candidate parts",
            "merge": "a candidate object with two or more reference parts",
            "both_empty": "no objects in either mask: F1 = RQ = PQ = 1.0; precision, "
            "recall, SQ undefined",
            "one_empty": "objects on one side only: F1 = RQ = PQ = 0.0",
            "best_iou": "largest IoU with any object on the other side, 0 if none overlaps",
        }


def compare_objects(
    reference: np.ndarray,
    candidate: np.ndarray,
    *,
    connectivity: Connectivity = 8,
    match_iou: float = 0.5,
    max_objects: int = MAX_OBJECTS,
    box: tuple[slice, slice] | None = None,
    objects_from: ObjectsFrom = "components",
) -> ObjectComparison:
    """Match the objects — connected components or instance ids — of two masks.

    Overlaps are counted once, over the pixels set in both masks: a pair code
    ``ref_label · (n_B + 1) + cand_label`` per pixel, histogrammed, gives
    |R∩C| for exactly the pairs that overlap. With the object areas this gives
    IoU(R, C) = |R∩C| / (|R| + |C| − |R∩C|). Nothing is ever n_A × n_B.

    Matching is one to one over the *eligible* pairs (overlapping, IoU ≥
    ``match_iou``), maximising the total IoU of the matched pairs (the
    Hungarian method, :func:`scipy.optimize.linear_sum_assignment`). Since
    TP + FP/2 + FN/2 = (n_A + n_B)/2 does not depend on the matching, this is
    the matching with the largest PQ. The assignment is solved separately on
    each connected group of eligible pairs; a pair whose two objects have no
    other eligible partner is simply matched.

    For ``match_iou`` ≥ 0.5 every object has at most one eligible partner, so
    the matching is unique and no assignment is solved. Kirillov et al. (2019)
    prove this for IoU > 0.5; with connected components it also holds at
    exactly 0.5: two disjoint candidates C₁, C₂ with IoU(R, Cᵢ) ≥ ½ would each
    need |R∩Cᵢ| ≥ |R|/2, hence C₁ ∪ C₂ = R, and R being connected, C₁ and C₂
    would touch and be one object (likewise with the roles swapped). The code
    checks the degrees rather than trusting the threshold.

    Parameters
    ----------
    reference, candidate : ndarray of bool, shape (rows, cols)
        Reference (A, ground truth) and candidate (B, prediction) masks.
    connectivity : {4, 8}
        Connectivity of objects (see :func:`label_objects`).
    match_iou : float
        Matching threshold in [0, 1]; a pair matches when IoU ≥ match_iou.
        Pairs must overlap, so 0 means "any overlap".
    max_objects : int
        Most objects allowed per mask.
    box : (slice, slice), optional
        The bounding box of both masks' pixels when the caller knows it
        (:meth:`~maskapp.metrics.OverlapCounts.union_box`); found otherwise.
    objects_from : {'components', 'labels'}
        ``'components'``: objects are the connected components of bool
        masks. ``'labels'``: ``reference`` and ``candidate`` are instance-id
        maps (non-negative integers) and each nonzero id is one object,
        connected or not, as MONAI's panoptic quality takes them; ids are
        renumbered 1 … n in order of their values and ``connectivity`` is
        not used.

    Returns
    -------
    ObjectComparison

    Raises
    ------
    MaskError
        A mask has more than ``max_objects`` objects.
    ValueError
        The masks are not 2-D bool arrays of one shape, or an option is out
        of range.

    Examples
    --------
    Reference: two squares; candidate: the left square exactly, and a speck.
    PQ = (1.0) / (1 + 1/2 + 1/2):

    >>> a = np.zeros((4, 8), bool); a[1:3, 1:3] = True; a[1:3, 5:7] = True
    >>> b = np.zeros((4, 8), bool); b[1:3, 1:3] = True; b[3, 7] = True
    >>> r = compare_objects(a, b)
    >>> r.reference_count, r.candidate_count, r.tp, r.fp, r.fn
    (2, 2, 1, 1, 1)
    >>> r.matches, r.f1, r.pq
    (((1, 1, 1.0),), 0.5, 0.5)
    >>> [(o.side, o.id, o.status) for o in r.objects]
    [('reference', 1, 'matched'), ('reference', 2, 'missed'), ('candidate', 1, 'matched'), \
('candidate', 2, 'extra')]

    A reference cut in two by the candidate is split:

    >>> a = np.ones((1, 5), bool); b = np.array([[1, 1, 0, 1, 1]], bool)
    >>> r = compare_objects(a, b)
    >>> r.splits, r.tp, r.objects[0].split, round(r.objects[0].best_iou, 2)
    (1, 0, True, 0.4)

    From instance ids, the two pieces of id 7 are one object:

    >>> ids = np.array([[7, 0, 7, 0, 3]]); found = np.array([[5, 0, 5, 0, 0]])
    >>> r = compare_objects(ids, found, objects_from="labels")
    >>> r.reference_count, r.candidate_count, r.tp, r.fn, r.pq
    (2, 1, 1, 1, 0.6666666666666666)
    """
    ref_ids = cand_ids = None
    if objects_from == "labels":
        ref_ids = _check_ids(reference, "reference")
        cand_ids = _check_ids(candidate, "candidate")
        reference, candidate = ref_ids != 0, cand_ids != 0
    elif objects_from != "components":
        raise ValueError(f"objects_from must be 'components' or 'labels', not {objects_from!r}")
    reference = _check_mask(reference, "reference", connectivity)
    candidate = _check_mask(candidate, "candidate", connectivity)
    if reference.shape != candidate.shape:
        raise ValueError(
            f"reference and candidate differ in shape: {reference.shape} vs {candidate.shape}"
        )
    match_iou = float(match_iou)
    if not 0.0 <= match_iou <= 1.0:
        raise ValueError(f"match_iou must be in [0, 1], not {match_iou!r}")
    if isinstance(max_objects, bool) or not isinstance(max_objects, int | np.integer):
        raise ValueError(f"max_objects must be an int, not {max_objects!r}")
    if max_objects < 0:
        raise ValueError(f"max_objects must be ≥ 0, not {max_objects}")

    # Labelling and measuring are whole-image passes; objects only live inside the
    # box around both masks (often a fraction of the image), so work there and
    # shift the positions back. Raster order, hence every id, is unchanged.
    if box is None:
        box = union_box(reference, candidate) or (slice(0, 0),) * reference.ndim
    reference, candidate = reference[box], candidate[box]
    origin = tuple(b.start for b in box)

    if ref_ids is not None and cand_ids is not None:
        ref_labels, n_ref = _consecutive(ref_ids[box])
        _check_count("reference", n_ref, max_objects)
        cand_labels, n_cand = _consecutive(cand_ids[box])
        _check_count("candidate", n_cand, max_objects)
    else:
        ref_labels, n_ref = label_objects(reference, connectivity=connectivity)
        _check_count("reference", n_ref, max_objects)
        cand_labels, n_cand = label_objects(candidate, connectivity=connectivity)
        _check_count("candidate", n_cand, max_objects)

    ref_area, ref_centroid, ref_bbox = _geometry(reference, ref_labels, n_ref)
    cand_area, cand_centroid, cand_bbox = _geometry(candidate, cand_labels, n_cand)
    for centroid, bbox in ((ref_centroid, ref_bbox), (cand_centroid, cand_bbox)):
        centroid[1:] += origin
        bbox[1:] += origin + origin

    pair_ref, pair_cand, inter = _pair_overlaps(
        ref_labels, cand_labels, reference & candidate, n_ref, n_cand
    )
    iou = inter / (ref_area[pair_ref] + cand_area[pair_cand] - inter).astype(np.float64)
    iou_sparse = sparse.csr_array(
        (iou, (pair_ref - 1, pair_cand - 1)), shape=(n_ref, n_cand), dtype=np.float64
    )

    m_ref, m_cand, m_iou, matching = _match(pair_ref, pair_cand, iou, n_ref, n_cand, match_iou)
    order = np.argsort(m_ref, kind="stable")
    m_ref, m_cand, m_iou = m_ref[order], m_cand[order], m_iou[order]

    tp = len(m_ref)
    fp, fn = n_cand - tp, n_ref - tp
    undefined: dict[str, str] = {}
    both_empty = n_ref == 0 and n_cand == 0
    if both_empty:
        precision = recall = sq = math.nan
        f1 = rq = pq = 1.0
        for name in ("precision", "recall", "sq"):
            undefined[name] = "neither mask has objects"
    else:
        precision = safe_ratio(tp, n_cand, "precision", "the candidate has no objects", undefined)
        recall = safe_ratio(tp, n_ref, "recall", "the reference has no objects", undefined)
        # TP + FP/2 + FN/2 = (n_A + n_B) / 2, whatever the matching.
        half_total = (n_ref + n_cand) / 2
        f1 = rq = tp / half_total
        iou_sum = float(m_iou.sum())
        pq = iou_sum / half_total
        sq = safe_ratio(iou_sum, tp, "sq", "no pair of objects matched", undefined)

    # "Part of": more than half of an object's pixels lie in one object of the
    # other side; at most one object can hold more than half, so it is unique.
    cand_in_ref = 2 * inter > cand_area[pair_cand]
    ref_in_cand = 2 * inter > ref_area[pair_ref]
    cand_part_of = np.zeros(n_cand + 1, np.int64)
    cand_part_of[pair_cand[cand_in_ref]] = pair_ref[cand_in_ref]
    ref_part_of = np.zeros(n_ref + 1, np.int64)
    ref_part_of[pair_ref[ref_in_cand]] = pair_cand[ref_in_cand]
    ref_split = np.bincount(pair_ref[cand_in_ref], minlength=n_ref + 1) >= 2
    cand_merged = np.bincount(pair_cand[ref_in_cand], minlength=n_cand + 1) >= 2

    ref_best_id, ref_best_iou = _best_partner(pair_ref, pair_cand, iou, n_ref)
    cand_best_id, cand_best_iou = _best_partner(pair_cand, pair_ref, iou, n_cand)

    ref_match = np.zeros(n_ref + 1, np.int64)
    ref_match[m_ref] = m_cand
    cand_match = np.zeros(n_cand + 1, np.int64)
    cand_match[m_cand] = m_ref
    ref_match_iou = np.zeros(n_ref + 1)
    ref_match_iou[m_ref] = m_iou
    cand_match_iou = np.zeros(n_cand + 1)
    cand_match_iou[m_cand] = m_iou

    objects = _records(
        "reference", ref_area, ref_centroid, ref_bbox, ref_match, ref_match_iou,
        ref_best_id, ref_best_iou, ref_part_of, ref_split, np.zeros(n_ref + 1, bool),
    ) + _records(
        "candidate", cand_area, cand_centroid, cand_bbox, cand_match, cand_match_iou,
        cand_best_id, cand_best_iou, cand_part_of, np.zeros(n_cand + 1, bool), cand_merged,
    )  # fmt: skip
    return ObjectComparison(
        reference_count=n_ref,
        candidate_count=n_cand,
        iou_sparse=iou_sparse,
        matches=tuple(zip(m_ref.tolist(), m_cand.tolist(), m_iou.tolist(), strict=True)),
        tp=tp,
        fp=fp,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=f1,
        sq=sq,
        rq=rq,
        pq=pq,
        match_iou=match_iou,
        connectivity=int(connectivity),
        splits=int(np.count_nonzero(ref_split)),
        merges=int(np.count_nonzero(cand_merged)),
        objects=objects,
        both_empty=both_empty,
        matching=matching,
        undefined=undefined,
        objects_from=objects_from,
    )


def _check_ids(ids: object, name: str) -> np.ndarray:
    """A 2-D or 3-D array of non-negative integer ids (bool reads as 0/1), or ValueError."""
    ids = np.asarray(ids)
    integer = ids.dtype == np.bool_ or np.issubdtype(ids.dtype, np.integer)
    if ids.ndim not in (2, 3) or not integer:
        raise ValueError(
            f"{name} must be a 2-D or 3-D integer id map, not {ids.ndim}-D {ids.dtype}"
        )
    if ids.dtype != np.bool_ and ids.size and ids.min() < 0:
        raise ValueError(f"{name} holds negative ids; instance ids are 0 (none) or positive")
    return ids


def _consecutive(ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Instance ids renumbered 1 … n in order of their values (0 stays 0), and n."""
    values = np.unique(ids)
    if values.size == 0 or values[0] != 0:
        values = np.concatenate([np.zeros(1, values.dtype), values])
    labels = np.searchsorted(values, ids).astype(np.int32 if values.size > 65_536 else np.uint16)
    return labels, int(values.size - 1)


def _check_mask(mask: np.ndarray, name: str, connectivity: object = 8) -> np.ndarray:
    """A 2-D bool ndarray — or 3-D with a 3-D connectivity (6, 18, 26) — or ValueError."""
    mask = np.asarray(mask)
    volume = mask.ndim == 3 and connectivity in (6, 18, 26, *WORDS)
    if (mask.ndim != 2 and not volume) or mask.dtype != np.bool_:
        raise ValueError(
            f"{name} must be a 2-D bool array (or 3-D with connectivity 6, 18 or 26), "
            f"not {mask.ndim}-D {mask.dtype}"
        )
    return mask


def _check_count(side: str, n: int, limit: int) -> None:
    if n > limit:
        raise MaskError(
            f"The {side} mask has {n:,} separate objects, more than the limit of {limit:,} "
            "for per-object statistics; switch per-object statistics off, or remove "
            "specks from the mask (e.g. a morphological opening) first."
        )


# Objects per foreground pixel below which a loop over each object's bounding box
# beats one pass over every foreground pixel (~25 µs an object vs ~80 ns a pixel).
_LOOP_PIXELS_PER_OBJECT = 300


def _geometry(
    mask: np.ndarray, labels: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Areas (n+1,), centroids (n+1, 2) and half-open bboxes (n+1, 4), index = label."""
    if mask.ndim != 2:
        return _geometry_nd(labels, n)
    if n and n * _LOOP_PIXELS_PER_OBJECT < np.count_nonzero(mask):
        return _geometry_by_object(labels, n)
    # Foreground pixels only (background is usually most of the image), a strip
    # of rows at a time so the per-pixel temporaries stay a few MB at any size;
    # nonzero of the bool mask is several times faster than of the labels.
    area = np.zeros(n + 1, np.int64)
    sums = np.zeros((n + 1, 2))  # integer-valued: exact in float64 below 2⁵³
    cols = max(labels.shape[1], 1)
    for start, stop in _row_strips(labels.shape):
        index = np.flatnonzero(mask[start:stop])
        lab = labels[start:stop].ravel()[index]
        rows, columns = np.divmod(index, cols)
        area += np.bincount(lab, minlength=n + 1)
        sums[:, 0] += np.bincount(lab, weights=rows + start, minlength=n + 1)
        sums[:, 1] += np.bincount(lab, weights=columns, minlength=n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        centroid = sums / area[:, None]
    bbox = np.zeros((n + 1, 4), np.int64)
    # find_objects reads max_label=0 as "not given" and fails on zero-size input.
    slices = ndimage.find_objects(labels, max_label=n) if n else []
    for i, (r, c) in enumerate(slices, start=1):
        bbox[i] = (r.start, c.start, r.stop, c.stop)
    return area, centroid, bbox


def _geometry_by_object(
    labels: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_geometry` for few large objects: each is measured inside its bounding box."""
    area = np.zeros(n + 1, np.int64)
    centroid = np.full((n + 1, 2), np.nan)
    bbox = np.zeros((n + 1, 4), np.int64)
    for i, found in enumerate(ndimage.find_objects(labels, max_label=n), start=1):
        if found is None:  # an id with no pixels
            continue
        r, c = found
        own = labels[r, c] == i
        per_row = np.count_nonzero(own, axis=1)
        per_col = np.count_nonzero(own, axis=0)
        area[i] = per_row.sum()
        centroid[i] = (
            r.start + per_row @ np.arange(len(per_row)) / area[i],
            c.start + per_col @ np.arange(len(per_col)) / area[i],
        )
        bbox[i] = (r.start, c.start, r.stop, c.stop)
    return area, centroid, bbox


def _geometry_nd(labels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_geometry` of a volume: each object measured inside its bounding box."""
    ndim = labels.ndim
    area = np.zeros(n + 1, np.int64)
    centroid = np.full((n + 1, ndim), np.nan)
    bbox = np.zeros((n + 1, 2 * ndim), np.int64)
    found = ndimage.find_objects(labels, max_label=n) if n else []
    for i, box in enumerate(found, start=1):
        if box is None:
            continue
        own = labels[box] == i
        area[i] = np.count_nonzero(own)
        for axis in range(ndim):
            rest = tuple(a for a in range(ndim) if a != axis)
            per = np.count_nonzero(own, axis=rest)
            centroid[i, axis] = box[axis].start + per @ np.arange(len(per)) / area[i]
        bbox[i] = [b.start for b in box] + [b.stop for b in box]
    return area, centroid, bbox


def _row_strips(shape: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    """(start, stop) rows of consecutive strips of about _STRIP_PIXELS pixels."""
    rows, cols = shape[0], math.prod(shape[1:])
    step = max(1, _STRIP_PIXELS // max(cols, 1))
    for start in range(0, rows, step):
        yield start, min(rows, start + step)


def _pair_overlaps(
    ref_labels: np.ndarray, cand_labels: np.ndarray, both: np.ndarray, n_ref: int, n_cand: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reference id, candidate id, |R∩C|) of every overlapping pair, sorted by pair code."""
    stride = n_cand + 1
    n_bins = (n_ref + 1) * stride
    dense = n_bins <= _DENSE_PAIR_BINS
    counts = np.zeros(n_bins if dense else 0, np.int64)
    found: list[tuple[np.ndarray, np.ndarray]] = []
    for start, stop in _row_strips(both.shape):  # bounded temporaries, as in _geometry
        index = np.flatnonzero(both[start:stop])
        code = ref_labels[start:stop].ravel()[index].astype(np.int64) * stride
        code += cand_labels[start:stop].ravel()[index]
        if dense:
            if len(code):
                # Only the span of codes this strip holds: a strip meets few objects,
                # and a full-length histogram per strip would cost O(n_bins) each.
                low = int(code.min())
                part = np.bincount(code - low)
                counts[low : low + len(part)] += part
        else:
            found.append(np.unique(code, return_counts=True))
    if dense:
        pairs = np.flatnonzero(counts)
        inter = counts[pairs]
    elif found:
        pairs, where = np.unique(np.concatenate([p for p, _ in found]), return_inverse=True)
        inter = np.bincount(where, weights=np.concatenate([c for _, c in found]))
    else:
        pairs = inter = np.zeros(0, np.int64)
    pair_ref, pair_cand = np.divmod(pairs, stride)
    return pair_ref, pair_cand, inter.astype(np.int64)


def _best_partner(
    own: np.ndarray, other: np.ndarray, iou: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per object (index = id): id of the highest-IoU partner (0 if none, smallest on ties)."""
    best_id = np.zeros(n + 1, np.int64)
    best_iou = np.zeros(n + 1)
    if len(own):
        order = np.lexsort((other, -iou, own))
        first = np.flatnonzero(np.r_[True, own[order][1:] != own[order][:-1]])
        pick = order[first]
        best_id[own[pick]] = other[pick]
        best_iou[own[pick]] = iou[pick]
    return best_id, best_iou


def _match(
    pair_ref: np.ndarray,
    pair_cand: np.ndarray,
    iou: np.ndarray,
    n_ref: int,
    n_cand: int,
    match_iou: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """One-to-one matching of eligible pairs with the largest total IoU, and the method."""
    eligible = iou >= match_iou
    er, ec, ei = pair_ref[eligible], pair_cand[eligible], iou[eligible]
    deg_ref = np.bincount(er, minlength=n_ref + 1)
    deg_cand = np.bincount(ec, minlength=n_cand + 1)
    alone = (deg_ref[er] == 1) & (deg_cand[ec] == 1)
    if alone.all():
        return er, ec, ei, "unique"

    out_ref, out_cand = [er[alone]], [ec[alone]]
    gr, gc, gi = er[~alone], ec[~alone], ei[~alone]
    # Connected groups of eligible pairs are independent assignment problems.
    nodes_ref, ref_local = np.unique(gr, return_inverse=True)
    nodes_cand, cand_local = np.unique(gc, return_inverse=True)
    k = len(nodes_ref)
    graph = sparse.coo_array(
        (np.ones(len(gr)), (ref_local, k + cand_local)), shape=(k + len(nodes_cand),) * 2
    )
    _, component = csgraph.connected_components(graph, directed=False)
    edge_component = component[ref_local]
    order = np.argsort(edge_component, kind="stable")
    bounds = np.flatnonzero(np.diff(edge_component[order])) + 1
    for edges in np.split(order, bounds):
        rows, r_inv = np.unique(ref_local[edges], return_inverse=True)
        cols, c_inv = np.unique(cand_local[edges], return_inverse=True)
        if len(rows) * len(cols) <= _DENSE_ASSIGNMENT_CELLS:
            block = np.zeros((len(rows), len(cols)))
            block[r_inv, c_inv] = gi[edges]
            ri, ci = optimize.linear_sum_assignment(block, maximize=True)
            # Non-eligible cells are 0 and add nothing; drop them from the result.
            keep = block[ri, ci] > 0
            ri, ci = ri[keep], ci[keep]
        else:
            ri, ci = _sparse_assignment(r_inv, c_inv, gi[edges], len(rows), len(cols))
        out_ref.append(nodes_ref[rows[ri]])
        out_cand.append(nodes_cand[cols[ci]])
    m_ref = np.concatenate(out_ref)
    m_cand = np.concatenate(out_cand)
    m_iou = _iou_lookup(pair_ref, pair_cand, iou, m_ref, m_cand, n_cand)
    return m_ref, m_cand, m_iou, "hungarian"


def _iou_lookup(
    pair_ref: np.ndarray,
    pair_cand: np.ndarray,
    iou: np.ndarray,
    m_ref: np.ndarray,
    m_cand: np.ndarray,
    n_cand: int,
) -> np.ndarray:
    """IoU of the given (reference, candidate) pairs, looked up in the sorted pair list."""
    codes = pair_ref * (n_cand + 1) + pair_cand
    return iou[np.searchsorted(codes, m_ref * (n_cand + 1) + m_cand)]


def _sparse_assignment(
    rows: np.ndarray, cols: np.ndarray, weight: np.ndarray, n: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-total-weight matching (not necessarily full) with memory linear in the edges.

    LAPJVsp needs a full matching, so every object gets a dummy partner:
    rows = n objects + m dummies, columns = m objects + n dummies. Object i may
    stay unmatched via (i, dummy i) and column j via (dummy j, j), each costing
    2; a real pair costs 2 − w and frees the dummies (dummy j, dummy i), joined
    by a cost-2 edge. Any full matching then costs 2(n + m) − Σ w of its real
    pairs, so the cheapest one has the largest total weight. No cost is 0,
    which LAPJVsp would read as a missing edge.
    """
    e = len(rows)
    r = np.concatenate([rows, np.arange(n), n + np.arange(m), n + cols])
    c = np.concatenate([cols, m + np.arange(n), np.arange(m), m + rows])
    w = np.concatenate([2.0 - weight, np.full(n + m + e, 2.0)])
    graph = sparse.csr_array((w, (r, c)), shape=(n + m, n + m))
    ri, ci = csgraph.min_weight_full_bipartite_matching(graph)
    real = (ri < n) & (ci < m)
    return ri[real], ci[real]


def _records(
    side: str,
    area: np.ndarray,
    centroid: np.ndarray,
    bbox: np.ndarray,
    match: np.ndarray,
    match_iou: np.ndarray,
    best_id: np.ndarray,
    best_iou: np.ndarray,
    part_of: np.ndarray,
    split: np.ndarray,
    merged: np.ndarray,
) -> tuple[ObjectRecord, ...]:
    """ObjectRecords for ids 1 … n from per-id arrays (index 0 = background, skipped)."""
    unmatched = "missed" if side == "reference" else "extra"
    columns = zip(
        area[1:].tolist(),
        centroid[1:].tolist(),
        bbox[1:].tolist(),
        match[1:].tolist(),
        match_iou[1:].tolist(),
        best_id[1:].tolist(),
        best_iou[1:].tolist(),
        part_of[1:].tolist(),
        split[1:].tolist(),
        merged[1:].tolist(),
        strict=True,
    )
    return tuple(
        ObjectRecord(
            side=side,
            id=i,
            area=a,
            centroid=tuple(cen),
            bbox=tuple(bb),
            status="matched" if mid else unmatched,
            matched_id=mid or None,
            matched_iou=miou if mid else None,
            best_id=bid or None,
            best_iou=biou,
            part_of=part or None,
            split=sp,
            merged=mg,
        )
        for i, (a, cen, bb, mid, miou, bid, biou, part, sp, mg) in enumerate(columns, start=1)
    )
