"""A batch result in words and plain-text tables (the CLI's stdout)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..report import format_value
from .results import BatchResult, ModelResult

#: Statistics shown in the short tables (all of them are in the JSON and CSV).
SHORT_METRICS = ("iou", "dice", "hd95", "assd", "surface_dice", "objects.f1", "mean_iou")
WORST = 10


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return lines


def _number(value: float | None) -> str:
    return "∞" if value == float("inf") else format_value(value)


def summary_lines(model: ModelResult, metrics: Sequence[str]) -> list[str]:
    """The per-metric summary table."""
    rows = []
    for metric in metrics:
        s = model.summary[metric]
        ci = "—" if s.ci95 is None else f"[{_number(s.ci95[0])}, {_number(s.ci95[1])}]"
        rows.append([
            metric, _number(s.mean), ci, _number(s.median), _number(s.q1), _number(s.q3),
            _number(s.min), _number(s.max), f"{s.n_defined}/{s.n}", str(s.n_infinite),
            str(s.n_failed),
        ])
    header = ["metric", "mean", "95% CI", "median", "q1", "q3", "min", "max",
              "defined", "infinite", "failed"]
    return _table(header, rows)


def worst_lines(model: ModelResult, metrics: Sequence[str], sort: str) -> list[str]:
    """The first cases of the worst-first order (failed ones with their reason)."""
    shown = [m for m in SHORT_METRICS if m in metrics]
    if sort not in shown:
        shown.insert(0, sort)
    rows, reasons = [], []
    for case in model.cases[:WORST]:
        name = _short(case.name)
        if case.status == "failed":
            rows.append([name, f"failed: {case.stage}", *["—"] * len(shown)])
            reasons.append(f"  {name}: {case.error}")
        else:
            rows.append([name, case.status, *[_number(case.value(m)) for m in shown]])
    return _table(["case", "status", *shown], rows) + reasons


def compat_lines(model: ModelResult) -> list[str]:
    """Each library's dataset mean per key beside maskapp's, and each library's rule.

    A cell reads ``mean (n/N)`` when the mean is over n of the N summarised
    cases (the rest dropped as NaN, raised, or infinite for maskapp).
    """
    from ..compat import KEYS
    from ..compat.aggregate import RULES

    means = model.compat or {}
    libraries = list(means)
    total = max((m.n + m.n_dropped + m.n_failed for lib in means.values() for m in lib.values()),
                default=0)  # fmt: skip
    rows = []
    for key in KEYS:
        if not any(key in means[library] for library in libraries):
            continue
        cells = [key]
        for library in libraries:
            mean = means[library].get(key)
            if mean is None:
                cells.append("—")
                continue
            value = mean.mean
            if not isinstance(value, str):
                value = "NaN" if math.isnan(value) else _number(value)
            whole = mean.n == total or isinstance(mean.mean, str)
            cells.append(value if whole else f"{value} ({mean.n}/{total})")
        rows.append(cells)
    lines = _table(["metric", *libraries], rows)
    lines += ["How each averages (n/N: the mean is over n of the N cases):"]
    lines += [f"  {library}: {RULES[library]}" for library in libraries]
    return lines


def _short(name: str, limit: int = 40) -> str:
    """A case name cut to ``limit`` characters, keeping its end (where names differ)."""
    return name if len(name) <= limit else "…" + name[-(limit - 1) :]


def text_report(result: BatchResult) -> str:
    """Summary, pooled figures, the worst cases and (two models) the comparison."""
    metrics = result.metrics
    lines = [result.sentence(), "Pairing: " + result.pairing.sentence(), ""]
    lines += ["Summary over cases (mean and 95% CI over finite values):"]
    lines += summary_lines(result.candidates, metrics)
    pooled = result.pooled
    lines += ["", "Pooled over all pixels (micro): " + ", ".join(
        f"{k} {_number(pooled.get(k))}" for k in ("iou", "dice", "precision", "recall")
    )]
    if result.classes:
        lines += ["", "Per class over the dataset (IoU of the summed confusion matrix):"]
        lines += _table(
            ["class", "pooled IoU", "mean IoU over cases", "cases"],
            [[str(r.get("name") or r["label"]), _number(r.get("pooled_iou")),
              _number(r.get("mean_iou")), str(r.get("n_cases", ""))] for r in result.classes],
        )
    if result.candidates.compat is not None:
        lines += ["", "Dataset means as other libraries would report them (compat):"]
        lines += compat_lines(result.candidates)
    lines += ["", f"Worst {min(WORST, len(result.cases))} cases by {result.sort}:"]
    lines += worst_lines(result.candidates, metrics, result.sort)
    if result.paired is not None:
        lines += ["", "Two models (difference = against − candidates; a win is against better):"]
        rows = []
        for metric, p in result.paired.items():
            ci = "—" if p.ci95 is None else f"[{_number(p.ci95[0])}, {_number(p.ci95[1])}]"
            rows.append([
                metric, f"{p.wins}/{p.ties}/{p.losses}", _number(p.mean_difference), ci,
                "—" if p.wilcoxon_p is None else f"{p.wilcoxon_p:.3g}", str(p.n),
            ])
        lines += _table(["metric", "wins/ties/losses", "mean diff", "95% CI",
                         "Wilcoxon p", "cases"], rows)
    return "\n".join(lines)
