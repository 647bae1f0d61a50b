"""The names people read for the fixed codes of a rule set: conversion methods, cap periods, window
kinds, paper and project levels, and the activity kinds a rule set may name without a conversion of
its own. One table each, for the editor's lists and the pages' words."""

from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from xuefen.policy.schema import RuleSetData

METHODS: dict[str, Any] = {
    "per_day": gettext_lazy("per day"),
    "per_half_day": gettext_lazy("per half day"),
    "per_hour": gettext_lazy("per hour"),
    "per_minutes": gettext_lazy("per block of minutes"),
    "by_duration": gettext_lazy("by length"),
    "per_1000_chars": gettext_lazy("per 1,000 characters"),
    "per_item": gettext_lazy("per item, by level"),
    "lump_sum": gettext_lazy("lump sum"),
}
PER: dict[str, Any] = {
    "item": gettext_lazy("per item"),
    "day": gettext_lazy("per day"),
    "period": gettext_lazy("per year"),
}
WINDOW_KINDS: dict[str, Any] = {
    "fixed": pgettext_lazy("window", "fixed cycle"),
    "rolling": pgettext_lazy("window", "rolling"),
}
# Levels of papers and projects, as the shipped claim types name them (claims/claimtypes).
LEVELS: dict[str, Any] = {
    "city": gettext_lazy("city level"),
    "province": gettext_lazy("province level"),
    "national": gettext_lazy("national level"),
    "cn_journal": gettext_lazy("journal published in China"),
}


def level_label(code: str) -> str:
    return str(LEVELS.get(code, code))


# The category codes the shipped rule sets use, for when no rule set judges a person.
CATEGORIES: dict[str, Any] = {
    "required": gettext_lazy("Required"),
    "elective": gettext_lazy("Elective"),
    "centralised": gettext_lazy("Centralised training"),
    "public": gettext_lazy("Public subjects"),
    "professional": gettext_lazy("Professional subjects"),
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Face to face"),
}

# Activity kinds as the shipped claim types and rule sets name them. A rule set's conversions label
# their own kinds; a cap or target may name a kind no conversion of it prices (e.g. the Nanjing
# table caps degree study and in-unit training, whose credits come from claims and rosters).
KINDS: dict[str, Any] = {
    "degree": gettext_lazy("Degree study"),
    "paper": gettext_lazy("Paper published"),
    "book": gettext_lazy("Book published"),
    "secondment": gettext_lazy("Secondment"),
    "qualification_exam": gettext_lazy("Qualification exam passed"),
    "conference": gettext_lazy("Conference"),
    "research": gettext_lazy("Research project"),
    "teaching": gettext_lazy("Teaching"),
    "notes": gettext_lazy("Study notes"),
    "in_unit_training": gettext_lazy("In-unit training"),
    "out_of_town_training": gettext_lazy("Training away"),
    "party_school_day": gettext_lazy("Party school class"),
    "training_day": gettext_lazy("Centralised training"),
    "session": gettext_lazy("Course counted in hours"),
}


def kind_label(data: RuleSetData, code: str) -> str:
    """The kind as the rule set's conversion labels it, else as the table above names it."""
    found = data.conversions.get(code)
    if found is not None:
        return str(found.label)
    return str(KINDS.get(code, code))
