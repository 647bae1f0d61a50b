"""The audit trail in people's words: what kind of thing an event is about (the model's own name,
not its app label), which field changed (the field's name) and what it changed to (a choice's
label, a unit's, a category's as the rule sets name it). The trail keeps the codes; pages and
exports show these."""

from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Keys the actions write beside the model's own fields, by the name people read.
EXTRA_FIELDS: dict[str, Any] = {
    "source": pgettext_lazy("ledger", "Source"),
    "note": _("Note"),
    "reverses": _("Reverses entry"),
    "reason": _("Reason"),
    "transfer": _("Transfer"),
    "rows": _("Rows"),
    "posted": _("Posted"),
    "duplicates": _("Duplicates"),
    "errors": _("Errors"),
    "failure": _("Failure"),
    "region": _("Region"),
    "type": _("Type"),
    "title": _("Title"),
    "step": _("Step"),
    "entries": _("Entries"),
    "before": _("Before"),
    "after": _("After"),
}
UNITS: dict[str, Any] = {
    "hours": _("hours"),
    "credits": _("credits"),
}
YES_NO = {True: _("yes"), False: _("no")}


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def object_text(object_type: str, object_repr: str) -> str:
    """What an event is about, as a person reads it: an export names the kind of thing exported
    by its code (e.g. orgs.person), which reads as its model's name (人员)."""
    if object_repr == object_type:
        return object_type_label(object_type)
    return object_repr


def object_type_choices() -> list[tuple[str, str]]:
    """(label_lower, name) of every model of ours an event can be about, by name."""
    found = [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("xuefen.")
    ]
    return sorted(found, key=lambda item: item[1])


def _field(object_type: str, name: str) -> Any:
    model = _model(object_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(object_type: str, name: str) -> str:
    field = _field(object_type, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return str(EXTRA_FIELDS.get(name, name))


@cache
def _category_names() -> dict[str, str]:
    """Every category code of the rule sets with its label (the shipped and the saved ones share
    their codes' meaning); read once per process."""
    names: dict[str, str] = {}
    for ruleset in apps.get_model("policy", "RuleSet").objects.all():
        for category in ruleset.data.categories:
            names.setdefault(category.code, category.label.zh)
    return names


def value_text(object_type: str, name: str, value: Any) -> Any:
    """A recorded value as a person reads it: a choice by its label, a unit, categories, yes/no."""
    if value is None or value == "":
        return value
    if isinstance(value, bool):
        return str(YES_NO[value])
    field = _field(object_type, name)
    choices = dict(getattr(field, "choices", None) or [])
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    if name == "unit" and value in UNITS:
        return str(UNITS[value])
    if name == "categories" and isinstance(value, list):
        names = _category_names()
        return "、".join(names.get(str(code), str(code)) for code in value)
    return value
