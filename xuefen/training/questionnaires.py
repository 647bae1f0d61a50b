"""Questionnaire items: their shape, checked the same way for the shipped ones
(questionnaires.yaml) and the office's edits; the default questionnaire of each kind."""

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import Questionnaire

SHIPPED_FILE = Path(__file__).resolve().parent / "questionnaires.yaml"
TYPES = ("score", "text")
ABOUT = ("class", "teacher")
MAX_ITEMS = 20


def check_items(items: Any) -> list[dict[str, str]]:
    """The items as stored, or TrainingError naming the first bad one: a code (letters, digits,
    _), a text, a type (score, text) and what it is about (class, teacher); codes unique."""
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
        raise TrainingError(
            Code.ITEMS_INVALID,
            _("A questionnaire has 1 to %(n)s items.") % {"n": MAX_ITEMS},
            field="items",
        )
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        code = str(item.get("code", "")).strip() if isinstance(item, dict) else ""
        text = str(item.get("text", "")).strip() if isinstance(item, dict) else ""
        kind = item.get("type") if isinstance(item, dict) else None
        about = item.get("about", "class") if isinstance(item, dict) else None
        if (
            not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", code)
            or code in seen
            or not text
            or kind not in TYPES
            or about not in ABOUT
            or (kind == "text" and about == "teacher")
        ):
            raise TrainingError(
                Code.ITEMS_INVALID,
                _("Item %(n)s is not complete: give its question, its kind and what it is about.")
                % {"n": number},
                field="items",
            )
        seen.add(code)
        out.append({"code": code, "text": text[:200], "type": str(kind), "about": str(about)})
    return out


@cache
def shipped() -> dict[str, dict[str, Any]]:
    rows: list[dict[str, Any]] = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))
    return {row["kind"]: {**row, "items": check_items(row["items"])} for row in rows}


def default_questionnaire(kind: str) -> Questionnaire:
    """The default questionnaire of the kind; the shipped one is created the first time it is
    needed (and never changed here afterwards: the office's edits stay)."""
    found = Questionnaire.objects.filter(kind=kind, is_default=True).order_by("id").first()
    if found is not None:
        return found
    row = shipped()[kind]
    made, _created = Questionnaire.objects.get_or_create(
        code=row["code"],
        defaults={"name": row["name"], "kind": kind, "items": row["items"], "is_default": True},
    )
    return made


def answer_key(item: str, teacher: Any = None) -> str:
    """The form field of an item (for one teacher, if it is about teachers)."""
    return f"{item}__t{teacher.pk}" if teacher is not None else item


def answer_key_items(
    questionnaire: Questionnaire, teachers: list[Any]
) -> list[tuple[str, dict[str, str], Any]]:
    """(field, item, teacher or None) of every question the trainee answers, in order."""
    out: list[tuple[str, dict[str, str], Any]] = []
    for item in questionnaire.items:
        for teacher in teachers if item["about"] == "teacher" else [None]:
            out.append((answer_key(item["code"], teacher), item, teacher))
    return out


def score_items(questionnaire: Questionnaire, about: str | None = None) -> list[dict[str, str]]:
    return [
        i
        for i in questionnaire.items
        if i["type"] == "score" and (about is None or i["about"] == about)
    ]


def text_items(questionnaire: Questionnaire) -> list[dict[str, str]]:
    return [i for i in questionnaire.items if i["type"] == "text"]
