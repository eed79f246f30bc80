"""A batch's results: every case worst-first, summaries, pooled figures, JSON and CSV.

:class:`BatchResult` is reduced from a stream of outcomes by a
:class:`Builder`: confusion matrices are summed as they arrive (integers, so
order does not matter) and dropped; everything else is computed once at the
end from the cases in name order, so the numbers do not depend on the number
of workers or the order in which they finished.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .. import __version__
from ..compare import conventions as pair_conventions
from ..compat import LIBRARIES, encode
from ..compat.aggregate import RULES, DatasetMean, dataset_mean
from ..errors import MaskError
from ..numbers import json_ready
from ..pair import Options
from .evaluate import (
    COMPAT_OWN_KEYS,
    COUNT_KEYS,
    CaseResult,
    Missing,
    Outcome,
    metric_names,
    own_key,
    sort_key,
)
from .paired import PairedComparison, compare_models
from .pairing import Pairing
from .summary import ClassAccumulator, MetricSummary, higher_is_better, pooled_overlap, summarize

#: Bootstrap resamples of every confidence interval.
RESAMPLES = 2000


def is_summarised(case: CaseResult, missing: Missing) -> bool:
    """Whether a case's values enter the summaries: evaluated, or missing and scored empty."""
    return case.status == "ok" or (case.status == "missing_candidate" and missing == "worst")


def check_sort(sort: str, options: Options) -> None:
    """Refuse a ``--sort`` statistic these options do not compute."""
    names = metric_names(options)
    if sort not in names:
        raise MaskError(
            f"--sort {sort} is not a statistic of this run; choose one of {', '.join(names)}."
        )


@dataclass(frozen=True)
class ModelResult:
    """One candidate set's cases (worst-first) and what is summarised from them."""

    cases: tuple[CaseResult, ...]
    summary: dict[str, MetricSummary]
    pooled: dict[str, Any]
    classes: list[dict[str, Any]] | None
    #: With ``options.compat``: library (``"maskapp"`` first) → key → its dataset mean.
    compat: dict[str, dict[str, DatasetMean]] | None = None

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if c.status == "failed")

    @property
    def missing(self) -> tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if c.status == "missing_candidate")

    def counts(self) -> dict[str, int]:
        """How many cases ended each way."""
        out = {"ok": 0, "missing_candidate": 0, "failed": 0}
        for case in self.cases:
            out[case.status] += 1
        return out


@dataclass(frozen=True)
class BatchResult:
    """Everything a batch computed.

    ``candidates`` is the candidate set's :class:`ModelResult`; in two-model
    mode ``against`` is the second set's and ``paired`` compares them per
    metric (B = ``against`` minus A = ``candidates``).
    """

    pairing: Pairing
    options: Options
    candidates: ModelResult
    against: ModelResult | None
    paired: dict[str, PairedComparison] | None
    missing: Missing
    sort: str
    seed: int

    @property
    def cases(self) -> tuple[CaseResult, ...]:
        return self.candidates.cases

    @property
    def summary(self) -> dict[str, MetricSummary]:
        return self.candidates.summary

    @property
    def pooled(self) -> dict[str, Any]:
        return self.candidates.pooled

    @property
    def classes(self) -> list[dict[str, Any]] | None:
        return self.candidates.classes

    @property
    def metrics(self) -> tuple[str, ...]:
        return metric_names(self.options)

    @property
    def exit_code(self) -> int:
        """0: every case evaluated; 3: some failed or were missing; 2: none could be compared."""
        models = [self.candidates] + ([self.against] if self.against else [])
        if not any(c.status == "ok" for m in models for c in m.cases):
            return 2
        if self.pairing.missing_reference or any(
            c.status != "ok" for m in models for c in m.cases
        ):
            return 3
        return 0

    def values(self, metric: str, *, against: bool = False) -> list[float | None]:
        """The values a summary is over: one per summarised case, in name order."""
        model = self.against if against else self.candidates
        if model is None:
            return []
        cases = sorted(model.cases, key=lambda c: c.name)
        return [c.value(metric) for c in cases if is_summarised(c, self.missing)]

    def sorted_by(self, sort: str) -> BatchResult:
        """The same result ordered worst first by another statistic (nothing recomputed)."""
        check_sort(sort, self.options)
        key = sort_key(sort, higher_is_better(sort))
        models = {}
        for name in ("candidates", "against"):
            model = getattr(self, name)
            if model is not None:
                models[name] = replace(model, cases=tuple(sorted(model.cases, key=key)))
        return replace(self, sort=sort, **models)

    @staticmethod
    def builder(
        pairing: Pairing, options: Options, *, missing: Missing, sort: str, seed: int
    ) -> Builder:
        return Builder(pairing, options, missing, sort, seed)

    def sentence(self) -> str:
        """One line of what happened to every case."""
        counts = self.candidates.counts()
        parts = [f"{counts['ok']} of {len(self.cases)} cases evaluated"]
        if counts["missing_candidate"]:
            how = "left out of the summaries" if self.missing == "skip" else "scored as empty"
            parts.append(f"{counts['missing_candidate']} missing a candidate ({how})")
        if counts["failed"]:
            parts.append(f"{counts['failed']} failed")
        orphans = len(self.pairing.missing_reference)
        if orphans:
            parts.append(f"{orphans} candidate{'s' if orphans > 1 else ''} without a reference")
        if self.against is not None:
            other = self.against.counts()
            parts.append(
                f"second set: {other['ok']} evaluated, {other['missing_candidate']} missing, "
                f"{other['failed']} failed"
            )
        return "; ".join(parts) + "."

    def conventions(self) -> dict[str, Any]:
        """Every choice behind the dataset figures, in words (plus the pair conventions)."""
        return {
            "missing_candidate": (
                "left out of every summary and pooled figure, still listed and counted"
                if self.missing == "skip"
                else "compared as an empty candidate: IoU = Dice = 0, distances infinite "
                "(status missing_candidate), included in every summary"
            ),
            "failed": "listed with its stage and reason; counted in n_failed, in no statistic",
            "summary": (
                "mean, std (sample, ddof = 1) and ci95 over the finite values; n_infinite "
                "counts the infinite ones; median, q1, q3, min and max include infinite "
                "values (null in JSON, named under 'infinite'); undefined values (NaN) are "
                "counted as n - n_defined and used nowhere"
            ),
            "ci95": (
                f"percentile bootstrap of the mean, {RESAMPLES} resamples, seed {self.seed}, "
                "cases in name order"
            ),
            "pooled": "TP, FP and FN summed over every summarised case, then the ratios (micro)",
            "per_class": (
                "pooled IoU from the confusion matrix summed over cases (PASCAL VOC / "
                "Cityscapes), beside the mean of the per-case IoU where it is defined"
            ),
            "order": f"worst first by {self.sort}; failed cases first, then undefined values",
            "comparison": "differences are against minus candidates (B − A); a win is B better",
            "pair": pair_conventions(self.options.to_dict() | {"kind": self.options.kind}),
            **self._compat_conventions(),
        }

    def _compat_conventions(self) -> dict[str, Any]:
        if not self.options.compat:
            return {}
        return {
            "compat_means": {name: RULES[name] for name in ("maskapp", *self.options.compat)},
            "compat_values": (
                "compat.<library>.<key> is what that library returns for the case (reproduced "
                "by maskapp, never imported); in JSON NaN and ±inf are the strings 'NaN', "
                "'Infinity', '-Infinity' inside the compat blocks, and a library that raises "
                "gives 'raises <ExceptionName>'"
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``maskapp batch --json``: no NaN or Infinity anywhere."""
        out: dict[str, Any] = {
            "pairing": self.pairing.to_dict(),
            "sentence": self.sentence(),
            **_model_dict(self.candidates),
        }
        if self.against is not None:
            out["against"] = _model_dict(self.against)
        if self.paired is not None:
            out["comparison"] = {m: p.to_dict() for m, p in self.paired.items()}
        out.update(
            options=self.options.to_dict(),
            missing=self.missing,
            sort=self.sort,
            seed=self.seed,
            conventions=self.conventions(),
            maskapp_version=__version__,
        )
        return json_ready(out)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)

    def to_csv(self) -> str:
        """One row per case, failures included (and a ``model`` column with two models)."""
        models = [("candidates", self.candidates)]
        if self.against is not None:
            models.append(("against", self.against))
        class_columns = sorted(
            {k for _, m in models for c in m.cases for k in c.row if k.startswith("class_iou.")},
            key=lambda k: int(k.split(".", 1)[1]),
        )
        columns = ["name", "status", "stage", "error", "reference", "candidate", "shape"]
        columns += [*COUNT_KEYS, *self.metrics, *class_columns, *self.compat_columns()]
        if len(models) > 1:
            columns.insert(0, "model")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for label, model in models:
            for case in model.cases:
                row = {
                    k: encode(v) if k.startswith("compat.") else _csv_value(v)
                    for k, v in case.row.items()
                }
                row.update(
                    model=label,
                    name=case.name,
                    status=case.status,
                    stage=case.stage or "",
                    error=case.error or "",
                    reference=case.reference or "",
                    candidate=case.candidate or "",
                )
                writer.writerow(row)
        return buffer.getvalue()


    def compat_columns(self) -> list[str]:
        """``compat.<library>.<key>`` for every library and key of the run, maskapp's first."""
        if not self.options.compat:
            return []
        out = [f"compat.maskapp.{key}" for key in COMPAT_OWN_KEYS] if self.options.distances else []
        for library in self.options.compat:
            out += [f"compat.{library}.{key}" for key in LIBRARIES[library].KEYS]
        return out


def _csv_value(value: Any) -> Any:
    """Floats as Python writes them, infinity as ``inf``, undefined as an empty cell."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return "inf" if value == math.inf else repr(value)
    return value


def _case_dict(case: CaseResult) -> dict[str, Any]:
    out: dict[str, Any] = {"name": case.name, "status": case.status}
    if case.status == "failed":
        out.update(stage=case.stage, error=case.error)
    out.update(reference=case.reference, candidate=case.candidate)
    compat: dict[str, dict[str, Any]] = {}
    for key, value in case.row.items():
        if key.startswith("compat."):
            _, library, name = key.split(".", 2)
            compat.setdefault(library, {})[name] = encode(value)
        else:
            out[key] = value
    if compat:
        out["compat"] = compat
    if case.undefined:
        out["undefined"] = dict(case.undefined)
    return out


def _model_dict(model: ModelResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "counts": model.counts(),
        "cases": [_case_dict(c) for c in model.cases],
        "failures": [
            {"name": c.name, "stage": c.stage, "error": c.error} for c in model.failures
        ],
        "summary": {m: s.to_dict() for m, s in model.summary.items()},
        "pooled": model.pooled,
    }
    if model.classes is not None:
        out["per_class"] = model.classes
    if model.compat is not None:
        out["compat_means"] = {
            library: {key: mean.to_dict() for key, mean in means.items()}
            for library, means in model.compat.items()
        }
    return out


class Builder:
    """Reduces outcomes as they arrive into a :class:`BatchResult`.

    Outcomes are kept as small rows (and label mode's sparse confusion
    counts); every figure is computed in :meth:`result` from the cases in name
    order, so float sums come out bit-identical whatever the worker count.
    """

    def __init__(
        self, pairing: Pairing, options: Options, missing: Missing, sort: str, seed: int
    ) -> None:
        self.pairing, self.options = pairing, options
        self.missing, self.sort, self.seed = missing, sort, seed
        self.outcomes: list[Outcome] = []

    def add(self, outcome: Outcome) -> None:
        """Take one outcome (called as each arrives, in any order)."""
        self.outcomes.append(outcome)

    def _classes(self, outcomes: list[Outcome], against: bool) -> list[dict[str, Any]] | None:
        """The dataset's per-class table, fed in case-name order."""
        if self.options.kind != "labels":
            return None
        accumulator = ClassAccumulator()
        for outcome in sorted(outcomes, key=lambda o: o.candidate.name):
            case = outcome.against if against else outcome.candidate
            counts = outcome.against_classes if against else outcome.classes
            if case is None or counts is None or not self._summarised(case):
                continue
            class_iou = {
                int(k.split(".", 1)[1]): v
                for k, v in case.row.items()
                if k.startswith("class_iou.")
            }
            accumulator.add(
                counts.labels, counts.confusion, class_iou, candidate_void=counts.candidate_void
            )
        return accumulator.table(
            include_background=self.options.include_background,
            background=0,
            class_names=self.options.class_names,
        )

    def _summarised(self, case: CaseResult) -> bool:
        return is_summarised(case, self.missing)

    def _model(self, cases: Iterable[CaseResult], classes) -> ModelResult:
        in_name_order = sorted(cases, key=lambda c: c.name)
        summarised = [c for c in in_name_order if self._summarised(c)]
        failed = sum(c.status == "failed" for c in in_name_order)
        summary = {
            metric: summarize(
                metric,
                [c.value(metric) for c in summarised],
                n_failed=failed,
                seed=self.seed,
                resamples=RESAMPLES,
            )
            for metric in metric_names(self.options)
        }
        tp = sum(int(c.row["tp"]) for c in summarised)
        fp = sum(int(c.row["fp"]) for c in summarised)
        fn = sum(int(c.row["fn"]) for c in summarised)
        key = sort_key(self.sort, higher_is_better(self.sort))
        return ModelResult(
            tuple(sorted(in_name_order, key=key)),
            summary,
            pooled_overlap(tp, fp, fn),
            classes,
            self._compat_means(summarised, summary),
        )

    def _compat_means(
        self, summarised: list[CaseResult], summary: dict[str, MetricSummary]
    ) -> dict[str, dict[str, DatasetMean]] | None:
        """Each library's dataset means by its own rule, maskapp's beside them (name order)."""
        libraries = self.options.compat
        if not libraries:
            return None
        out: dict[str, dict[str, DatasetMean]] = {}
        for library in libraries:
            out[library] = {}
            for name in LIBRARIES[library].KEYS:
                values = [c.row[f"compat.{library}.{name}"] for c in summarised
                          if f"compat.{library}.{name}" in c.row]  # fmt: skip
                out[library][name] = dataset_mean(library, name, values)
        own: dict[str, DatasetMean] = {}
        for name in dict.fromkeys(k for means in out.values() for k in means):
            row_key = own_key(name)
            if not any(row_key in c.row for c in summarised):
                continue  # not computed by maskapp in this run (distances off)
            if row_key in summary:
                s = summary[row_key]
            else:  # the summary's rule (mean of the finite values), without its interval
                s = summarize(name, [c.value(row_key) for c in summarised], resamples=1)
            mean = math.nan if s.mean is None else s.mean
            own[name] = DatasetMean("maskapp", name, mean, s.n_finite, s.n - s.n_finite)
        return {"maskapp": own, **out}

    def result(self) -> BatchResult:
        outcomes = self.outcomes
        candidates = self._model((o.candidate for o in outcomes), self._classes(outcomes, False))
        against = paired = None
        if self.pairing.against is not None:
            against = self._model(
                (o.against for o in outcomes if o.against is not None),
                self._classes(outcomes, True),
            )
            paired = self._paired(candidates, against)
        return BatchResult(
            self.pairing, self.options, candidates, against, paired,
            self.missing, self.sort, self.seed,
        )

    def _paired(self, a: ModelResult, b: ModelResult) -> dict[str, PairedComparison]:
        """Per metric, the cases both sets have a summarised value for, in name order."""
        a_by_name = {c.name: c for c in a.cases if self._summarised(c)}
        b_by_name = {c.name: c for c in b.cases if self._summarised(c)}
        names = sorted(a_by_name.keys() & b_by_name.keys())
        return {
            metric: compare_models(
                metric,
                names,
                [a_by_name[n].value(metric) for n in names],
                [b_by_name[n].value(metric) for n in names],
                seed=self.seed,
                resamples=RESAMPLES,
            )
            for metric in metric_names(self.options)
        }
