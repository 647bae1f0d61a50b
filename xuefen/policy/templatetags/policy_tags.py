"""Display helpers for rule sets: amounts as an office writes them and labels for codes."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xuefen.policy.engine import fmt, unit_label
from xuefen.policy.schema import RuleSetData

register = template.Library()

METHODS = {
    "per_day": _("per day"),
    "per_half_day": _("per half day"),
    "per_hour": _("per hour"),
    "per_minutes": _("per block of minutes"),
    "by_duration": _("by length"),
    "per_1000_chars": _("per 1,000 characters"),
    "per_item": _("per item, by level"),
    "lump_sum": _("lump sum"),
}
PER = {"item": _("per item"), "day": _("per day"), "period": _("per year")}
STATUS = {
    "counted": _("counted"),
    "capped": _("capped"),
    "excluded": _("not counted"),
    "duplicate": _("duplicate"),
    "reversed": _("reversed"),
}
PERSONNEL = {
    "county": _("County/division-level cadre"),
    "township": _("Township/section-level cadre"),
    "general": _("General cadre"),
    "professional": _("Professional-technical staff"),
}


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
def personnel_names(values: list[str]) -> str:
    if not values:
        return str(_("All"))
    separator = ", " if (get_language() or "").startswith("en") else "、"
    return separator.join(str(PERSONNEL.get(v, v)) for v in values)


@register.simple_tag
def categories(data: RuleSetData, codes: tuple[str, ...]) -> str:
    """'必修 + 网络培训' for ("required", "online"); empty codes mean every credit."""
    if not codes:
        return str(_("all credits"))
    return " + ".join(data.category_label(c) for c in codes)
