"""The one loader of the one judge. `Loader` reads, for a set of people, everything a verdict
depends on — their facts (category, title, birth date, hire date, unit), the rule-set versions of
their regions, their exemptions, every credit of theirs, and who else holds a one-holder artefact of
theirs — in a fixed number of queries, and hands it to the pure engine (`policy.engine.evaluate`).

Everything that shows or stores a verdict goes through here: posting (single and bulk), recompute,
the personal page, roll-ups, exports, the compliance command and certificates. So they cannot
disagree. No scoping here: callers pass people they may see (a scoped page, an action, the CLI).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Q

from xuefen.ledger import sql
from xuefen.ledger.models import Entry, Standing
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy import engine
from xuefen.policy.engine import Credit, Evaluation, State, Subject
from xuefen.policy.models import Exemption
from xuefen.policy.schema import RuleSetData
from xuefen.policy.services import RuleSetIndex

ZERO = Decimal(0)
MAX_IDS = 10_000  # ids per IN (…) list: well under every database's parameter limit

# The columns of an entry the engine reads, in Credit's order after the id.
CREDIT_FIELDS = (
    "id",
    "period",
    "first_day",
    "last_day",
    "categories",
    "amount",
    "unit",
    "kind",
    "days",
    "artefact_key",
    "artefact_exclusive",
    "source_type",
    "reverses_id",
)


# Columns whose converted values are shared between rows (credit_from_row copies the categories).
SHARED_FIELDS = ("first_day", "last_day", "categories", "amount", "days")


def credit_from_row(row: Sequence[Any]) -> Credit:
    """A Credit from the values of CREDIT_FIELDS, in that order."""
    (pk, period, first, last, categories, amount, unit, kind, days, key, exclusive, source, rev) = (
        row
    )
    return Credit(
        entry_id=pk,
        period=period,
        first_day=first,
        last_day=last,
        categories=tuple(categories),
        amount=amount,
        unit=unit,
        kind=kind,
        days=days,
        artefact_key=key,
        exclusive=bool(exclusive),
        source_type=source,
        reverses_id=rev,
    )


@dataclass(frozen=True, slots=True)
class Facts:
    """What the judge reads of a person."""

    pk: int
    category: str
    title_level: str
    birth_date: dt.date
    hired_on: dt.date | None
    unit_path: str

    @classmethod
    def of(cls, person: Person) -> "Facts":
        return cls(
            person.pk,
            person.category,
            person.title_level,
            person.birth_date,
            person.hired_on,
            person.unit.path,
        )


FACT_FIELDS = ("id", "category", "title_level", "birth_date", "hired_on", "unit__path")
PERSON_FIELDS = (*FACT_FIELDS[:-1], "unit_id")  # (`read_facts`: the path read by unit)
# The columns of an approved exemption the engine reads (`Exemption.as_engine`).
EXEMPTION_FIELDS = ("person_id", "period", "kind", "months", "ratio", "reason")


@dataclass(frozen=True)
class Verdict:
    """What a standing stores: the judge's result without its explanation."""

    status: str
    grade: str
    earned: Decimal
    ruleset: str
    shortfalls: list[dict[str, Any]] = field(default_factory=list)

    def same_as(self, standing: Standing) -> bool:
        return self.same_values(
            standing.status, standing.grade, standing.earned, standing.ruleset, standing.shortfalls
        )

    def same_values(
        self, status: str, grade: str, earned: Any, ruleset: str, shortfalls: Any
    ) -> bool:
        """Whether a standing stored with these values says this verdict."""
        return (
            status == self.status
            and grade == self.grade
            and Decimal(earned) == self.earned
            and ruleset == self.ruleset
            and shortfalls == self.shortfalls
        )


def verdict_of(evaluation: Evaluation | None, credits: Sequence[Credit], period: int) -> Verdict:
    if evaluation is None:
        # No rule set applies: the standing says so and shows the raw sum of the period.
        earned = sum((c.amount for c in credits if c.period == period), ZERO)
        return Verdict(Standing.Status.NO_RULES, "", earned, "")
    status = {
        State.MET: Standing.Status.MET,
        State.SHORT: Standing.Status.SHORT,
        State.IN_PROGRESS: Standing.Status.IN_PROGRESS,
        State.EXEMPT: Standing.Status.EXEMPT,
    }[evaluation.state]
    return Verdict(
        status,
        evaluation.grade,
        evaluation.total_counted,
        evaluation.ruleset,
        evaluation.shortfalls,
    )


class Verdicts(engine.SameVerdicts):
    """The engine's keys of equal verdicts, with the verdict found under each: one for a loader,
    or shared by the loaders of one run (a recompute's ranges of people)."""

    def __init__(self) -> None:
        super().__init__()
        self.verdicts: dict[tuple[object, ...], Verdict] = {}
        self.sums: dict[tuple[object, ...], Credit] = {}  # `Loader.summed_range`'s credits


def _chunks[T](values: Sequence[T], size: int = MAX_IDS) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def read_facts(person_ids: Iterable[int]) -> dict[int, Facts]:
    """The facts of these people (those that exist), by id: their rows, then their units' paths,
    read without compiling a query (a post reads one person)."""
    ids = sorted(set(person_ids))
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        where, params = sql.in_list("id", chunk, "bigint")
        rows += sql.select(Person, PERSON_FIELDS, where, params)
    units = sorted({row[-1] for row in rows})
    paths: dict[int, str] = {}
    for chunk in _chunks(units):
        where, params = sql.in_list("id", chunk, "bigint")
        paths.update(sql.select(OrgNode, ("id", "path"), where, params))
    return {
        pk: Facts(pk, category, title, born, hired, paths[unit])
        for pk, category, title, born, hired, unit in rows
    }


class Loader:
    """Everything the judge needs for a set of people, read once: `for_people` (or `add_people`
    with facts already read), then `read()`; credits not yet in the database (a writer's new
    entries) join with `add_credit`."""

    def __init__(
        self, rulesets: RuleSetIndex | None = None, same: "Verdicts | None" = None
    ) -> None:
        self.people: dict[int, Facts] = {}
        self.credits: dict[int, list[Credit]] = defaultdict(list)
        self.exemptions: dict[int, list[engine.Exemption]] = defaultdict(list)
        self.elsewhere: dict[int, dict[str, int]] = defaultdict(dict)
        self._rulesets = rulesets
        self.summed: set[int] = set()  # people whose credits are sums (`summed_range`)
        self._suffice: dict[int, bool] = {}
        # Verdicts by their inputs' key (`verdict`), shareable between loaders of one run.
        self.same = same if same is not None else Verdicts()
        self.verdicts: dict[tuple[object, ...], Verdict] = self.same.verdicts

    @classmethod
    def for_people(
        cls,
        people: Iterable[Person | int],
        rulesets: RuleSetIndex | None = None,
        *,
        exemptions: bool = True,
        described: dict[int, str] | None = None,
    ) -> "Loader":
        """Reads the facts of `people` (Person rows with their unit selected, or ids), then all
        they are judged on (with `rulesets` when the caller has them read already; see `read`
        for `exemptions` and `described`)."""
        loader = cls(rulesets)
        ids: list[int] = []
        for person in people:
            if isinstance(person, Person):
                loader.people[person.pk] = Facts.of(person)
            else:
                ids.append(person)
        loader.people.update(read_facts(set(ids) - set(loader.people)))
        loader.read(exemptions=exemptions, described=described)
        return loader

    def add_people(self, facts: Iterable[Facts]) -> None:
        for fact in facts:
            self.people[fact.pk] = fact

    @property
    def rulesets(self) -> RuleSetIndex:
        if self._rulesets is None:
            self._rulesets = RuleSetIndex.for_paths(f.unit_path for f in self.people.values())
        return self._rulesets

    def read(self, *, exemptions: bool = True, described: dict[int, str] | None = None) -> None:
        """Reads the exemptions (unless the caller knows there are none: `exemptions` False) and
        every credit of the people (in ledger order; `described`: see `read_entries`), then who
        else holds their one-holder artefacts. A fixed number of queries for any number of
        people."""
        ids = sorted(self.people)
        if exemptions:
            self.read_exemptions(ids)
        self.read_entries(ids, described)
        self.read_elsewhere()

    def read_exemptions(self, ids: Sequence[int]) -> None:
        for chunk in _chunks(ids):
            where, params = sql.in_list("person_id", chunk, "bigint")
            rows = sql.select(
                Exemption,
                EXEMPTION_FIELDS,
                f"{where} AND status = %s",
                [*params, Exemption.Status.APPROVED.value],
                " ORDER BY person_id, period DESC, id DESC",  # the model's ordering
            )
            for pid, period, kind, months, ratio, reason in rows:
                self.exemptions[pid].append(
                    engine.Exemption(
                        period=period, kind=kind, months=months, ratio=ratio, reason=reason
                    )
                )

    def _add_exemptions(self, which: Q) -> None:
        counted = Exemption.objects.filter(which, status=Exemption.Status.APPROVED)
        for exemption in counted:
            self.exemptions[exemption.person_id].append(exemption.as_engine())

    def read_entries(self, ids: Sequence[int], described: dict[int, str] | None = None) -> None:
        """Every credit of these people, one per entry (in place of their sums, if read);
        `described`, if given, gets each entry's description by its id (read with them)."""
        for pid in ids:
            self.credits.pop(pid, None)
            self.summed.discard(pid)
        extra = ("description",) if described is not None else ()
        for chunk in _chunks(ids):
            where, params = sql.in_list("person_id", chunk, "bigint")
            # Converted as the ORM converts, but each distinct stored value (a category list, an
            # amount, a day) once: a ledger repeats them endlessly.
            rows = sql.select(
                Entry,
                ("person_id", *CREDIT_FIELDS, *extra),
                where,
                params,
                " ORDER BY person_id, seq",
                shared=SHARED_FIELDS,
            )
            for row in rows:
                self.credits[row[0]].append(credit_from_row(row[1 : len(CREDIT_FIELDS) + 1]))
                if described is not None:
                    described[row[1]] = row[-1]

    # --- the summed mode: judging from sums, for a whole ledger at once (recompute) -----------

    @classmethod
    def summed_range(
        cls,
        first_id: int,
        last_id: int,
        rulesets: RuleSetIndex,
        table: str | None = None,
        same: Verdicts | None = None,
        only: Sequence[int] | None = None,
    ) -> "Loader":
        """Everyone with an id in first_id..last_id and what they are judged on, their credits
        read as sums per (period, category list, unit, kind) (`sql.credit_sums`) instead of entry
        by entry: where the rule set needs no more (`sums_suffice`), the judge's verdict on the
        sums is its verdict on the entries, for a fraction of the reading and judging (the sums
        read from `table` where a recompute keeps them). Credits that name an artefact or reverse
        another are read one by one (their person entirely); `itemise` reads those whose rule set
        needs it. With `only`, just those of these people (ids in the range)."""
        loader = cls(rulesets, same)
        if only is not None:  # (by array parameters: an ORM `__in` adapts each id in Python)
            loader.people.update(read_facts(only))
            loader.read_exemptions(sorted(loader.people))
        else:
            people = Person.objects.filter(pk__range=(first_id, last_id))
            for row in people.values_list(*FACT_FIELDS):
                loader.people[row[0]] = Facts(*row)
            loader._add_exemptions(Q(person_id__gte=first_id, person_id__lte=last_id))
        special: set[int] = set()
        # A sum stands for many entries: no entry id, no dates (no cap or span reads them). Sums
        # repeat endlessly between people (a handful of category lists and amounts): each
        # distinct one is made once (a Credit is immutable).
        made = loader.same.sums
        for pid, period, categories, unit, kind, amount, days, flagged in sql.credit_sums(
            first_id, last_id, table, only
        ):
            if flagged:
                special.add(pid)
            credits = loader.credits[pid]
            key = (len(credits), period, categories, unit, kind, amount, days)
            credit = made.get(key)
            if credit is None:
                day = dt.date(period, 1, 1)
                credit = Credit(-key[0] - 1, period, day, day, categories, amount, unit, kind, days)
                if len(made) < 200_000:
                    made[key] = credit
            credits.append(credit)
        loader.summed = set(loader.credits) - special
        loader.read_entries(sorted(special & set(loader.people)))
        loader.read_elsewhere()
        return loader

    def sums_suffice(self, rules: RuleSetData) -> bool:
        """Whether judging by `rules` needs only sums of credits (`engine.judged_by_sums`)."""
        known = self._suffice.get(id(rules))
        if known is None:
            known = self._suffice[id(rules)] = engine.judged_by_sums(rules)
        return known

    def itemise(self, periods: Mapping[int, Iterable[int]]) -> None:
        """Reads entry by entry the credits of the summed people whose rule set of one of
        `periods` needs more than sums."""
        needed = []
        for pid in sorted(self.summed & set(periods)):
            for period in periods[pid]:
                rules = self.rules(pid, period)
                if rules is not None and not self.sums_suffice(rules):
                    needed.append(pid)
                    break
        if needed:
            self.read_entries(needed)
            self.read_elsewhere()

    def add_credit(self, person_id: int, credit: Credit) -> None:
        self.credits[person_id].append(credit)

    def read_elsewhere(self) -> None:
        """For each one-holder artefact of these people: the first entry (lowest id) of anyone else
        that holds it and is not reversed. One query, by artefact key (a partial index)."""
        keys = {
            c.artefact_key
            for credits in self.credits.values()
            for c in credits
            if c.exclusive and c.artefact_key and c.reverses_id is None
        }
        self.elsewhere.clear()
        if not keys:
            return
        holders: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for chunk in _chunks(sorted(keys)):
            rows = (
                Entry.objects.filter(
                    artefact_exclusive=True,
                    artefact_key__in=chunk,
                    reverses__isnull=True,
                    reversals__isnull=True,
                )
                .values_list("artefact_key", "person_id", "id")
                .order_by("id")
            )
            for key, person_id, pk in rows:
                holders[key].append((person_id, pk))
        for person_id, credits in self.credits.items():
            for credit in credits:
                if not credit.exclusive or credit.artefact_key not in holders:
                    continue
                others = [pk for who, pk in holders[credit.artefact_key] if who != person_id]
                if others:
                    self.elsewhere[person_id][credit.artefact_key] = min(others)

    def rules(self, person_id: int, period: int) -> RuleSetData | None:
        facts = self.people[person_id]
        return self.rulesets.rules(facts.unit_path, facts.category, period)

    def period_of(self, person_id: int, day: dt.date) -> int:
        facts = self.people[person_id]
        return self.rulesets.period_of(facts.unit_path, facts.category, day)

    def subject(self, person_id: int) -> Subject:
        facts = self.people[person_id]
        return Subject(
            personnel_category=facts.category,
            title_level=facts.title_level,
            birth_date=facts.birth_date,
            hired_on=facts.hired_on,
            exemptions=tuple(self.exemptions.get(person_id, ())),
        )

    def evaluate(self, person_id: int, period: int, explain: bool = True) -> Evaluation | None:
        """The judge's evaluation of the person's period, or None when no rule set applies."""
        rules = self.rules(person_id, period)
        if rules is None:
            return None
        if person_id in self.summed and not self.sums_suffice(rules):
            # Never a verdict on sums the rule set cannot judge by (`itemise` first).
            raise ValueError(f"person {person_id}: {rules.ref} needs their entries, not sums")
        return engine.evaluate(
            rules,
            self.subject(person_id),
            self.credits.get(person_id, []),
            period,
            elsewhere=self.elsewhere.get(person_id),
            explain=explain,
        )

    def verdict(self, person_id: int, period: int) -> Verdict:
        """The verdict the standing stores: judged once per distinct input (`engine.SameVerdicts`)
        — people whose credits sum alike under the same rule set, bracket and exemptions share
        it — and on their own where their credits need it."""
        rules = self.rules(person_id, period)
        credits = self.credits.get(person_id, [])
        found = None
        if rules is not None and not self.elsewhere.get(person_id):
            facts = self.people[person_id]
            found = self.same.key(
                rules,
                facts.birth_date,
                facts.hired_on,
                self.exemptions.get(person_id, ()),
                credits,
                period,
            )
            if found is not None:
                shared = self.verdicts.get(found[0])
                if shared is not None:
                    # The same verdict but for the period's counted total, the person's own.
                    if shared.earned == found[1]:
                        return shared
                    return replace(shared, earned=found[1])
        verdict = verdict_of(self.evaluate(person_id, period, explain=False), credits, period)
        if found is not None:
            self.verdicts[found[0]] = verdict
        return verdict

    def periods(self, person_id: int) -> set[int]:
        """The periods the person has credits in."""
        return {c.period for c in self.credits.get(person_id, [])}


def evaluate_person(person: Person, period: int) -> Evaluation | None:
    """One person's evaluation with its explanation (the personal page, a certificate)."""
    return Loader.for_people([person]).evaluate(person.pk, period)


def evaluate_many(people: Sequence[Person], period: int) -> dict[int, Evaluation | None]:
    """Evaluations of a page or chunk of people (units selected), in a fixed number of queries."""
    loader = Loader.for_people(people)
    return {p.pk: loader.evaluate(p.pk, period) for p in people}
