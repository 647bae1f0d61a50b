"""The rule engine: pure, no database, no request. Judges one person's credits for one period
against one rule-set version and explains every step.

Order of the judgement (each step sees only what the steps before let through):
1. reversals: an entry and the entry that reverses it both count 0;
2. duplicates: the same artefact counts once (the earliest); later ones are "duplicate";
3. units: an entry in another unit is converted by the rule set's unit_rates, or excluded;
4. caps per item, then per day, then per period (an entry that overflows counts in part: "capped");
5. requirements: minimum per category (either/or: met if any alternative is met; the closest is
   shown), summed over the window of a multi-year requirement, scaled by exemptions and proration;
6. carry-over in (from the previous period) and out (excess to a named category of the next period);
7. grade by age bracket; 8. sentences that explain the result.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuefen.policy.schema import Cap, Requirement, RuleSetData, Target

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Grade labels, made text only when an evaluation is explained.
_lazy_exempt = gettext_lazy("Exempt")
_lazy_pass = gettext_lazy("Pass")
_lazy_fail = gettext_lazy("Fail")


@dataclass(frozen=True)
class Credit:
    """One ledger entry as the engine sees it."""

    entry_id: int
    period: int
    activity_date: dt.date
    categories: tuple[str, ...]
    amount: Decimal  # negative for a reversal
    unit: str  # "hours" | "credits"
    kind: str = ""
    artefact_key: str = ""  # the same artefact counts once
    source_type: str = ""
    reverses_id: int | None = None  # entry this one reverses (both then count 0)


@dataclass(frozen=True)
class Exemption:
    """Part of a period a person is not held to: `months` of it, or a `ratio` (1 = all) of it."""

    period: int
    kind: str  # leave | new_hire | other
    months: int | None = None
    ratio: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class Subject:
    """The person as the engine sees them."""

    personnel_category: str
    title_level: str
    birth_date: dt.date
    hired_on: dt.date | None = None
    exemptions: tuple[Exemption, ...] = ()


class Status:
    COUNTED = "counted"
    CAPPED = "capped"
    EXCLUDED = "excluded"
    DUPLICATE = "duplicate"
    REVERSED = "reversed"


@dataclass
class CreditLine:
    entry_id: int
    period: int
    activity_date: dt.date
    kind: str
    categories: tuple[str, ...]
    amount: Decimal  # as recorded
    unit: str  # as recorded
    counted: Decimal = ZERO  # in the rule set's unit
    status: str = Status.COUNTED
    reason: str = ""


@dataclass
class RequirementResult:
    code: str
    label: str
    required: Decimal
    earned: Decimal
    gap: Decimal
    met: bool
    unit: str
    binding: bool = True
    window: tuple[int, int] | None = None  # first and last period of a multi-year window
    alternatives: list["RequirementResult"] = field(default_factory=list)
    note: str = ""


@dataclass
class Evaluation:
    ruleset: str
    period: int
    unit: str
    met: bool
    grade: str
    grade_label: str
    age_bracket: str
    age_bracket_label: str
    requirements: list[RequirementResult]
    lines: list[CreditLine]
    total_counted: Decimal
    carry_in: dict[str, Decimal] = field(default_factory=dict)
    carry_out: dict[str, Decimal] = field(default_factory=dict)
    factor: Decimal = Decimal(
        1
    )  # share of the requirements that applies after exemptions/proration
    notes: list[str] = field(default_factory=list)
    category_labels: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for the API and exports: amounts as strings ("12.5"), dates ISO."""

        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return fmt(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        out = plain(asdict(self))
        out["explanation"] = self.explain()
        return out

    def explain(self) -> list[str]:
        """Plain-language sentences, the most useful first: what is missing, then what happened."""
        unit = unit_label(self.unit)
        out: list[str] = []
        for r in self.requirements:
            if not r.met:
                out.append(
                    _("%(gap)s %(unit)s short of %(label)s")
                    % {"label": r.label, "gap": fmt(r.gap), "unit": unit_label(r.unit)}
                )
        for r in self.requirements:
            if r.met:
                out.append(
                    _("%(label)s met: %(earned)s of %(required)s %(unit)s")
                    % {
                        "label": r.label,
                        "earned": fmt(r.earned),
                        "required": fmt(r.required),
                        "unit": unit_label(r.unit),
                    }
                )
            if r.note:
                out.append(r.note)
        out.extend(self.notes)
        for line in self.lines:
            if line.status != Status.COUNTED:
                out.append(
                    _("Entry %(id)s: %(reason)s") % {"id": line.entry_id, "reason": line.reason}
                )
        for category, amount in self.carry_in.items():
            out.append(
                _("%(amount)s %(unit)s carried in from %(period)s toward %(category)s")
                % {
                    "amount": fmt(amount),
                    "unit": unit,
                    "period": self.period - 1,
                    "category": self.category_labels.get(category, category),
                }
            )
        for category, amount in self.carry_out.items():
            out.append(
                _("%(amount)s %(unit)s carry over to %(category)s of %(period)s")
                % {
                    "amount": fmt(amount),
                    "unit": unit,
                    "period": self.period + 1,
                    "category": self.category_labels.get(category, category),
                }
            )
        out.append(
            _("Grade: %(grade)s (age bracket %(bracket)s); judged by rule set %(ruleset)s")
            % {
                "grade": self.grade_label,
                "bracket": self.age_bracket_label,
                "ruleset": self.ruleset,
            }
        )
        return out


def unit_label(unit: str) -> str:
    return {"hours": _("hours"), "credits": _("credits"), "days": _("days")}.get(unit, unit)


def fmt(value: Decimal) -> str:
    """2 → "2", 2.50 → "2.5": how an office writes amounts."""
    text = f"{value.quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_to(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value.quantize(CENT, ROUND_HALF_UP)
    steps = (value / step).quantize(Decimal(1), ROUND_HALF_UP)
    return (steps * step).quantize(CENT, ROUND_HALF_UP)


def requirement_window(requirement: Requirement, period: int) -> tuple[int, int]:
    """First and last period of the requirement's window that contains `period`.

    With an anchor (e.g. 2023 for a 2023–2027 plan) windows are fixed blocks; without, the window is
    the N years ending with `period`.
    """
    years = requirement.window_years
    if years == 1:
        return period, period
    if requirement.window_anchor is None:
        return period - years + 1, period
    start = requirement.window_anchor + ((period - requirement.window_anchor) // years) * years
    return start, start + years - 1


def window_periods(rules: RuleSetData, period: int) -> list[int]:
    """The periods whose credits evaluate() needs for `period`: the requirement windows, and the
    year before when the rule set carries excess over."""
    periods = {period}
    for requirement in rules.requirements:
        start, _end = requirement_window(requirement, period)
        periods.update(range(start, period + 1))
    if rules.carry_over:
        periods.add(period - 1)
    return sorted(periods)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _selects(credit: CreditLine, categories: tuple[str, ...], kinds: tuple[str, ...]) -> bool:
    return all(c in credit.categories for c in categories) and (not kinds or credit.kind in kinds)


def _cap_key(cap: Cap, credit: Credit) -> tuple[object, ...]:
    """What one cap counts against: the artefact (item), the activity day, or the period."""
    if cap.per == "item":
        return (cap.code, credit.artefact_key or f"entry:{credit.entry_id}")
    if cap.per == "day":
        return (cap.code, credit.activity_date)
    return (cap.code, credit.period)


def _per_label(per: str) -> str:
    return {"item": _("item"), "day": _("day"), "period": _("year")}.get(per, per)


def judge_lines(
    rules: RuleSetData, credits: Sequence[Credit], explain: bool = True
) -> list[CreditLine]:
    """Steps 1–4 over all given credits, in the order they happened; returns one line per credit.
    With `explain` False the lines carry no reasons (the same statuses and amounts)."""
    ordered = sorted(credits, key=lambda c: (c.activity_date, c.entry_id))
    reversed_by = {c.reverses_id: c.entry_id for c in credits if c.reverses_id is not None}
    first_with_key: dict[str, int] = {}
    used: dict[tuple[object, ...], Decimal] = defaultdict(lambda: ZERO)
    caps = sorted(rules.caps, key=lambda cap: ("item", "day", "period").index(cap.per))
    lines: list[CreditLine] = []
    for credit in ordered:
        line = CreditLine(
            credit.entry_id,
            credit.period,
            credit.activity_date,
            credit.kind,
            tuple(credit.categories),
            credit.amount,
            credit.unit,
        )
        lines.append(line)
        if credit.reverses_id is not None:
            line.status = Status.REVERSED
            if not explain:
                continue
            line.reason = _("Reverses entry %(id)s; neither counts") % {"id": credit.reverses_id}
            continue
        if credit.entry_id in reversed_by:
            line.status = Status.REVERSED
            if not explain:
                continue
            line.reason = _("Reversed by entry %(id)s; does not count") % {
                "id": reversed_by[credit.entry_id]
            }
            continue
        if credit.artefact_key:
            first = first_with_key.setdefault(credit.artefact_key, credit.entry_id)
            if first != credit.entry_id:
                line.status = Status.DUPLICATE
                if not explain:
                    continue
                line.reason = _(
                    "The same artefact as entry %(id)s (%(key)s); one artefact counts once"
                ) % {"id": first, "key": credit.artefact_key}
                continue
        if credit.unit == rules.unit:
            value = credit.amount
        elif credit.unit in rules.unit_rates:
            value = credit.amount * rules.unit_rates[credit.unit]
        else:
            line.status = Status.EXCLUDED
            if not explain:
                continue
            line.reason = _("Recorded in %(unit)s, which this rule set does not count") % {
                "unit": unit_label(credit.unit)
            }
            continue
        full = value
        binding: Cap | None = None
        applicable = [cap for cap in caps if _selects(line, cap.categories, cap.kinds)]
        if value > 0:
            for cap in applicable:
                room = max(cap.max - used[_cap_key(cap, credit)], ZERO)
                if value > room:
                    value, binding = room, cap
        for cap in applicable:
            used[_cap_key(cap, credit)] += value
        line.counted = value.quantize(CENT, ROUND_HALF_UP)
        if binding is not None:
            line.status = Status.CAPPED
            if not explain:
                continue
            line.reason = _(
                "Capped by %(cap)s: at most %(max)s %(unit)s per %(per)s; "
                "%(counted)s of %(amount)s counted"
            ) % {
                "cap": binding.label,
                "max": fmt(binding.max),
                "unit": unit_label(rules.unit),
                "per": _per_label(binding.per),
                "counted": fmt(line.counted),
                "amount": fmt(full),
            }
    return lines


def _bracket(
    rules: RuleSetData, subject: Subject, period: int, explain: bool = True
) -> tuple[str, str]:
    age = age_on(subject.birth_date, dt.date(period, 12, 31))
    for bracket in rules.age_brackets:
        if bracket.contains(age):
            return bracket.code, str(bracket.label) if explain else ""
    return "", ""


def _exemption_kind(kind: str) -> str:
    return {
        "leave": _("long leave"),
        "new_hire": _("hired during the year"),
        "other": _("other"),
    }.get(kind, kind)


def _factor(
    rules: RuleSetData, subject: Subject, period: int, explain: bool = True
) -> tuple[Decimal, list[str]]:
    """The share of the requirements that applies, and why (exemptions and proration)."""
    factor = Decimal(1)
    notes: list[str] = []
    hired = subject.hired_on
    if rules.proration.new_hire and hired is not None and hired.year == period and hired.month > 1:
        months = 12 - hired.month + 1
        factor *= Decimal(months) / Decimal(12)
        if explain:
            notes.append(
                _("Hired on %(date)s: requirements prorated to %(months)s of 12 months")
                % {"date": hired.isoformat(), "months": months}
            )
    for exemption in subject.exemptions:
        if exemption.period != period:
            continue
        if exemption.ratio is not None:
            waived = min(exemption.ratio, Decimal(1))
        else:
            months = min(exemption.months or 0, 12)
            limit = rules.proration.leave_exempt_months
            full = exemption.kind == "leave" and limit is not None and months >= limit
            waived = Decimal(1) if full else Decimal(months) / Decimal(12)
        factor *= Decimal(1) - waived
        if not explain:
            continue
        notes.append(
            _("Exemption (%(kind)s, %(reason)s): %(share)s%% of the requirements waived")
            % {
                "kind": _exemption_kind(exemption.kind),
                "reason": exemption.reason or "-",
                "share": fmt(waived * 100),
            }
        )
    return max(factor, ZERO), notes


def _judge_target(
    rules: RuleSetData,
    requirement: Requirement,
    target: Target,
    lines: Sequence[CreditLine],
    carried: Mapping[str, Decimal],
    bracket: str,
    factor: Decimal,
    period: int,
    explain: bool = True,
) -> RequirementResult:
    start, end = requirement_window(requirement, period)
    earned = sum(
        (
            line.counted
            for line in lines
            if start <= line.period <= period and _selects(line, target.categories, target.kinds)
        ),
        ZERO,
    )
    if not target.kinds:
        earned += sum((v for k, v in carried.items() if _takes(target.categories, k)), ZERO)
    unit = target.unit or rules.unit
    if unit == "days":
        earned = earned / rules.hours_per_day
    required = target.by_age.get(bracket, target.min) * factor
    note = ""
    if end > period:
        # Mid-window: expected progress so far, at an even pace (e.g. 2 of 5 years → 2/5 of 550).
        elapsed = period - start + 1
        required = required * Decimal(elapsed) / Decimal(requirement.window_years)
        if explain:
            note = _(
                "%(label)s: window %(start)s–%(end)s; %(elapsed)s of %(years)s years passed, "
                "so %(required)s is expected by now"
            ) % {
                "label": requirement.label,
                "start": start,
                "end": end,
                "elapsed": elapsed,
                "years": requirement.window_years,
                "required": fmt(round_to(required, rules.rounding)),
            }
    required = round_to(required, rules.rounding)
    earned = earned.quantize(CENT, ROUND_HALF_UP)
    gap = max(required - earned, ZERO)
    label = str(requirement.label) if explain else ""
    return RequirementResult(
        code=requirement.code,
        label=label,
        required=required,
        earned=earned,
        gap=gap,
        met=earned >= required,
        unit=unit,
        binding=requirement.binding,
        window=(start, end) if requirement.window_years > 1 else None,
        note=note,
    )


def _judge_requirement(
    rules: RuleSetData,
    requirement: Requirement,
    lines: Sequence[CreditLine],
    carried: Mapping[str, Decimal],
    bracket: str,
    factor: Decimal,
    period: int,
    explain: bool = True,
) -> RequirementResult:
    results = [
        _judge_target(rules, requirement, t, lines, carried, bracket, factor, period, explain)
        for t in requirement.targets
    ]
    if len(results) == 1:
        return results[0]

    def distance(r: RequirementResult) -> Decimal:
        return r.gap / r.required if r.required else ZERO

    closest = min(results, key=distance)
    chosen = RequirementResult(**{**closest.__dict__, "alternatives": results})
    chosen.met = any(r.met for r in results)
    return chosen


def evaluate(
    rules: RuleSetData,
    subject: Subject,
    credits: Sequence[Credit],
    period: int,
    carried_in: Mapping[str, Decimal] | None = None,
) -> Evaluation:
    """Judges `period` by `rules`. `credits` should cover window_periods(rules, period); credits of
    the previous period give the carry-over in when `carried_in` is not passed."""
    return _evaluate(rules, subject, credits, period, carried_in, explain=True)


def judge(
    rules: RuleSetData, subject: Subject, credits: Sequence[Credit], period: int
) -> tuple[bool, str, Decimal]:
    """evaluate()'s met, grade and total_counted, without the explanation (labels, reasons,
    notes): the same steps and arithmetic, for callers that store only the verdict (standings)."""
    evaluation = _evaluate(rules, subject, credits, period, None, explain=False)
    return evaluation.met, evaluation.grade, evaluation.total_counted


def _evaluate(
    rules: RuleSetData,
    subject: Subject,
    credits: Sequence[Credit],
    period: int,
    carried_in: Mapping[str, Decimal] | None,
    explain: bool,
) -> Evaluation:
    considered = [c for c in credits if c.period <= period]
    all_lines = judge_lines(rules, considered, explain)
    if carried_in is None:
        carried_in = {}
        if rules.carry_over and any(c.period == period - 1 for c in considered):
            previous = _evaluate(rules, subject, considered, period - 1, {}, explain)
            carried_in = previous.carry_out
    carried = {k: v for k, v in carried_in.items() if v > 0}
    first = min(requirement_window(r, period)[0] for r in rules.requirements)
    lines = [line for line in all_lines if first <= line.period <= period]
    bracket, bracket_label = _bracket(rules, subject, period, explain)
    factor, notes = _factor(rules, subject, period, explain)
    requirements = [
        _judge_requirement(rules, r, lines, carried, bracket, factor, period, explain)
        for r in rules.requirements
    ]
    met = all(r.met for r in requirements if r.binding)
    carry_out: dict[str, Decimal] = {}
    for rule in rules.carry_over:
        result = next(r for r in requirements if r.code == rule.requirement)
        # Only this period's own credits carry on: what was carried in does not roll again.
        categories = _target_of(rules, rule.requirement)
        own = result.earned - sum((v for k, v in carried.items() if _takes(categories, k)), ZERO)
        excess = own - result.required
        if rule.max is not None:
            excess = min(excess, rule.max)
        if excess > 0:
            carry_out[rule.to] = carry_out.get(rule.to, ZERO) + excess
    grade, grade_label = _grade(rules, requirements, met, bracket, factor, explain)
    this_period = [line for line in lines if line.period == period]
    return Evaluation(
        ruleset=rules.ref,
        period=period,
        unit=rules.unit,
        met=met,
        grade=grade,
        grade_label=grade_label,
        age_bracket=bracket,
        age_bracket_label=bracket_label,
        requirements=requirements,
        lines=lines,
        total_counted=sum((line.counted for line in this_period), ZERO),
        carry_in=carried,
        carry_out=carry_out,
        factor=factor,
        notes=notes,
        category_labels={c.code: str(c.label) for c in rules.categories} if explain else {},
    )


def _takes(categories: tuple[str, ...], carried_category: str) -> bool:
    """Whether an amount carried into `carried_category` counts toward a target on `categories`."""
    return all(c == carried_category for c in categories)


def _target_of(rules: RuleSetData, code: str) -> tuple[str, ...]:
    requirement = rules.requirement(code)
    return requirement.targets[0].categories if requirement else ()


def _grade(
    rules: RuleSetData,
    requirements: Sequence[RequirementResult],
    met: bool,
    bracket: str,
    factor: Decimal,
    explain: bool = True,
) -> tuple[str, str]:
    code, label = _grade_of(rules, requirements, met, bracket, factor)
    return code, (str(label) if explain else "")


def _grade_of(
    rules: RuleSetData,
    requirements: Sequence[RequirementResult],
    met: bool,
    bracket: str,
    factor: Decimal,
) -> tuple[str, object]:
    """The grade's code and its label, not yet made text (str() of it picks the language)."""
    if factor == 0:
        return "exempt", _lazy_exempt
    if rules.grades is None:
        return ("pass", _lazy_pass) if met else ("fail", _lazy_fail)
    tiers = rules.grades.tiers
    lowest = tiers[-1]
    if not met:
        return lowest.code, lowest.label
    base = next((r for r in requirements if r.code == rules.grades.of), None)
    ratio = base.earned / base.required if base is not None and base.required else Decimal(10**6)
    for tier in tiers:
        if ratio >= tier.by_age.get(bracket, tier.min_ratio):
            return tier.code, tier.label
    return lowest.code, lowest.label
