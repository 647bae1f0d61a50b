"""The ledger's codes in people's words: where an entry came from (its source type), and the
category and activity labels of the rule set that judges a person's year. Pages, files and PDFs
show these, never the codes."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.ledger.forms import DEFAULT_CATEGORIES
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex
from xuefen.policy.vocabulary import KINDS, kind_label

SOURCES: dict[str, Any] = {
    "manual": _("Recorded by the office"),
    "claim": _("Claim"),
    "roster": _("Provider's roster"),
    "class": pgettext_lazy("training", "Class"),
    "elearning": _("Online learning"),
    "exam": _("Exam"),
    "reversal": _("Reversal"),
    "bulk": _("Batch report"),
    "xapi": _("xAPI statement"),
}


def source_label(code: str) -> str:
    return str(SOURCES.get(code, code))


class Labels:
    """Category and activity labels of the rule sets judging one person, per period (one query)."""

    def __init__(self, person: Person, periods: Iterable[int]) -> None:
        index = RuleSetIndex.for_paths([person.unit.path])
        defaults = {code: str(label) for code, label in DEFAULT_CATEGORIES}
        self.categories: dict[int, dict[str, str]] = {}
        self.kinds: dict[int, dict[str, str]] = {}
        for period in set(periods):
            rules = index.rules(person.unit.path, person.category, period)
            cats = dict(defaults)
            kinds = {code: str(label) for code, label in KINDS.items()}
            if rules is not None:
                cats.update({c.code: str(c.label) for c in rules.categories})
                kinds.update({k: kind_label(rules, k) for k in rules.conversions})
            self.categories[period] = cats
            self.kinds[period] = kinds

    def category_names(self, period: int, codes: Iterable[str]) -> list[str]:
        names = self.categories.get(period, {})
        return [names.get(code, code) for code in codes]

    def kind_name(self, period: int, code: str) -> str:
        return self.kinds.get(period, {}).get(code, code) if code else ""
