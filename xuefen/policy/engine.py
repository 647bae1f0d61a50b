"""The rule engine: pure, no database, no request. Judges one person's credits for one period
against one rule-set version and explains every step. It is the only judge: posting, recompute,
the personal page, roll-ups, exports and certificates all take their verdict from `evaluate`.

A credit is an activity with a span (first and last day), an amount, and — where the activity is
measured in days (脱产培训, 党校 classes, 外出培训) — the number of days it took.

Order of the judgement (each step sees only what the steps before let through):
1. reversals: an entry and the entry that reverses it both count 0;
2. duplicates: an artefact counts once, ever — the person's earliest entry of it, in any earlier
   period; and an artefact only one person may hold (a single-author paper) counts for whoever was
   credited with it first;
3. units: an entry in another unit is converted by the rule set's unit_rates, or excluded;
4. caps per item, then per calendar day of the span, then per period (an entry that overflows
   counts in part: "capped");
5. requirements: each target summed over its window, in the rule set's unit, in days (the days
   recorded on the entries) or in months (calendar days the spans cover); either/or: met if any
   alternative is met; scaled by exemptions and proration; a fixed window that has not reached its
   last year is "in progress" when not yet met;
6. carry-over in (from the previous period) and out (excess to a named category of the next period);
7. grade by age bracket.
The result is structured (requirement → targets → gap); `explain()` and the gap texts are built
from that structure.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from xuefen.policy.schema import Cap, Requirement, RuleSetData, Target, Window

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Grade labels, made text only when an evaluation is explained.
_lazy_exempt = gettext_lazy("Exempt")
_lazy_pass = gettext_lazy("Pass")
_lazy_fail = gettext_lazy("Fail")
_lazy_not_graded = gettext_lazy("Not graded")


@dataclass(frozen=True)
class Credit:
    """One ledger entry as the engine sees it."""

    entry_id: int
    period: int
    first_day: dt.date
    last_day: dt.date
    categories: tuple[str, ...]
    amount: Decimal  # negative for a reversal
    unit: str  # "hours" | "credits"
    kind: str = ""
    days: Decimal | None = None  # days the activity took, where it is measured in days
    artefact_key: str = ""  # the same artefact counts once
    exclusive: bool = False  # the artefact counts for one person only (e.g. a single-author paper)
    source_type: str = ""
    reverses_id: int | None = None  # entry this one reverses (both then count 0)

    @property
    def span(self) -> int:
        """Calendar days from the first to the last day, both included."""
        return (self.last_day - self.first_day).days + 1

    def calendar_days(self) -> Iterator[dt.date]:
        for offset in range(self.span):
            yield self.first_day + dt.timedelta(days=offset)


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
    """What became of one credit line."""

    COUNTED = "counted"
    CAPPED = "capped"
    EXCLUDED = "excluded"
    DUPLICATE = "duplicate"
    REVERSED = "reversed"


COUNTING = (Status.COUNTED, Status.CAPPED)


class State:
    """Where a requirement, and the person's period as a whole, stands."""

    MET = "met"
    SHORT = "short"  # not met, and the window is over (or it is a one-year requirement)
    IN_PROGRESS = "in_progress"  # not yet met, with years of its window still to come
    EXEMPT = "exempt"  # the whole period waived (verdicts only)


@dataclass
class CreditLine:
    entry_id: int
    period: int
    first_day: dt.date
    last_day: dt.date
    kind: str
    categories: tuple[str, ...]
    amount: Decimal  # as recorded
    unit: str  # as recorded
    days: Decimal | None = None
    counted: Decimal = ZERO  # in the rule set's unit
    status: str = Status.COUNTED
    reason: str = ""

    @property
    def activity_date(self) -> dt.date:
        return self.last_day


@dataclass
class TargetResult:
    """One way of meeting a requirement, judged: required and earned in `unit`."""

    unit: str
    required: Decimal
    earned: Decimal

    @property
    def gap(self) -> Decimal:
        return max(self.required - self.earned, ZERO)

    @property
    def met(self) -> bool:
        return self.earned >= self.required

    @property
    def distance(self) -> Decimal:
        """How far from met, as a share of what is required (to pick the closest alternative)."""
        return self.gap / self.required if self.required else ZERO


@dataclass
class RequirementResult:
    code: str
    label: str
    state: str  # State.MET | SHORT | IN_PROGRESS
    targets: list[TargetResult]  # one, or the alternatives of an either/or requirement
    binding: bool = True
    window: tuple[int, int] | None = None  # first and last period of a multi-year window
    window_kind: str = ""  # fixed | rolling, for a multi-year window
    years_left: int = 0  # periods of the window after the one judged
    source: str = ""

    @property
    def met(self) -> bool:
        return self.state == State.MET

    @property
    def closest(self) -> TargetResult:
        return min(self.targets, key=lambda t: (not t.met, t.distance))

    # The closest alternative's figures, for a single-number display (a progress bar).
    @property
    def required(self) -> Decimal:
        return self.closest.required

    @property
    def earned(self) -> Decimal:
        return self.closest.earned

    @property
    def gap(self) -> Decimal:
        return ZERO if self.met else self.closest.gap

    @property
    def unit(self) -> str:
        return self.closest.unit

    @property
    def alternatives(self) -> list[TargetResult]:
        return self.targets if len(self.targets) > 1 else []

    @property
    def percent(self) -> int:
        target = self.closest
        if not target.required:
            return 100
        return min(100, int(target.earned * 100 / target.required))

    def gap_text(self) -> str:
        """ "还差 2 天 或 5 学时": every alternative's gap; empty when met."""
        return "" if self.met else shortfall_text(self.label, self.as_shortfall())

    def window_text(self) -> str:
        """ "五年累计 2023–2027 (fixed plan cycle)": the window the requirement reads, or ""."""
        if self.window is None:
            return ""
        start, end = self.window
        kind = (
            pgettext("window", "fixed cycle")
            if self.window_kind == "fixed"
            else pgettext("window", "rolling")
        )
        return _("window %(start)s–%(end)s (%(kind)s)") % {"start": start, "end": end, "kind": kind}

    def as_shortfall(self) -> dict[str, Any]:
        """The plain form a standing stores of a requirement not (yet) met."""
        return {
            "code": self.code,
            "state": self.state,
            "binding": self.binding,
            "gaps": [{"amount": fmt(t.gap), "unit": t.unit} for t in self.targets if not t.met],
            "years_left": self.years_left,
            "window": list(self.window) if self.window else None,
        }


@dataclass
class Evaluation:
    ruleset: str  # the rule set's reference, "code vN"
    ruleset_label: str  # its name and version, as people read it
    period: int
    unit: str
    state: str  # State.MET | SHORT | IN_PROGRESS | EXEMPT
    grade: str
    grade_label: str
    age_bracket: str
    age_bracket_label: str
    requirements: list[RequirementResult]
    lines: list[CreditLine]
    total_counted: Decimal
    carry_in: dict[str, Decimal] = field(default_factory=dict)
    carry_out: dict[str, Decimal] = field(default_factory=dict)
    factor: Decimal = Decimal(1)  # share of the requirements that applies after exemptions
    notes: list[str] = field(default_factory=list)
    category_labels: dict[str, str] = field(default_factory=dict)
    kind_labels: dict[str, str] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return self.state in (State.MET, State.EXEMPT)

    @property
    def shortfalls(self) -> list[dict[str, Any]]:
        return [r.as_shortfall() for r in self.requirements if not r.met]

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
        out: list[str] = [r.gap_text() for r in self.requirements if not r.met]
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
            if r.window:
                out.append(f"{r.label}: {r.window_text()}")
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
            _("Grade: %(grade)s (age bracket %(bracket)s); judged by %(ruleset)s")
            % {
                "grade": self.grade_label,
                "bracket": self.age_bracket_label,
                "ruleset": self.ruleset_label,
            }
        )
        return out


def shortfall_text(label: str, shortfall: Mapping[str, Any]) -> str:
    """The sentence for a requirement not (yet) met, from its stored form (as_shortfall): the same
    words on the personal page, the roll-up, the export and the certificate."""
    gaps = _(" or ").join(
        f"{gap['amount']} {unit_label(gap['unit'])}" for gap in shortfall.get("gaps", ())
    )
    if shortfall.get("state") == State.IN_PROGRESS:
        window = shortfall.get("window") or ["", ""]
        return _("%(gaps)s still to earn for %(label)s by %(end)s (%(years)s more years)") % {
            "gaps": gaps,
            "label": label,
            "end": window[1],
            "years": shortfall.get("years_left", 0),
        }
    return _("%(gaps)s short of %(label)s") % {"gaps": gaps, "label": label}


def unit_label(unit: str) -> str:
    return {
        "hours": _("hours"),
        "credits": _("credits"),
        "days": pgettext("amount", "days"),
        "months": pgettext("amount", "months"),
    }.get(unit, unit)


def fmt(value: Decimal) -> str:
    """2 → "2", 2.50 → "2.5": how an office writes amounts."""
    text = f"{value.quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_to(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value.quantize(CENT, ROUND_HALF_UP)
    steps = (value / step).quantize(Decimal(1), ROUND_HALF_UP)
    return (steps * step).quantize(CENT, ROUND_HALF_UP)


def window_of(window: Window, period: int) -> tuple[int, int]:
    """First and last period of the window that contains `period`: a fixed cycle's block (5 years
    from 2023: 2023–2027, 2028–2032 …), or the `years` ending with `period` when rolling."""
    if window.years == 1:
        return period, period
    if window.kind == "rolling" or window.first is None:
        return period - window.years + 1, period
    start = window.first + ((period - window.first) // window.years) * window.years
    return start, start + window.years - 1


def reaches_back(rules: RuleSetData, period: int) -> int:
    """The earliest period whose credits a requirement of `period` sums (its windows, and the year
    before when the rule set carries excess over)."""
    first = min(window_of(r.window, period)[0] for r in rules.requirements)
    return min(first, period - 1) if rules.carry_over else first


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _selects(credit: CreditLine, categories: tuple[str, ...], kinds: tuple[str, ...]) -> bool:
    return all(c in credit.categories for c in categories) and (not kinds or credit.kind in kinds)


def _per_label(per: str) -> str:
    return {"item": _("item"), "day": pgettext("cap", "day"), "period": _("year")}.get(per, per)


class _Caps:
    """What each cap has used so far: per item (artefact), per calendar day, per period."""

    def __init__(self, rules: RuleSetData) -> None:
        self.caps = sorted(rules.caps, key=lambda cap: ("item", "day", "period").index(cap.per))
        self.used: dict[tuple[object, ...], Decimal] = defaultdict(lambda: ZERO)

    def _key(self, cap: Cap, credit: Credit) -> tuple[object, ...]:
        if cap.per == "item":
            return (cap.code, credit.artefact_key or f"entry:{credit.entry_id}")
        return (cap.code, credit.period)

    def apply(self, line: CreditLine, credit: Credit, value: Decimal) -> tuple[Decimal, Cap | None]:
        """The part of `value` every applicable cap lets through, and the cap that bound (if any);
        records what is used. A per-day cap judges each calendar day of the span on its own: the
        amount is spread evenly over the span, and when the entry says how many days it took, it
        counts at most that many days' worth."""
        applicable = [cap for cap in self.caps if _selects(line, cap.categories, cap.kinds)]
        binding: Cap | None = None
        daily: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for cap in applicable:
            if cap.per == "day":
                days = list(credit.calendar_days())
                share = value / len(days)
                shares = [
                    (day, min(share, max(cap.max - self.used[(cap.code, day)], ZERO)))
                    for day in days
                ]
                allowed = sum((amount for _day, amount in shares), ZERO)
                if credit.days is not None:
                    allowed = min(allowed, cap.max * credit.days)
                daily[cap.code] = shares
            else:
                allowed = max(cap.max - self.used[self._key(cap, credit)], ZERO)
            if value > allowed:
                value, binding = allowed, cap
        for cap in applicable:
            if cap.per != "day":
                self.used[self._key(cap, credit)] += value
                continue
            shares = daily[cap.code]
            spread = sum((amount for _day, amount in shares), ZERO)
            scale = value / spread if spread else ZERO
            for day, amount in shares:
                self.used[(cap.code, day)] += amount * scale
        return value, binding


def judge_lines(
    rules: RuleSetData,
    credits: Sequence[Credit],
    explain: bool = True,
    elsewhere: Mapping[str, int] | None = None,
) -> list[CreditLine]:
    """Steps 1–4 over all given credits, in the order they happened; returns one line per credit.

    `elsewhere` maps an exclusive artefact's key to the id of another person's entry of it, when
    one exists: the artefact counts for whichever of the two was credited first (the lower id).
    With `explain` False the lines carry no reasons (the same statuses and amounts)."""
    elsewhere = elsewhere or {}
    ordered = sorted(credits, key=lambda c: (c.last_day, c.first_day, c.entry_id))
    reversed_by = {c.reverses_id: c.entry_id for c in credits if c.reverses_id is not None}

    first_with_key: dict[str, int] = {}
    caps = _Caps(rules)
    lines: list[CreditLine] = []
    for credit in ordered:
        line = CreditLine(
            credit.entry_id,
            credit.period,
            credit.first_day,
            credit.last_day,
            credit.kind,
            tuple(credit.categories),
            credit.amount,
            credit.unit,
            credit.days,
        )
        lines.append(line)
        skipped = _skip(credit, reversed_by, first_with_key, elsewhere, explain)
        if skipped is not None:
            line.status, line.reason = skipped
            continue
        if credit.unit == rules.unit:
            value = credit.amount
        elif credit.unit in rules.unit_rates:
            value = credit.amount * rules.unit_rates[credit.unit]
        else:
            line.status = Status.EXCLUDED
            if explain:
                line.reason = _("Recorded in %(unit)s, which this rule set does not count") % {
                    "unit": unit_label(credit.unit)
                }
            continue
        full = value
        value, binding = caps.apply(line, credit, value) if value > 0 else (value, None)
        line.counted = value.quantize(CENT, ROUND_HALF_UP)
        if binding is None:
            continue
        line.status = Status.CAPPED
        if explain:
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


def _skip(
    credit: Credit,
    reversed_by: Mapping[int, int],
    first_with_key: dict[str, int],
    elsewhere: Mapping[str, int],
    explain: bool,
) -> tuple[str, str] | None:
    """(status, reason) of a credit that counts nothing — reversed, or a duplicate — or None."""
    if credit.reverses_id is not None:
        reason = _("Reverses entry %(id)s; neither counts") % {"id": credit.reverses_id}
        return Status.REVERSED, reason if explain else ""
    if credit.entry_id in reversed_by:
        reason = _("Reversed by entry %(id)s; does not count") % {
            "id": reversed_by[credit.entry_id]
        }
        return Status.REVERSED, reason if explain else ""
    key = credit.artefact_key
    if not key:
        return None
    first = first_with_key.setdefault(key, credit.entry_id)
    if first != credit.entry_id:
        reason = _("The same artefact as entry %(id)s (%(key)s); one artefact counts once") % {
            "id": first,
            "key": key,
        }
        return Status.DUPLICATE, reason if explain else ""
    other = elsewhere.get(key) if credit.exclusive else None
    if other is not None and other < credit.entry_id:
        reason = _("%(key)s was credited to another person first; it counts for one person only")
        return Status.DUPLICATE, reason % {"key": key} if explain else ""
    return None


def _bracket(
    rules: RuleSetData, subject: Subject, period: int, explain: bool = True
) -> tuple[str, str]:
    age = age_on(subject.birth_date, rules.calendar.last_day(period))
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
    first = rules.calendar.first_day(period)
    last = rules.calendar.last_day(period)
    months = 12
    if rules.proration.new_hire and hired is not None and first < hired <= last:
        months = 12 - ((hired.year - first.year) * 12 + hired.month - first.month)
    if months < 12:
        assert hired is not None
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


def _months(rules: RuleSetData, lines: Sequence[CreditLine]) -> Decimal:
    """Calendar days the lines' spans cover (each day once), ÷ days_per_month."""
    covered: set[dt.date] = set()
    for line in lines:
        span = (line.last_day - line.first_day).days + 1
        covered.update(line.first_day + dt.timedelta(days=i) for i in range(span))
    return Decimal(len(covered)) / rules.days_per_month


def _earned(
    rules: RuleSetData,
    target: Target,
    lines: Sequence[CreditLine],
    carried: Mapping[str, Decimal],
    unit: str,
) -> Decimal:
    chosen = [line for line in lines if _selects(line, target.categories, target.kinds)]
    if unit == "days":
        return sum(
            (line.days for line in chosen if line.days is not None and line.status in COUNTING),
            ZERO,
        )
    if unit == "months":
        return _months(rules, [line for line in chosen if line.status in COUNTING])
    earned = sum((line.counted for line in chosen), ZERO)
    if not target.kinds:
        earned += sum((v for k, v in carried.items() if _takes(target.categories, k)), ZERO)
    return earned


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
    start, end = window_of(requirement.window, period)
    in_window = [line for line in lines if start <= line.period <= period]
    targets = []
    for target in requirement.targets:
        unit = target.unit or rules.unit
        required = round_to(target.by_age.get(bracket, target.min) * factor, rules.rounding)
        earned = _earned(rules, target, in_window, carried, unit).quantize(CENT, ROUND_HALF_UP)
        targets.append(TargetResult(unit, required, earned))
    met = any(t.met for t in targets)
    state = State.MET if met else (State.IN_PROGRESS if end > period else State.SHORT)
    multi = requirement.window.is_multi_year
    return RequirementResult(
        code=requirement.code,
        label=str(requirement.label) if explain else "",
        state=state,
        targets=targets,
        binding=requirement.binding,
        window=(start, end) if multi else None,
        window_kind=requirement.window.kind if multi else "",
        years_left=end - period,
        source=requirement.source,
    )


def evaluate(
    rules: RuleSetData,
    subject: Subject,
    credits: Sequence[Credit],
    period: int,
    carried_in: Mapping[str, Decimal] | None = None,
    *,
    elsewhere: Mapping[str, int] | None = None,
    explain: bool = True,
) -> Evaluation:
    """Judges `period` by `rules` on the person's credits: all of them, or at least every one of
    `period` and before (later ones are ignored; earlier ones outside the windows still count as
    the first of an artefact). Credits of the previous period give the carry-over in when
    `carried_in` is not passed. With `explain` False the result carries no labels or reasons
    (the same verdict, for callers that store only the verdict)."""
    considered = [c for c in credits if c.period <= period]
    all_lines = judge_lines(rules, considered, explain, elsewhere)
    if carried_in is None:
        carried_in = {}
        if rules.carry_over and any(c.period == period - 1 for c in considered):
            previous = evaluate(
                rules, subject, considered, period - 1, {}, elsewhere=elsewhere, explain=explain
            )
            carried_in = previous.carry_out
    carried = {k: v for k, v in carried_in.items() if v > 0}
    first = reaches_back(rules, period)
    lines = [line for line in all_lines if first <= line.period <= period]
    bracket, bracket_label = _bracket(rules, subject, period, explain)
    factor, notes = _factor(rules, subject, period, explain)
    requirements = [
        _judge_requirement(rules, r, lines, carried, bracket, factor, period, explain)
        for r in rules.requirements
    ]
    binding = [r for r in requirements if r.binding]
    if factor == 0:
        state = State.EXEMPT
    elif any(r.state == State.SHORT for r in binding):
        state = State.SHORT
    elif any(r.state == State.IN_PROGRESS for r in binding):
        state = State.IN_PROGRESS
    else:
        state = State.MET
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
    grade, grade_label = _grade(rules, requirements, state, bracket, explain)
    this_period = [line for line in lines if line.period == period]
    return Evaluation(
        ruleset=rules.ref,
        ruleset_label=rules.label if explain else "",
        period=period,
        unit=rules.unit,
        state=state,
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
        kind_labels={k: str(c.label) for k, c in rules.conversions.items()} if explain else {},
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
    state: str,
    bracket: str,
    explain: bool = True,
) -> tuple[str, str]:
    code, label = grade_of(rules, requirements, state, bracket)
    return code, (str(label) if explain else "")


def grade_of(
    rules: RuleSetData, requirements: Sequence[RequirementResult], state: str, bracket: str
) -> tuple[str, object]:
    """The grade's code and its label, not yet made text (str() of it picks the language). A period
    still in progress has no grade yet ("", "Not graded")."""
    if state == State.EXEMPT:
        return "exempt", _lazy_exempt
    if state == State.IN_PROGRESS:
        return "", _lazy_not_graded
    if rules.grades is None:
        return ("pass", _lazy_pass) if state == State.MET else ("fail", _lazy_fail)
    tiers = rules.grades.tiers
    lowest = tiers[-1]
    if state != State.MET:
        return lowest.code, lowest.label
    base = next((r for r in requirements if r.code == rules.grades.of), None)
    ratio = base.earned / base.required if base is not None and base.required else Decimal(10**6)
    for tier in tiers:
        if ratio >= tier.by_age.get(bracket, tier.min_ratio):
            return tier.code, tier.label
    return lowest.code, lowest.label


def grade_label(rules: RuleSetData | None, code: str) -> str:
    """The label of a stored grade code, as the rule set that gave it names it."""
    if rules is not None and rules.grades is not None:
        for tier in rules.grades.tiers:
            if tier.code == code:
                return str(tier.label)
    known = {"exempt": _lazy_exempt, "pass": _lazy_pass, "fail": _lazy_fail, "": _lazy_not_graded}
    return str(known.get(code, code))


# --- the same verdict for the same inputs ------------------------------------------------------


def judged_by_sums(rules: RuleSetData) -> bool:
    """Whether judging by `rules` needs only sums of credits per (period, category list, unit,
    kind): each requirement then counts a sum of such groups. Not so when the rule set caps (a cap
    counts each credit in turn), counts a target in months (calendar days covered) or converts a
    unit at a rate that is not whole (each credit's converted value is rounded to the cent)."""
    return (
        not rules.caps
        and all(
            (target.unit or rules.unit) != "months"
            for requirement in rules.requirements
            for target in requirement.targets
        )
        and all(rate == rate.to_integral_value() for rate in rules.unit_rates.values())
    )


class SameVerdicts:
    """Keys under which people get the same verdict from one rule set (`evaluate` with explain
    False: state, grade, requirements, carry-over — all but the period's counted total, which
    `key` gives beside), so that a set of people is judged once per distinct key rather than
    once per person.

    Where the rule set is judged by sums (`judged_by_sums`) and no credit names an artefact or
    reverses another, each credit counts its amount (converted at a whole rate, or not at all,
    by its unit) toward exactly the targets that select it: the requirements depend on the
    credits only through their sums per (period, unit, whether days are given, which targets
    select them) — credits no target selects only add to the counted total — and on the person
    only through their age bracket, their hire date within the periods judged and their
    exemptions of those periods. The key is made of exactly those; `key` is None for a person who
    must be judged on their own."""

    def __init__(self) -> None:
        self._rules: dict[int, tuple[RuleSetData, bool, list[Target]]] = {}
        self._known: dict[tuple[object, ...], tuple[Decimal | None, tuple[bool, ...] | None]] = {}
        self._bracket: dict[tuple[int, int, dt.date], str] = {}

    def _of(self, rules: RuleSetData) -> tuple[bool, list[Target]]:
        known = self._rules.get(id(rules))
        if known is None or known[0] is not rules:
            targets = [target for r in rules.requirements for target in r.targets]
            known = self._rules[id(rules)] = (rules, judged_by_sums(rules), targets)
            self._known.clear()
            self._bracket.clear()
        return known[1], known[2]

    @staticmethod
    def _what(
        rules: RuleSetData, targets: Sequence[Target], credit: Credit
    ) -> tuple[Decimal | None, tuple[bool, ...] | None]:
        """What one of the credit's unit counts in the rule set's unit (None: not counted, as
        `judge_lines` converts), and which targets select it (None: none)."""
        rate = Decimal(1) if credit.unit == rules.unit else rules.unit_rates.get(credit.unit)
        selection = tuple(
            all(c in credit.categories for c in target.categories)
            and (not target.kinds or credit.kind in target.kinds)
            for target in targets
        )
        return rate, selection if any(selection) else None

    def key(
        self,
        rules: RuleSetData,
        birth_date: dt.date,
        hired_on: dt.date | None,
        exemptions: Sequence[Exemption],
        credits: Sequence[Credit],
        period: int,
    ) -> tuple[tuple[object, ...], Decimal] | None:
        """(key, the period's counted total) of a person judged by `rules` for `period`, or None
        when they must be judged on their own."""
        by_sums, targets = self._of(rules)
        if not by_sums:
            return None
        ident = id(rules)
        total = ZERO
        previous = False
        groups: dict[tuple[object, ...], list[Decimal | None]] = {}
        known = self._known
        for credit in credits:
            if credit.period > period:
                continue  # (evaluate ignores them)
            if credit.artefact_key or credit.reverses_id is not None:
                return None
            what = (ident, credit.categories, credit.kind, credit.unit)
            found = known.get(what)
            if found is None:
                found = known[what] = self._what(rules, targets, credit)
            rate, selection = found
            if credit.period == period:
                if rate is not None:
                    total += (credit.amount * rate).quantize(CENT, ROUND_HALF_UP)
            elif credit.period == period - 1:
                previous = True
            if selection is None:
                continue  # no target counts it: only the total does
            group = (credit.period, credit.unit, credit.days is None, selection)
            sums = groups.get(group)
            if sums is None:
                groups[group] = [credit.amount, credit.days]
            else:
                sums[0] = cast(Decimal, sums[0]) + credit.amount
                if credit.days is not None:
                    sums[1] = cast(Decimal, sums[1]) + credit.days
        brackets = (self._bracket_of(rules, birth_date, period), "")
        if rules.carry_over:
            brackets = (brackets[0], self._bracket_of(rules, birth_date, period - 1))
        else:
            previous = False
        calendar = rules.calendar
        hired = None
        if hired_on is not None and calendar.first_day(period - 1) < hired_on:
            hired = hired_on if hired_on <= calendar.last_day(period) else None
        waived = tuple(e for e in exemptions if period - 1 <= e.period <= period)
        summed = tuple((group, tuple(values)) for group, values in sorted(groups.items()))
        return (ident, period, brackets, previous, hired, waived, summed), total

    def _bracket_of(self, rules: RuleSetData, birth_date: dt.date, period: int) -> str:
        memo = (id(rules), period, birth_date)
        found = self._bracket.get(memo)
        if found is None:
            if len(self._bracket) > 200_000:
                self._bracket.clear()
            found = self._bracket[memo] = _bracket(
                rules, Subject("", "", birth_date), period, explain=False
            )[0]
        return found
