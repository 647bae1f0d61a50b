"""Statements in people's words: the verb, the learner and the activity as the office reads
them (known verbs by their Chinese name, the activity by its course or its own name), never the
raw identifiers alone."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xuefen.orgs import idnumber
from xuefen.xapi.models import Statement

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS: dict[str, Any] = {
    ADL + "completed": _("completed"),
    ADL + "passed": pgettext_lazy("xapi verb", "passed"),
    ADL + "failed": pgettext_lazy("xapi verb", "failed"),
    ADL + "attempted": _("attempted"),
    ADL + "experienced": _("experienced"),
    ADL + "answered": _("answered"),
    ADL + "launched": _("launched"),
    ADL + "initialized": _("initialized"),
    ADL + "terminated": _("terminated"),
    ADL + "progressed": _("progressed"),
    ADL + "voided": pgettext_lazy("xapi verb", "voided"),
}


def _from_map(value: Any) -> str:
    """The text of a language map in the page's language, else Chinese, else any."""
    if not isinstance(value, dict) or not value:
        return ""
    lang = (get_language() or "zh-hans").lower()
    for tag, text in value.items():
        if tag.lower().startswith(lang[:2]):
            return str(text)
    for tag, text in value.items():
        if tag.lower().startswith("zh"):
            return str(text)
    return str(next(iter(value.values())))


def verb_label(data: dict[str, Any]) -> str:
    verb = data.get("verb") or {}
    known = VERBS.get(verb.get("id", ""))
    return (
        str(known) if known is not None else (_from_map(verb.get("display")) or verb.get("id", ""))
    )


def actor_label(statement: Statement) -> str:
    if statement.person is not None:
        return f"{statement.person.name}（{idnumber.mask(statement.person.id_number)}）"
    agent = statement.data.get("actor") or {}
    name = agent.get("name") or ""
    account = agent.get("account") or {}
    ident = account.get("name") or agent.get("mbox", "").removeprefix("mailto:") or ""
    if ident and len(ident) == 18 and ident[:17].isdigit():
        ident = idnumber.mask(ident)
    return " ".join(x for x in (name, ident) if x)


def object_label(statement: Statement) -> str:
    if statement.course is not None:
        return statement.course.name
    obj = statement.data.get("object") or {}
    kind = obj.get("objectType", "Activity")
    if kind == "StatementRef":
        return str(_("statement %(id)s") % {"id": obj.get("id", "")})
    definition = obj.get("definition") or {}
    return _from_map(definition.get("name")) or str(obj.get("id", "") or obj.get("name", ""))


@dataclass
class Line:
    statement: Statement
    verb: str
    actor: str
    object: str

    @property
    def verb_is_iri(self) -> bool:
        """A verb the LRS has no name for, shown by its IRI (as code, not as a word)."""
        return self.verb.startswith(("http://", "https://", "urn:"))

    @property
    def object_is_iri(self) -> bool:
        return ":" in self.object and " " not in self.object


def line(statement: Statement) -> Line:
    return Line(
        statement, verb_label(statement.data), actor_label(statement), object_label(statement)
    )
