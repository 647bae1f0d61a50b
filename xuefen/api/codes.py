"""The codes the REST API sends, with the words people read for them: one table per kind of code,
taken from where the site already names them (the models' choices, the rule sets' vocabulary and
the shipped rule sets), never written here a second time. The OpenAPI document lists them beside
each field that carries one (`x-codes` names the table) and the docs page shows them all."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.api.models import TokenScope
from xuefen.intake.models import Batch, BatchRow
from xuefen.ledger.models import Standing, Unit
from xuefen.ledger.words import SOURCES
from xuefen.policy.engine import grade_label
from xuefen.policy.schema import RuleSetData, load_yaml
from xuefen.policy.shipped import shipped_texts
from xuefen.policy.vocabulary import CATEGORIES, KINDS


@dataclass(frozen=True)
class CodeTable:
    name: str
    title: Any  # a lazy translation
    note: Any  # a lazy translation, or ""
    labels: Callable[[], Iterable[tuple[str, Any]]]

    def items(self) -> list[tuple[str, str]]:
        """(code, label) in the active language."""
        return [(code, str(label)) for code, label in self.labels()]


@cache
def _shipped() -> tuple[RuleSetData, ...]:
    return tuple(load_yaml(text) for text in shipped_texts().values())


def _categories() -> list[tuple[str, Any]]:
    found: dict[str, Any] = dict(CATEGORIES)
    for rules in _shipped():
        for category in rules.categories:
            found.setdefault(category.code, category.label)
    return list(found.items())


def _grades() -> list[tuple[str, Any]]:
    found: dict[str, Any] = {}
    for rules in _shipped():
        for tier in rules.grades.tiers if rules.grades else ():
            found.setdefault(tier.code, tier.label)
    # The engine's own grades, for a rule set without tiers and for an exempt person.
    for code in ("pass", "fail", "exempt"):
        found.setdefault(code, grade_label(None, code))
    return list(found.items())


def _kinds() -> list[tuple[str, Any]]:
    found: dict[str, Any] = dict(KINDS)
    for rules in _shipped():
        for kind, conversion in rules.conversions.items():
            found.setdefault(kind, conversion.label)
    return list(found.items())


PER_RULE_SET = _(
    "Each rule set defines its own; these are the codes of the rule sets shipped with Xuefen."
)

TABLES: dict[str, CodeTable] = {
    table.name: table
    for table in (
        CodeTable("unit", _("Unit of credit"), "", lambda: Unit.choices),
        CodeTable("category", _("Categories"), PER_RULE_SET, _categories),
        CodeTable("kind", _("Activity kinds"), PER_RULE_SET, _kinds),
        CodeTable("batch_status", _("Batch status"), "", lambda: Batch.Status.choices),
        CodeTable("batch_source", _("Batch source"), "", lambda: Batch.Source.choices),
        CodeTable("row_status", _("Row result"), "", lambda: BatchRow.Status.choices),
        CodeTable("standing_status", _("Standing"), "", lambda: Standing.Status.choices),
        CodeTable("grade", _("Grades"), PER_RULE_SET, _grades),
        CodeTable("entry_source", _("Source of a ledger entry"), "", lambda: SOURCES.items()),
        CodeTable("token_scope", _("Token scopes"), "", lambda: TokenScope.choices),
    )
}


def codes(name: str) -> dict[str, Any]:
    """The JSON schema fragment that ties a field to one of the tables above."""
    if name not in TABLES:
        raise KeyError(f"no code table {name!r}")
    return {"x-codes": name}
