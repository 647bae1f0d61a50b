"""Rule sets as data: the typed form of a 学分制管理办法 and its YAML reader/writer.

A rule set names its own categories, age brackets, requirements, caps, carry-over, conversions,
grades and proration. `load_yaml` refuses anything it does not understand (an unknown key, an
unknown category, a negative cap) with a CodedError whose message names the place in the YAML, e.g.
"requirements[1].min.public: unknown category 'publik'"; nothing half-valid gets through.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from xuefen.core.errors import CodedError
from xuefen.policy.errors import Code

UNITS = ("hours", "credits")
# A target counts the rule set's own unit, days (recorded on each entry: a fact of the activity, not
# a conversion) or months (calendar days covered by the entries' spans ÷ days_per_month).
SPAN_UNITS = ("days", "months")
WINDOW_KINDS = ("fixed", "rolling")
CAP_PER = ("item", "day", "period")
METHODS = (
    "per_day",
    "per_half_day",
    "per_hour",
    "per_minutes",
    "by_duration",
    "per_1000_chars",
    "per_item",
    "lump_sum",
)
PERSONNEL_CATEGORIES = ("county", "township", "general", "professional")


class RuleSetError(CodedError):
    """A rule set that cannot be accepted; `field` is the path in the YAML."""


@dataclass(frozen=True)
class Label:
    """A text in Chinese and English; str() picks the active language (Chinese when unsure)."""

    zh: str
    en: str = ""

    def __str__(self) -> str:
        language = get_language() or "zh-hans"
        if language.startswith("en") and self.en:
            return self.en
        return self.zh or self.en


@dataclass(frozen=True)
class Category:
    code: str
    label: Label


@dataclass(frozen=True)
class AgeBracket:
    code: str
    label: Label
    min_age: int | None = None
    max_age: int | None = None
    source: str = ""

    def contains(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )


@dataclass(frozen=True)
class Target:
    """One way of meeting a requirement: at least `min` of credits carrying all `categories` tags
    (and, if `kinds` is set, of one of those activity kinds), counted in `unit`: the rule set's
    unit, "days" (the days recorded on the entries) or "months" (calendar days their spans cover,
    ÷ days_per_month)."""

    min: Decimal
    unit: str = ""
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    by_age: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """The periods a requirement sums over. One year by default. A fixed window is a plan cycle
    (e.g. 5 years from 2023: 2023–2027, 2028–2032 …): before its last year a person is in progress.
    A rolling window is the `years` ending with the year judged, so every year is a last year."""

    years: int = 1
    kind: str = "fixed"  # fixed | rolling
    first: int | None = None  # a fixed window's first year (the cycle's anchor)

    @property
    def is_multi_year(self) -> bool:
        return self.years > 1


@dataclass(frozen=True)
class Requirement:
    """A requirement is met when any of its targets is met (one target for a plain minimum)."""

    code: str
    label: Label
    targets: tuple[Target, ...]
    window: Window = Window()
    binding: bool = True  # False: reported (e.g. a plan's recommendation) but not needed to pass
    source: str = ""  # the document and article the numbers come from


@dataclass(frozen=True)
class Cap:
    code: str
    label: Label
    max: Decimal
    per: str  # item | day | period
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class CarryOver:
    """The excess of `requirement`'s earned amount over its minimum moves to `to` next period."""

    requirement: str
    to: str
    max: Decimal | None = None
    source: str = ""


@dataclass(frozen=True)
class Band:
    """A length band of `by_duration`: courses of at least `min_minutes` (or, with `over`, more
    than that) earn `amount`."""

    min_minutes: Decimal
    amount: Decimal
    over: bool = False

    def takes(self, minutes: Decimal) -> bool:
        return minutes > self.min_minutes if self.over else minutes >= self.min_minutes


@dataclass(frozen=True)
class TableRow:
    level: str
    amount: Decimal
    author_rank: str = "*"


@dataclass(frozen=True)
class Conversion:
    kind: str
    label: Label
    method: str
    categories: tuple[str, ...]
    rate: Decimal = Decimal(0)
    minutes: Decimal = Decimal(0)  # per_minutes: minutes per unit of `rate`
    bands: tuple[Band, ...] = ()
    table: tuple[TableRow, ...] = ()
    max_per_item: Decimal | None = None
    max_per_day: Decimal | None = None
    round_to: Decimal | None = None
    split_years: int = 1
    source: str = ""


@dataclass(frozen=True)
class GradeTier:
    code: str
    label: Label
    min_ratio: Decimal
    by_age: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Grades:
    of: str  # requirement code whose earned/required ratio grades the person
    tiers: tuple[GradeTier, ...]  # highest first; the last is the tier for "not met"
    source: str = ""


@dataclass(frozen=True)
class Proration:
    new_hire: bool = False  # hired during the period: required × months served / 12
    leave_exempt_months: int | None = None  # leave of at least this many months exempts fully
    source: str = ""


@dataclass(frozen=True)
class Calendar:
    """A region's periods: years starting on `month`-`day` (1 January by default). A period is
    named by the calendar year in which it ends, so with a year from 1 October, 2026 is
    2025-10-01 to 2026-09-30."""

    month: int = 1
    day: int = 1

    def period_of(self, day: dt.date) -> int:
        return day.year + 1 if (day.month, day.day) >= (self.month, self.day) > (1, 1) else day.year

    def first_day(self, period: int) -> dt.date:
        if (self.month, self.day) == (1, 1):
            return dt.date(period, 1, 1)
        return dt.date(period - 1, self.month, self.day)

    def last_day(self, period: int) -> dt.date:
        return self.first_day(period + 1) - dt.timedelta(days=1)

    @property
    def is_calendar_year(self) -> bool:
        return (self.month, self.day) == (1, 1)


CALENDAR_YEAR = Calendar()


@dataclass(frozen=True)
class RuleSetData:
    code: str
    name: Label
    version: int
    valid_from: dt.date
    unit: str
    categories: tuple[Category, ...]
    requirements: tuple[Requirement, ...]
    valid_to: dt.date | None = None
    description: str = ""
    regions: tuple[str, ...] = ()
    personnel_categories: tuple[str, ...] = ()
    unit_rates: Mapping[str, Decimal] = field(default_factory=dict)
    hours_per_day: Decimal = Decimal(8)  # clock hours of a full day (claims' 24-hours-a-day check)
    days_per_month: Decimal = Decimal(30)  # for "months" targets
    calendar: Calendar = CALENDAR_YEAR
    source: str = ""  # the document the rule set as a whole implements
    rounding: Decimal = Decimal("0.01")
    age_brackets: tuple[AgeBracket, ...] = ()
    caps: tuple[Cap, ...] = ()
    carry_over: tuple[CarryOver, ...] = ()
    conversions: Mapping[str, Conversion] = field(default_factory=dict)
    grades: Grades | None = None
    proration: Proration = Proration()

    @property
    def ref(self) -> str:
        return f"{self.code} v{self.version}"

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def category_label(self, code: str) -> str:
        found = self.category(code)
        return str(found.label) if found else code

    def requirement(self, code: str) -> Requirement | None:
        return next((r for r in self.requirements if r.code == code), None)

    @property
    def label(self) -> str:
        """How people read the rule set: its name and version, e.g. 某某培训（第1版）."""
        return _("%(name)s (version %(version)s)") % {"name": self.name, "version": self.version}

    def kind_label(self, kind: str) -> str:
        """The activity kind's label from the conversions (e.g. 党校培训（天）), or the code."""
        found = self.conversions.get(kind)
        return str(found.label) if found else kind


DEFAULT_AGE_BRACKETS = (
    AgeBracket("under45", Label("45岁以下", "Under 45"), None, 44),
    AgeBracket("45to54", Label("45–54岁", "45 to 54"), 45, 54),
    AgeBracket("55plus", Label("55岁及以上", "55 and over"), 55, None),
)


# --- reading ---------------------------------------------------------------------------------


def _fail(code: str, path: str, message: str) -> RuleSetError:
    return RuleSetError(code, f"{path}: {message}" if path else message, field=path or None)


class _Node:
    """A mapping from the YAML with its path, so every complaint can say where it is."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _fail("not_a_mapping", path, _("expected a mapping of keys to values"))
        self.value = value
        self.path = path

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def only(self, *allowed: str) -> None:
        for key in self.value:
            if key not in allowed:
                raise _fail(
                    "unknown_key",
                    self.at(str(key)),
                    _("unknown key (allowed: %(allowed)s)") % {"allowed": ", ".join(allowed)},
                )

    def has(self, key: str) -> bool:
        return self.value.get(key) is not None

    def raw(self, key: str, required: bool = False) -> Any:
        value = self.value.get(key)
        if value is None and required:
            raise _fail("missing", self.at(key), _("is required"))
        return value

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.raw(key, required)
        if value is None:
            return default
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise _fail("not_text", self.at(key), _("expected text"))
        return str(value)

    def code(self, key: str) -> str:
        value = self.text(key, required=True)
        if not value.replace("_", "").replace("-", "").isalnum() or not value.isascii():
            raise _fail(
                "bad_code",
                self.at(key),
                _("'%(v)s' is not a code (letters, digits, _)") % {"v": value},
            )
        return value

    def integer(self, key: str, default: int | None = None, minimum: int = 0) -> int | None:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail("not_integer", self.at(key), _("expected a whole number"))
        if value < minimum:
            raise _fail("too_small", self.at(key), _("must be at least %(min)s") % {"min": minimum})
        return value

    def decimal(self, key: str, required: bool = False, positive: bool = False) -> Decimal | None:
        return _decimal(self.raw(key, required), self.at(key), positive)

    def label(self, key: str, required: bool = True, fallback: str = "") -> Label:
        value = self.raw(key, required and not fallback)
        if value is None:
            return Label(fallback, fallback)
        if isinstance(value, str):
            return Label(value, value)
        node = _Node(value, self.at(key))
        node.only("zh", "en")
        zh = node.text("zh", required=True)
        return Label(zh, node.text("en") or zh)

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise _fail("not_date", self.at(key), _("expected a date like 2026-01-01")) from None

    def items(self, key: str, required: bool = False) -> list[tuple[str, Any]]:
        value = self.raw(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise _fail("not_a_list", self.at(key), _("expected a list"))
        return [(self.at(key) + f"[{i}]", item) for i, item in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail("not_a_list", self.at(key), _("expected a list of codes"))
        return tuple(value)


def _decimal(value: Any, path: str, positive: bool = False) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _fail("not_number", path, _("expected a number"))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _fail("not_number", path, _("expected a number")) from None
    if not number.is_finite():
        raise _fail("not_number", path, _("expected a number"))
    if number < 0:
        raise _fail("negative", path, _("must not be negative (got %(v)s)") % {"v": value})
    if positive and number == 0:
        raise _fail("not_positive", path, _("must be greater than zero"))
    return number


class _Reader:
    """Reads one rule set, checking each reference against the categories and requirements."""

    def __init__(self, root: _Node) -> None:
        self.root = root
        self.category_codes: set[str] = set()
        self.bracket_codes: set[str] = set()

    def check_categories(self, codes: tuple[str, ...], path: str) -> tuple[str, ...]:
        for code in codes:
            if code not in self.category_codes:
                raise _fail(
                    "unknown_category", path, _("unknown category '%(code)s'") % {"code": code}
                )
        return codes

    def by_age(self, node: _Node, key: str) -> dict[str, Decimal]:
        raw = node.raw(key)
        if raw is None:
            return {}
        table = _Node(raw, node.at(key))
        out: dict[str, Decimal] = {}
        for bracket, value in table.value.items():
            path = table.at(str(bracket))
            if bracket not in self.bracket_codes:
                raise _fail(
                    "unknown_age_bracket",
                    path,
                    _("unknown age bracket '%(code)s'") % {"code": bracket},
                )
            number = _decimal(value, path)
            assert number is not None
            out[str(bracket)] = number
        return out

    def read(self) -> RuleSetData:
        r = self.root
        r.only(
            "code",
            "name",
            "version",
            "valid_from",
            "valid_to",
            "description",
            "applies_to",
            "unit",
            "unit_rates",
            "hours_per_day",
            "days_per_month",
            "year_starts",
            "source",
            "rounding",
            "categories",
            "age_brackets",
            "requirements",
            "caps",
            "carry_over",
            "conversions",
            "grades",
            "proration",
        )
        code = r.code("code")
        version = r.integer("version", minimum=1)
        if version is None:
            raise _fail("missing", "version", _("is required"))
        valid_from = r.date("valid_from", required=True)
        assert valid_from is not None
        valid_to = r.date("valid_to")
        if valid_to is not None and valid_to < valid_from:
            raise _fail("bad_dates", "valid_to", _("is before valid_from"))
        unit = r.text("unit", required=True)
        if unit not in UNITS:
            raise _fail("unknown_unit", "unit", _("unknown unit '%(u)s'") % {"u": unit})
        regions: tuple[str, ...] = ()
        people: tuple[str, ...] = ()
        if r.has("applies_to"):
            applies = _Node(r.raw("applies_to"), "applies_to")
            applies.only("regions", "personnel_categories")
            regions = applies.strings("regions")
            people = applies.strings("personnel_categories")
            for person_category in people:
                if person_category not in PERSONNEL_CATEGORIES:
                    raise _fail(
                        "unknown_personnel_category",
                        "applies_to.personnel_categories",
                        _("unknown personnel category '%(c)s'") % {"c": person_category},
                    )
        unit_rates: dict[str, Decimal] = {}
        if r.has("unit_rates"):
            rates = _Node(r.raw("unit_rates"), "unit_rates")
            for key in rates.value:
                if key not in UNITS:
                    raise _fail(
                        "unknown_unit", rates.at(str(key)), _("unknown unit '%(u)s'") % {"u": key}
                    )
                rate = rates.decimal(str(key), positive=True)
                assert rate is not None
                unit_rates[str(key)] = rate
        categories = self.read_categories()
        brackets = self.read_brackets()
        requirements = self.read_requirements(unit)
        return RuleSetData(
            code=code,
            name=r.label("name", fallback=code),
            version=version,
            valid_from=valid_from,
            valid_to=valid_to,
            description=r.text("description"),
            regions=regions,
            personnel_categories=people,
            unit=unit,
            unit_rates=unit_rates,
            hours_per_day=r.decimal("hours_per_day", positive=True) or Decimal(8),
            days_per_month=r.decimal("days_per_month", positive=True) or Decimal(30),
            calendar=self.read_calendar(),
            source=r.text("source"),
            rounding=r.decimal("rounding", positive=True) or Decimal("0.01"),
            categories=categories,
            age_brackets=brackets,
            requirements=requirements,
            caps=self.read_caps(),
            carry_over=self.read_carry_over(requirements),
            conversions=self.read_conversions(),
            grades=self.read_grades(requirements),
            proration=self.read_proration(),
        )

    def read_categories(self) -> tuple[Category, ...]:
        out = []
        for path, raw in self.root.items("categories", required=True):
            node = _Node(raw, path)
            node.only("code", "label")
            code = node.code("code")
            if code in self.category_codes:
                raise _fail("duplicate_code", path, _("category '%(c)s' twice") % {"c": code})
            self.category_codes.add(code)
            out.append(Category(code, node.label("label", fallback=code)))
        return tuple(out)

    def read_brackets(self) -> tuple[AgeBracket, ...]:
        if not self.root.has("age_brackets"):
            self.bracket_codes = {b.code for b in DEFAULT_AGE_BRACKETS}
            return DEFAULT_AGE_BRACKETS
        out: list[AgeBracket] = []
        for path, raw in self.root.items("age_brackets"):
            node = _Node(raw, path)
            node.only("code", "label", "min_age", "max_age", "source")
            bracket = AgeBracket(
                node.code("code"),
                node.label("label"),
                node.integer("min_age"),
                node.integer("max_age"),
                node.text("source"),
            )
            if bracket.code in self.bracket_codes:
                raise _fail(
                    "duplicate_code", path, _("age bracket '%(c)s' twice") % {"c": bracket.code}
                )
            for other in out:
                if _brackets_overlap(bracket, other):
                    raise _fail(
                        "overlapping_brackets",
                        path,
                        _("overlaps age bracket '%(c)s'") % {"c": other.code},
                    )
            self.bracket_codes.add(bracket.code)
            out.append(bracket)
        return tuple(out)

    def read_calendar(self) -> Calendar:
        raw = self.root.raw("year_starts")
        if raw is None:
            return CALENDAR_YEAR
        try:
            month, day = (int(part) for part in str(raw).split("-"))
            dt.date(2001, month, day)  # a real day of a common year (no 29 February)
        except ValueError:
            raise _fail(
                "bad_year_start",
                "year_starts",
                _("expected the month and day a year starts, like 01-01 or 10-01"),
            ) from None
        return Calendar(month, day)

    def read_target(self, node: _Node, unit: str) -> Target:
        node.only("min", "unit", "categories", "category", "kinds", "kind", "by_age")
        target_unit = node.text("unit", default=unit)
        if target_unit not in (unit, *SPAN_UNITS):
            raise _fail(
                "unknown_unit",
                node.at("unit"),
                _("a target counts %(allowed)s, not '%(u)s'")
                % {"allowed": ", ".join((unit, *SPAN_UNITS)), "u": target_unit},
            )
        minimum = node.decimal("min", required=True)
        assert minimum is not None
        categories = node.strings("categories") + node.strings("category")
        return Target(
            min=minimum,
            unit=target_unit,
            categories=self.check_categories(categories, node.at("categories")),
            kinds=node.strings("kinds") + node.strings("kind"),
            by_age=self.by_age(node, "by_age"),
        )

    def read_requirements(self, unit: str) -> tuple[Requirement, ...]:
        out: list[Requirement] = []
        if not self.root.items("requirements", required=True):
            raise _fail("no_requirements", "requirements", _("needs at least one requirement"))
        for path, raw in self.root.items("requirements", required=True):
            node = _Node(raw, path)
            node.only(
                "code",
                "label",
                "min",
                "unit",
                "categories",
                "category",
                "kinds",
                "kind",
                "by_age",
                "any_of",
                "window",
                "window_years",
                "window_anchor",
                "binding",
                "source",
            )
            code = node.code("code")
            if any(r.code == code for r in out):
                raise _fail("duplicate_code", path, _("requirement '%(c)s' twice") % {"c": code})
            if node.has("any_of"):
                if node.has("min"):
                    raise _fail("min_and_any_of", path, _("give either min or any_of, not both"))
                targets = tuple(
                    self.read_target(_Node(item, item_path), unit)
                    for item_path, item in node.items("any_of")
                )
                if len(targets) < 2:
                    raise _fail(
                        "any_of_too_short", node.at("any_of"), _("needs two alternatives or more")
                    )
            else:
                fields = {
                    k: v
                    for k, v in node.value.items()
                    if k in ("min", "unit", "categories", "category", "kinds", "kind", "by_age")
                }
                targets = (self.read_target(_Node(fields, path), unit),)
            binding = node.raw("binding")
            out.append(
                Requirement(
                    code=code,
                    label=node.label("label", fallback=code),
                    targets=targets,
                    window=self.read_window(node),
                    binding=True if binding is None else bool(binding),
                    source=node.text("source"),
                )
            )
        return tuple(out)

    def read_window(self, node: _Node) -> Window:
        """`window: {years: 5, kind: fixed, first: 2023}` or `{years: 3, kind: rolling}`; the older
        `window_years` (+ `window_anchor` for a fixed cycle; without it, rolling) still reads."""
        if node.has("window"):
            if node.has("window_years") or node.has("window_anchor"):
                raise _fail(
                    "window_twice",
                    node.at("window"),
                    _("give window, or window_years and window_anchor, not both"),
                )
            window = _Node(node.raw("window"), node.at("window"))
            window.only("years", "kind", "first")
            years = window.integer("years", default=1, minimum=1) or 1
            kind = window.text("kind", default="fixed")
            if kind not in WINDOW_KINDS:
                raise _fail(
                    "unknown_window_kind",
                    window.at("kind"),
                    _("'%(k)s' is not one of %(all)s")
                    % {"k": kind, "all": ", ".join(WINDOW_KINDS)},
                )
            first = window.integer("first", minimum=1900)
            if kind == "fixed" and years > 1 and first is None:
                raise _fail(
                    "window_first_missing",
                    window.at("first"),
                    _("a fixed window of several years needs the year its cycle starts"),
                )
            if kind == "rolling" and first is not None:
                raise _fail(
                    "window_first_rolling",
                    window.at("first"),
                    _("a rolling window has no first year"),
                )
            return Window(years, kind, first if years > 1 else None)
        years = node.integer("window_years", default=1, minimum=1) or 1
        anchor = node.integer("window_anchor")
        if years == 1:
            return Window()
        return Window(years, "fixed" if anchor is not None else "rolling", anchor)

    def read_caps(self) -> tuple[Cap, ...]:
        out: list[Cap] = []
        for path, raw in self.root.items("caps"):
            node = _Node(raw, path)
            node.only(
                "code", "label", "max", "per", "categories", "category", "kinds", "kind", "source"
            )
            code = node.code("code")
            per = node.text("per", required=True)
            if per not in CAP_PER:
                raise _fail(
                    "unknown_cap_per",
                    node.at("per"),
                    _("'%(p)s' is not one of %(all)s") % {"p": per, "all": ", ".join(CAP_PER)},
                )
            maximum = node.decimal("max", required=True)
            assert maximum is not None
            categories = node.strings("categories") + node.strings("category")
            kinds = node.strings("kinds") + node.strings("kind")
            if any(c.code == code for c in out):
                raise _fail("duplicate_code", path, _("cap '%(c)s' twice") % {"c": code})
            out.append(
                Cap(
                    code=code,
                    label=node.label("label", fallback=code),
                    max=maximum,
                    per=per,
                    categories=self.check_categories(categories, node.at("categories")),
                    kinds=kinds,
                    source=node.text("source"),
                )
            )
        return tuple(out)

    def read_carry_over(self, requirements: tuple[Requirement, ...]) -> tuple[CarryOver, ...]:
        out = []
        for path, raw in self.root.items("carry_over"):
            node = _Node(raw, path)
            node.only("requirement", "to", "max", "source")
            code = node.text("requirement", required=True)
            requirement = next((r for r in requirements if r.code == code), None)
            if requirement is None:
                raise _fail(
                    "unknown_requirement",
                    node.at("requirement"),
                    _("unknown requirement '%(c)s'") % {"c": code},
                )
            if len(requirement.targets) != 1 or requirement.window.is_multi_year:
                raise _fail(
                    "bad_carry_over",
                    node.at("requirement"),
                    _("only a one-year requirement with a single minimum can carry over"),
                )
            to = node.text("to", required=True)
            self.check_categories((to,), node.at("to"))
            out.append(CarryOver(code, to, node.decimal("max"), node.text("source")))
        return tuple(out)

    def read_conversions(self) -> dict[str, Conversion]:
        out: dict[str, Conversion] = {}
        if not self.root.has("conversions"):
            return out
        table = _Node(self.root.raw("conversions"), "conversions")
        for kind, raw in table.value.items():
            path = table.at(str(kind))
            node = _Node(raw, path)
            node.only(
                "label",
                "method",
                "categories",
                "category",
                "rate",
                "minutes",
                "bands",
                "table",
                "max_per_item",
                "max_per_day",
                "round_to",
                "split_years",
                "source",
            )
            method = node.text("method", required=True)
            if method not in METHODS:
                raise _fail(
                    "unknown_method",
                    node.at("method"),
                    _("'%(m)s' is not one of %(all)s") % {"m": method, "all": ", ".join(METHODS)},
                )
            bands = []
            for band_path, band_raw in node.items("bands", required=method == "by_duration"):
                band = _Node(band_raw, band_path)
                band.only("min_minutes", "over_minutes", "amount")
                if band.has("min_minutes") == band.has("over_minutes"):
                    raise _fail(
                        "band_bound",
                        band_path,
                        _("give min_minutes (at least) or over_minutes (more than), one of them"),
                    )
                over = band.has("over_minutes")
                bands.append(
                    Band(
                        band.decimal("over_minutes" if over else "min_minutes", True) or Decimal(0),
                        band.decimal("amount", True) or Decimal(0),
                        over,
                    )
                )
            rows = []
            for row_path, row_raw in node.items("table", required=method == "per_item"):
                row = _Node(row_raw, row_path)
                row.only("level", "author_rank", "amount")
                rows.append(
                    TableRow(
                        row.text("level", required=True),
                        row.decimal("amount", True) or Decimal(0),
                        row.text("author_rank", default="*"),
                    )
                )
            needs_rate = method not in ("by_duration", "per_item")
            minutes = node.decimal("minutes", required=method == "per_minutes", positive=True)
            categories = node.strings("categories") + node.strings("category")
            out[str(kind)] = Conversion(
                kind=str(kind),
                label=node.label("label", fallback=str(kind)),
                method=method,
                categories=self.check_categories(categories, node.at("categories")),
                rate=node.decimal("rate", required=needs_rate) or Decimal(0),
                minutes=minutes or Decimal(0),
                bands=tuple(sorted(bands, key=lambda b: (b.min_minutes, b.over), reverse=True)),
                table=tuple(rows),
                max_per_item=node.decimal("max_per_item"),
                max_per_day=node.decimal("max_per_day"),
                round_to=node.decimal("round_to", positive=True),
                split_years=node.integer("split_years", default=1, minimum=1) or 1,
                source=node.text("source"),
            )
        return out

    def read_grades(self, requirements: tuple[Requirement, ...]) -> Grades | None:
        if not self.root.has("grades"):
            return None
        node = _Node(self.root.raw("grades"), "grades")
        node.only("of", "tiers", "source")
        of = node.text("of", required=True)
        if not any(r.code == of for r in requirements):
            raise _fail(
                "unknown_requirement", node.at("of"), _("unknown requirement '%(c)s'") % {"c": of}
            )
        tiers = []
        for path, raw in node.items("tiers", required=True):
            tier = _Node(raw, path)
            tier.only("code", "label", "min_ratio", "by_age")
            tiers.append(
                GradeTier(
                    tier.code("code"),
                    tier.label("label"),
                    tier.decimal("min_ratio", required=True) or Decimal(0),
                    self.by_age(tier, "by_age"),
                )
            )
        if len(tiers) < 2:
            raise _fail("too_few_tiers", node.at("tiers"), _("needs two tiers or more"))
        for i in range(1, len(tiers)):
            if tiers[i].min_ratio > tiers[i - 1].min_ratio:
                raise _fail(
                    "tiers_out_of_order",
                    node.at("tiers") + f"[{i}]",
                    _("list tiers from highest to lowest"),
                )
        return Grades(of, tuple(tiers), node.text("source"))

    def read_proration(self) -> Proration:
        if not self.root.has("proration"):
            return Proration()
        node = _Node(self.root.raw("proration"), "proration")
        node.only("new_hire", "leave_exempt_months", "source")
        return Proration(
            new_hire=bool(node.raw("new_hire")),
            leave_exempt_months=node.integer("leave_exempt_months", minimum=1),
            source=node.text("source"),
        )


def _brackets_overlap(a: AgeBracket, b: AgeBracket) -> bool:
    a_low, a_high = a.min_age or 0, a.max_age if a.max_age is not None else 200
    b_low, b_high = b.min_age or 0, b.max_age if b.max_age is not None else 200
    return a_low <= b_high and b_low <= a_high


def load_yaml(text: str) -> RuleSetData:
    """Parses and validates a rule set; raises RuleSetError naming the first problem and where."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleSetError(Code.BAD_YAML, _("Not valid YAML: %(error)s") % {"error": exc}) from None
    return _Reader(_Node(raw, "")).read()


# --- writing ---------------------------------------------------------------------------------


def _num(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value)  # short decimals survive the float round trip: str(0.25) == "0.25"


def _label(label: Label) -> dict[str, str]:
    return {"zh": label.zh, "en": label.en}


def _with_source(out: dict[str, Any], source: str) -> dict[str, Any]:
    if source:
        out["source"] = source
    return out


def _window(window: Window) -> dict[str, Any]:
    out: dict[str, Any] = {"years": window.years, "kind": window.kind}
    if window.first is not None:
        out["first"] = window.first
    return out


def _target(target: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"min": _num(target.min), "unit": target.unit}
    if target.categories:
        out["categories"] = list(target.categories)
    if target.kinds:
        out["kinds"] = list(target.kinds)
    if target.by_age:
        out["by_age"] = {k: _num(v) for k, v in target.by_age.items()}
    return out


def to_dict(data: RuleSetData) -> dict[str, Any]:
    """The rule set as plain YAML-ready data, in the shape load_yaml reads."""
    out: dict[str, Any] = {
        "code": data.code,
        "name": _label(data.name),
        "version": data.version,
        "valid_from": data.valid_from.isoformat(),
        "valid_to": data.valid_to.isoformat() if data.valid_to else None,
        "description": data.description,
        "applies_to": {
            "regions": list(data.regions),
            "personnel_categories": list(data.personnel_categories),
        },
        "source": data.source,
        "unit": data.unit,
        "unit_rates": {k: _num(v) for k, v in data.unit_rates.items()},
        "hours_per_day": _num(data.hours_per_day),
        "days_per_month": _num(data.days_per_month),
        "year_starts": f"{data.calendar.month:02d}-{data.calendar.day:02d}",
        "rounding": _num(data.rounding),
        "categories": [{"code": c.code, "label": _label(c.label)} for c in data.categories],
        "age_brackets": [
            _with_source(
                {
                    "code": b.code,
                    "label": _label(b.label),
                    "min_age": b.min_age,
                    "max_age": b.max_age,
                },
                b.source,
            )
            for b in data.age_brackets
        ],
        "requirements": [],
        "caps": [
            _with_source(
                {
                    "code": c.code,
                    "label": _label(c.label),
                    "max": _num(c.max),
                    "per": c.per,
                    "categories": list(c.categories),
                    "kinds": list(c.kinds),
                },
                c.source,
            )
            for c in data.caps
        ],
        "carry_over": [
            _with_source(
                {
                    "requirement": c.requirement,
                    "to": c.to,
                    "max": None if c.max is None else _num(c.max),
                },
                c.source,
            )
            for c in data.carry_over
        ],
        "conversions": {},
        "proration": _with_source(
            {
                "new_hire": data.proration.new_hire,
                "leave_exempt_months": data.proration.leave_exempt_months,
            },
            data.proration.source,
        ),
    }
    for r in data.requirements:
        item: dict[str, Any] = {"code": r.code, "label": _label(r.label)}
        if len(r.targets) == 1:
            item.update(_target(r.targets[0]))
        else:
            item["any_of"] = [_target(t) for t in r.targets]
        if r.window.is_multi_year:
            item["window"] = _window(r.window)
        item["binding"] = r.binding
        out["requirements"].append(_with_source(item, r.source))
    for kind, c in data.conversions.items():
        conv: dict[str, Any] = {
            "label": _label(c.label),
            "method": c.method,
            "categories": list(c.categories),
        }
        if c.rate:
            conv["rate"] = _num(c.rate)
        if c.minutes:
            conv["minutes"] = _num(c.minutes)
        if c.bands:
            conv["bands"] = [
                {
                    "over_minutes" if b.over else "min_minutes": _num(b.min_minutes),
                    "amount": _num(b.amount),
                }
                for b in c.bands
            ]
        if c.table:
            conv["table"] = [
                {"level": t.level, "author_rank": t.author_rank, "amount": _num(t.amount)}
                for t in c.table
            ]
        for name in ("max_per_item", "max_per_day", "round_to"):
            value = getattr(c, name)
            if value is not None:
                conv[name] = _num(value)
        conv["split_years"] = c.split_years
        out["conversions"][kind] = _with_source(conv, c.source)
    if data.grades is not None:
        out["grades"] = {
            "of": data.grades.of,
            "tiers": [
                {
                    "code": t.code,
                    "label": _label(t.label),
                    "min_ratio": _num(t.min_ratio),
                    **({"by_age": {k: _num(v) for k, v in t.by_age.items()}} if t.by_age else {}),
                }
                for t in data.grades.tiers
            ],
        }
        _with_source(out["grades"], data.grades.source)
    return out


def dump_yaml(data: RuleSetData) -> str:
    """YAML text that load_yaml reads back into an equal RuleSetData."""
    return yaml.safe_dump(to_dict(data), allow_unicode=True, sort_keys=False, width=100)
