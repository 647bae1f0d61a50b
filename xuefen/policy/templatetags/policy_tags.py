"""A rule set in words, for the clerk who reads it: amounts as an office writes them, labels for
every code (categories, activity kinds, age brackets, units, methods), requirements, windows,
caps, conversions and grades as sentences."""

import contextlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from xuefen.policy.engine import State, fmt, unit_label, window_of
from xuefen.policy.schema import (
    Cap,
    CarryOver,
    Conversion,
    Requirement,
    RuleSetData,
    Target,
    Window,
)
from xuefen.policy.services import known_categories
from xuefen.policy.vocabulary import METHODS, PER, level_label
from xuefen.policy.vocabulary import kind_label as _kind_label

register = template.Library()

STATUS = {
    "counted": gettext_lazy("counted"),
    "capped": gettext_lazy("capped"),
    "excluded": gettext_lazy("not counted"),
    "duplicate": gettext_lazy("duplicate"),
    "reversed": gettext_lazy("reversed"),
}
STATES = {
    State.MET: pgettext_lazy("requirement state", "met"),
    State.SHORT: pgettext_lazy("requirement state", "not met"),
    State.IN_PROGRESS: pgettext_lazy("requirement state", "in progress"),
    State.EXEMPT: pgettext_lazy("requirement state", "exempt"),
}
PERSONNEL = {
    "county": gettext_lazy("County/division-level cadre"),
    "township": gettext_lazy("Township/section-level cadre"),
    "general": gettext_lazy("General cadre"),
    "professional": gettext_lazy("Professional-technical staff"),
}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _list(items: list[str]) -> str:
    return (", " if _english() else "、").join(items)


def _pair(name: str, value: str) -> str:
    """'市级：12 学分' / 'City level: 12 credits'."""
    return f"{name}{': ' if _english() else '：'}{value}"


@register.filter
def amount(value: Decimal | None) -> str:
    return "" if value is None else fmt(Decimal(value))


@register.filter
def unit_name(value: str) -> str:
    return unit_label(value)


@register.filter
def method_name(value: str) -> Any:
    return METHODS.get(value, value)


@register.filter
def per_name(value: str) -> Any:
    return PER.get(value, value)


@register.filter
def status_name(value: str) -> Any:
    return STATUS.get(value, value)


@register.filter
def state_name(value: str) -> Any:
    return STATES.get(value, value)


@register.filter
def personnel_names(values: list[str]) -> str:
    if not values:
        return str(_("All"))
    return _list([str(PERSONNEL.get(v, v)) for v in values])


@register.simple_tag
def categories(data: RuleSetData, codes: tuple[str, ...]) -> str:
    """'必修 + 网络培训' for ("required", "online"); empty codes mean every credit."""
    if not codes:
        return str(_("all credits"))
    return " + ".join(data.category_label(c) for c in codes)


@register.simple_tag(takes_context=True)
def category_names(context: template.Context, codes: list[str] | tuple[str, ...]) -> str:
    """Categories where no one rule set applies (a course, a claim type), by the names the saved
    rule sets give them: "必修、面授培训". The names are read once per request."""
    holder: Any = context.get("request") or context
    names = getattr(holder, "_xuefen_category_names", None)
    if names is None:
        names = dict(known_categories())
        with contextlib.suppress(AttributeError):  # a plain dict context keeps no attribute
            holder._xuefen_category_names = names
    return _list([names.get(code, code) for code in codes or ()])


@register.simple_tag
def kinds(data: RuleSetData, codes: tuple[str, ...]) -> str:
    """The activity kinds by their conversions' labels (党校脱产培训（天）、授课（学时）)."""
    return _list([_kind_label(data, k) for k in codes])


@register.simple_tag
def selection(
    data: RuleSetData, category_codes: tuple[str, ...], kind_codes: tuple[str, ...]
) -> str:
    """What a target or a cap reads: '集中培训', '全部学分（限：学历（学位）教育）'."""
    text = categories(data, category_codes)
    if kind_codes:
        text += _(" (only: %(kinds)s)") % {"kinds": kinds(data, kind_codes)}
    return text


def bracket_label(data: RuleSetData, code: str) -> str:
    found = next((b for b in data.age_brackets if b.code == code), None)
    return str(found.label) if found else code


@register.simple_tag
def by_age(data: RuleSetData, values: Mapping[str, Decimal], percent: bool = False) -> str:
    """'45岁及以上：72' for {"45plus": 72}; with percent, ratios as shares ('55岁及以上：130%')."""
    return _list(
        [
            _pair(bracket_label(data, code), _ratio(value) if percent else fmt(value))
            for code, value in values.items()
        ]
    )


def _ratio(value: Decimal) -> str:
    return f"{fmt(value * 100)}%"


@register.simple_tag
def target_text(data: RuleSetData, target: Target) -> str:
    """'集中培训 12 天': what must be earned, at least how much, counted in what."""
    return _("%(of)s %(min)s %(unit)s") % {
        "of": selection(data, target.categories, target.kinds),
        "min": fmt(target.min),
        "unit": unit_label(target.unit or data.unit),
    }


@register.simple_tag
def requirement_text(data: RuleSetData, requirement: Requirement) -> str:
    """'集中培训 12 天 或 集中培训 90 学时': every way of meeting the requirement."""
    return _(" or ").join(target_text(data, t) for t in requirement.targets)


@register.simple_tag
def window_text(window: Window) -> str:
    """'each year', 'fixed 5-year cycle (this cycle 2023–2027)', 'rolling 3 years'."""
    if not window.is_multi_year:
        return str(_("each year"))
    if window.kind == "rolling" or window.first is None:
        return _("rolling %(n)s years, ending with the year judged") % {"n": window.years}
    start, end = window_of(window, timezone.localdate().year)
    return _("fixed %(n)s-year cycle from %(first)s (this cycle %(start)s–%(end)s)") % {
        "n": window.years,
        "first": window.first,
        "start": start,
        "end": end,
    }


@register.simple_tag
def cap_text(data: RuleSetData, cap: Cap) -> str:
    """'at most 30 credits per day'."""
    return _("at most %(max)s %(unit)s %(per)s") % {
        "max": fmt(cap.max),
        "unit": unit_label(data.unit),
        "per": PER.get(cap.per, cap.per),
    }


@register.simple_tag
def carry_over_text(data: RuleSetData, carry: CarryOver) -> str:
    """The carry-over as a sentence: from which requirement, into which category, how much."""
    requirement = data.requirement(carry.requirement)
    values = {
        "requirement": requirement.label if requirement else carry.requirement,
        "category": data.category_label(carry.to),
    }
    if carry.max is None:
        return (
            _("The excess over “%(requirement)s” counts toward “%(category)s” of the next year.")
            % values
        )
    return _(
        "The excess over “%(requirement)s” counts toward “%(category)s” of the next year, "
        "at most %(max)s %(unit)s."
    ) % {**values, "max": fmt(carry.max), "unit": unit_label(data.unit)}


@register.simple_tag
def conversion_text(data: RuleSetData, conversion: Conversion) -> str:
    """The rule in words: '每天 7.5 学时', '每 45 分钟 3 学分', '按级别每项：市级 12 学分、…'."""
    unit = unit_label(data.unit)
    rate = fmt(conversion.rate)
    method = conversion.method
    if method == "per_minutes":
        return _("%(rate)s %(unit)s per %(minutes)s minutes") % {
            "rate": rate,
            "unit": unit,
            "minutes": fmt(conversion.minutes),
        }
    if method in ("by_duration", "per_item"):
        items = []
        for band in conversion.bands:
            words = _("more than %(n)s minutes") if band.over else _("%(n)s minutes or more")
            items.append(f"{words % {'n': fmt(band.min_minutes)}} {fmt(band.amount)} {unit}")
        for row in conversion.table:
            name = level_label(row.level)
            if row.author_rank != "*":
                name += _(" (author rank %(rank)s)") % {"rank": row.author_rank}
            items.append(f"{name} {fmt(row.amount)} {unit}")
        return _pair(str(METHODS[method]), _list(items))
    each = {
        "per_day": pgettext("conversion", "a day"),
        "per_half_day": pgettext("conversion", "a half day"),
        "per_hour": pgettext("conversion", "an hour"),
        "per_1000_chars": pgettext("conversion", "per 1,000 characters"),
        "lump_sum": pgettext("conversion", "each"),
    }.get(method, str(METHODS.get(method, method)))
    return _("%(rate)s %(unit)s %(each)s") % {"rate": rate, "unit": unit, "each": each}


@register.simple_tag
def conversion_limits(data: RuleSetData, conversion: Conversion) -> str:
    unit = unit_label(data.unit)
    parts = []
    if conversion.max_per_item is not None:
        parts.append(
            _("at most %(n)s %(unit)s per activity")
            % {"n": fmt(conversion.max_per_item), "unit": unit}
        )
    if conversion.max_per_day is not None:
        parts.append(
            _("at most %(n)s %(unit)s a day") % {"n": fmt(conversion.max_per_day), "unit": unit}
        )
    if conversion.round_to is not None:
        parts.append(_("rounded to %(n)s") % {"n": fmt(conversion.round_to)})
    if conversion.split_years > 1:
        parts.append(_("split over %(n)s years") % {"n": conversion.split_years})
    return _list(parts)


@register.filter
def ratio(value: Decimal) -> str:
    """1.5 → '150%': a grade's share of the requirement."""
    return _ratio(Decimal(value))


@register.simple_tag
def year_start(data: RuleSetData) -> str:
    if data.calendar.is_calendar_year:
        return str(_("1 January"))
    return _("%(month)s/%(day)s") % {"month": data.calendar.month, "day": data.calendar.day}


@register.simple_tag
def requirement_label(data: RuleSetData, code: str) -> str:
    found = data.requirement(code)
    return str(found.label) if found else code


@register.simple_tag
def kind_label(data: RuleSetData, code: str) -> str:
    return _kind_label(data, code)


@register.simple_tag
def ages(min_age: int | None, max_age: int | None) -> str:
    """'45–54 岁', '44 岁及以下', '55 岁及以上', 'any age'."""
    if min_age is None and max_age is None:
        return str(_("any age"))
    if min_age is None:
        return _("%(n)s or younger") % {"n": max_age}
    if max_age is None:
        return _("%(n)s or older") % {"n": min_age}
    return _("%(low)s to %(high)s") % {"low": min_age, "high": max_age}
