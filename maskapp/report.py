"""Words and tables for a :class:`~maskapp.compare.Comparison`: shared by the CLI and the app.

Numbers get at least three decimals; undefined and infinite values are never
shown as bare ``nan`` / ``inf`` but with their reason, e.g. ``"∞ — candidate is
empty"``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import numpy as np

from .compare import Comparison

# (key, label, group) for every scalar statistic shown in tables and CSV.
OVERLAP_ROWS = [
    ("iou", "IoU (Jaccard)", "overlap"),
    ("dice", "Dice (F1)", "overlap"),
    ("precision", "Precision", "overlap"),
    ("recall", "Recall (sensitivity)", "overlap"),
    ("specificity", "Specificity", "overlap"),
    ("accuracy", "Accuracy", "overlap"),
    ("balanced_accuracy", "Balanced accuracy", "overlap"),
    ("mcc", "Matthews correlation (MCC)", "overlap"),
    ("kappa", "Cohen's kappa", "overlap"),
    ("volume_similarity", "Volume similarity", "overlap"),
    ("relative_area_difference", "Relative area difference (B−A)/A", "overlap"),
    ("reference_area", "Reference area (A) px", "counts"),
    ("candidate_area", "Candidate area (B) px", "counts"),
    ("intersection", "Intersection A∩B px", "counts"),
    ("union", "Union A∪B px", "counts"),
    ("tp", "True positives px", "counts"),
    ("fp", "False positives px", "counts"),
    ("fn", "False negatives px", "counts"),
    ("tn", "True negatives px", "counts"),
    ("centroid_offset", "Centroid offset", "geometry"),
]
SURFACE_ROWS = [
    ("hausdorff", "Hausdorff distance", "distance"),
    ("hd95", "HD95", "distance"),
    ("assd", "Average symmetric surface distance (ASSD)", "distance"),
    ("masd", "Mean average surface distance (MASD)", "distance"),
    ("directed_hausdorff_reference_to_candidate", "Hausdorff A→B", "distance"),
    ("directed_hausdorff_candidate_to_reference", "Hausdorff B→A", "distance"),
    ("directed_hd95_reference_to_candidate", "HD95 A→B", "distance"),
    ("directed_hd95_candidate_to_reference", "HD95 B→A", "distance"),
    ("surface_dice", "Surface Dice at τ", "distance"),
    ("boundary_iou", "Boundary IoU", "distance"),
]
OBJECT_ROWS = [
    ("reference_count", "Reference objects", "objects"),
    ("candidate_count", "Candidate objects", "objects"),
    ("tp", "Matched objects (TP)", "objects"),
    ("fp", "Extra objects (FP)", "objects"),
    ("fn", "Missed objects (FN)", "objects"),
    ("precision", "Object precision", "objects"),
    ("recall", "Object recall", "objects"),
    ("f1", "Object F1", "objects"),
    ("pq", "Panoptic quality (PQ)", "objects"),
    ("sq", "Segmentation quality (SQ)", "objects"),
    ("rq", "Recognition quality (RQ)", "objects"),
    ("splits", "Split reference objects", "objects"),
    ("merges", "Merged candidate objects", "objects"),
]


def format_value(value: Any, reason: str | None = None, *, digits: int = 4) -> str:
    """A number as text: ints with separators, floats with ``digits`` decimals.

    Examples
    --------
    >>> format_value(0.123456), format_value(12345), format_value(None)
    ('0.1235', '12,345', '—')
    >>> format_value(float("inf"), "the candidate is empty")
    '∞ — the candidate is empty'
    >>> format_value(float("nan"), "the reference is empty")
    'undefined — the reference is empty'

    NumPy scalars read as the Python value they hold:

    >>> format_value(np.float32("nan")), format_value(np.int64(12345))
    ('undefined', '12,345')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return f"undefined — {reason}" if reason else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return f"∞ — {reason}" if reason else "∞"
        if math.isnan(value):
            return f"undefined — {reason}" if reason else "undefined"
        return f"{value:.{digits}f}"
    if isinstance(value, tuple | list):
        return "(" + ", ".join(format_value(v, digits=1) for v in value) + ")"
    return str(value)


def edge_case_sentence(result: Comparison) -> str | None:
    """The empty-mask situation in words, or None when both masks have pixels."""
    o = result.overlap
    if o.both_empty:
        return (
            "Both masks are empty: IoU and Dice are 1 by convention (perfect agreement "
            "on nothing); precision and recall are undefined; distances are 0."
        )
    if o.candidate_empty:
        return (
            "The candidate is empty: IoU and Dice are 0, precision is undefined and "
            "every boundary distance is infinite (a missed prediction)."
        )
    if o.reference_empty:
        return (
            "The reference is empty: IoU and Dice are 0, recall is undefined and "
            "every boundary distance is infinite (a prediction where there is nothing)."
        )
    return None


def statistic_rows(result: Comparison) -> list[dict[str, str]]:
    """Every scalar statistic as ``{"group", "statistic", "value", "key"}`` rows."""
    data = result.to_dict()
    undefined = data["undefined"]
    rows = []

    def add(key: str, label: str, group: str, value: Any, reason_key: str) -> None:
        raw = _raw_value(result, group, key, value)
        rows.append(
            {
                "group": group,
                "key": key,
                "statistic": label,
                "value": format_value(raw, undefined.get(reason_key)),
            }
        )

    for key, label, group in OVERLAP_ROWS:
        add(key, label, group, data.get(key), key)
    if result.surface is not None:
        for key, label, group in SURFACE_ROWS:
            add(key, label, group, data.get(key), key)
    if result.classes is not None:
        for key, label in (("mean_iou", "Mean IoU"), ("mean_dice", "Mean Dice")):
            add(key, label, "classes", data.get(key), f"classes.{key}")
    if result.objects is not None:
        objects = data["objects"]
        for key, label, group in OBJECT_ROWS:
            add(key, label, group, objects.get(key), f"objects.{key}")
    return rows


def _raw_value(result: Comparison, group: str, key: str, value: Any) -> Any:
    """Prefer the un-serialised value so inf / NaN keep their meaning."""
    source = {
        "overlap": result.overlap,
        "counts": result.overlap,
        "geometry": result.overlap,
        "distance": result.surface,
        "objects": result.objects,
        "classes": result.classes,
    }[group]
    return getattr(source, key, value)


def statistics_csv(result: Comparison) -> str:
    """The statistics table as CSV text (group, statistic, key, value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["group", "statistic", "key", "value"])
    data = result.to_dict()
    for row in statistic_rows(result):
        group, key = row["group"], row["key"]
        raw = data["objects"].get(key) if group == "objects" else data.get(key)
        writer.writerow([group, row["statistic"], key, "" if raw is None else raw])
    return buffer.getvalue()


def statistics_json(result: Comparison) -> str:
    """The full result as strict JSON (no NaN / Infinity literals)."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)


def text_report(result: Comparison, *, reference_name: str, candidate_name: str) -> str:
    """The CLI's human-readable table."""
    lines = [
        f"reference (A): {reference_name}",
        f"  {result.reference.summary()}",
        f"candidate (B): {candidate_name}",
        f"  {result.candidate.summary()}",
    ]
    for info in (result.reference, result.candidate):
        for note in info.notes:
            lines.append(f"  note: {note}")
    sentence = edge_case_sentence(result)
    if sentence:
        lines += ["", sentence]
    rows = statistic_rows(result)
    width = max(len(r["statistic"]) for r in rows)
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            lines += ["", group.capitalize()]
        lines.append(f"  {row['statistic']:<{width}}  {row['value']}")
    if result.compat is not None:
        lines += ["", *compat_lines(result)]
    if result.classes is not None:
        lines += ["", "Per class"]
        header = f"  {'class':>8} {'ref px':>10} {'cand px':>10} {'IoU':>8} {'Dice':>8}"
        lines.append(header)
        for c in result.classes.classes:
            lines.append(
                f"  {c.name:>8} {c.reference_area:>10,} {c.candidate_area:>10,} "
                f"{format_value(c.iou):>8} {format_value(c.dice):>8}"
            )
    return "\n".join(lines)


#: Labels of the compatibility keys, in table order.
COMPAT_LABELS = {
    "dice": "Dice",
    "iou": "IoU",
    "hausdorff": "Hausdorff",
    "hd95": "HD95",
    "assd": "ASSD",
    "asd": "ASD (mean B→A)",
    "masd": "MASD",
    "mean_reference_to_candidate": "mean A→B",
    "mean_candidate_to_reference": "mean B→A",
    "surface_dice": "Surface Dice",
    "boundary_iou": "Boundary IoU",
}


def compat_rows(result: Comparison) -> list[dict[str, Any]]:
    """One row per compatibility key: maskapp's value and each library's, raw.

    Each row is ``{"key", "statistic", "maskapp", <library>: value or None,
    "differs": [libraries whose value differs]}``; a library that does not
    report the key has None.
    """
    from .compat import KEYS, own_values

    values = result.compat or {}
    own = own_values(result)
    rows = []
    for key in KEYS:
        if not any(key in v for v in values.values()):
            continue
        row: dict[str, Any] = {
            "key": key,
            "statistic": COMPAT_LABELS[key],
            "maskapp": own.get(key),
        }
        for library, library_values in values.items():
            row[library] = library_values.get(key)
        row["differs"] = [
            lib for lib, notes in result.compat_notes.items() if key in notes
        ]
        rows.append(row)
    return rows


def compat_text(value: Any) -> str:
    """A compatibility value as a short table cell (NaN, ∞, 'raises …' as they are)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4f}"


def compat_lines(result: Comparison) -> list[str]:
    """The compatibility table, its notes and warnings as text lines."""
    libraries = list(result.compat or {})
    rows = compat_rows(result)
    header = ["statistic", "maskapp", *libraries]
    cells = [
        [row["statistic"], compat_text(row["maskapp"])]
        + [compat_text(row[lib]) + ("*" if lib in row["differs"] else "") for lib in libraries]
        for row in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["Other libraries (* differs from maskapp; why below)"]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for c in cells:
        lines.append("  " + "  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))
    for library, notes in result.compat_notes.items():
        for key, sentence in notes.items():
            lines.append(f"  * {library} {COMPAT_LABELS[key]}: {sentence}")
    for warning in result.compat_warnings:
        lines.append(f"  warning: {warning}")
    return lines


# Bidirectional overrides and other invisible controls that could disguise a name.
_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x20), 0x7F, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
     *range(0x2066, 0x206A), 0xFEFF],
)
_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:=&\"'")


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown / HTML / LaTeX special character backslash-escaped.

    Examples
    --------
    >>> print(escape_markdown("*z* [x]"))
    \\*z\\* \\[x\\]
    """
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def display_name(name: str | None, *, max_length: int = 60) -> str:
    """A user-supplied file name as inert text for any Markdown-rendering label.

    Keeps only the last path component, drops control and bidirectional-override
    characters, shortens long names in the middle, and backslash-escapes every
    Markdown / HTML / LaTeX special character, so ``[x](javascript:…)``,
    ``<img>``, ``$x$`` or ``:red[x]`` show literally.

    Examples
    --------
    >>> display_name("../../etc/[click](javascript:alert(1)).png")
    '\\\\[click\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\)\\\\.png'
    """
    text = (name or "unnamed").replace("\\", "/").rsplit("/", 1)[-1]
    text = text.translate(_INVISIBLE).strip() or "unnamed"
    if len(text) > max_length:
        keep = max_length - 1
        text = text[: keep // 2] + "…" + text[-(keep - keep // 2) :]
    return escape_markdown(text)
