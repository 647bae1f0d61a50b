"""No internal code reaches a page (issue 11): every page of the URL grid, opened by every role of
the cast in Chinese, shows people words — never a category, activity kind, unit, rule-set, role,
claim-type, grade or model code. Code shown as code (a YAML editor, a format guide: <pre>, <code>,
<textarea>) is not read."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse

from tests import factories as f
from tests.test_url_scoping import CASES, GUARDED
from xuefen.accounts.roles import Role
from xuefen.claims.models import ClaimType
from xuefen.ledger.actions import post_entry
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.engine import State, Status
from xuefen.policy.schema import load_yaml
from xuefen.policy.shipped import shipped_texts

SKIPPED_TAGS = {"script", "style", "pre", "code", "textarea"}
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9]")


def internal_codes() -> set[str]:
    """Every code a person must never read: from the shipped rule sets, the claim types, the
    models' choices and the models' own labels."""
    codes: set[str] = {"hours", "credits", "days", "months"}
    for text in shipped_texts().values():
        rules = load_yaml(text)
        codes.add(rules.code)
        codes.update(c.code for c in rules.categories)
        codes.update(b.code for b in rules.age_brackets)
        codes.update(rules.conversions)
        codes.update(r.code for r in rules.requirements)
        codes.update(t.code for t in (rules.grades.tiers if rules.grades else ()))
    codes.update(getattr(State, name) for name in ("MET", "SHORT", "IN_PROGRESS", "EXEMPT"))
    codes.update(getattr(Status, name) for name in dir(Status) if name.isupper())
    codes.update(["pass", "fail", "exempt", "no_rules"])
    codes.update(Role.values)
    for ctype in ClaimType.objects.all():
        codes.add(ctype.code)
        for spec in ctype.fields:
            codes.add(spec["name"])
            codes.update(str(choice["value"]) for choice in spec.get("choices", []))
    for model in apps.get_models():
        codes.add(model._meta.label_lower)
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and value:
                    codes.add(value)
    return {code for code in codes if len(code) > 2}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        self.parts.extend(value or "" for name, value in attrs if name in READ_ATTRIBUTES)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


# A file's name is what its sender called it, not a code of ours.
FILE_NAME = re.compile(r"\S*\.(?:pdf|png|jpe?g|xlsx|csv|yaml|zip)\b", re.IGNORECASE)


def visible_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return set(WORD.findall(FILE_NAME.sub(" ", " ".join(parser.parts))))


@pytest.fixture
def world(cast):
    """Unit A's people with rule sets, credits of several kinds and a standing each, so that the
    pages have categories, kinds, units, grades and rule sets to name."""
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(cast.carol, shipped_texts()["professional_national"], cast.region)
    Person.objects.filter(pk=cast.person_a.pk).update(category=Person.Category.TOWNSHIP)
    engineer = Person.objects.get(pk=cast.lena_person.pk)
    engineer.category = Person.Category.PROFESSIONAL
    engineer.save()
    person_a = Person.objects.get(pk=cast.person_a.pk)
    for n, (person, categories, kind, days) in enumerate(
        [
            (person_a, ["required", "offline", "centralised"], "party_school_day", 5),
            (person_a, ["elective", "online"], "online_course", None),
            (engineer, ["professional", "offline"], "full_time_training", 2),
            (engineer, ["professional"], "paper", None),
        ]
    ):
        post_entry(
            cast.carol, person, last_day=dt.date(2026, 5, 10 + n),
            first_day=dt.date(2026, 5, 10 + n - (days or 1) + 1), days=days,
            categories=categories, amount=12, unit="hours", kind=kind,
            source_type="class", source_id=f"world-{n}", description="",
        )  # fmt: skip
    cast.provider_user = f.user("pat", Role.PROVIDER, cast.unit_a)
    return cast


ROLES = ["alice", "carol", "dave", "sam", "lena", "provider_user"]


@pytest.mark.parametrize("name", [n for n in GUARDED if n in CASES])
def test_no_page_shows_an_internal_code(client, world, name):
    assert Standing.objects.exists()
    kwargs = CASES[name](world)
    url = reverse(name, kwargs=kwargs)
    codes = internal_codes()
    found: dict[str, set[str]] = {}
    for role in ROLES:
        client.force_login(getattr(world, role))
        response = client.get(url, {"period": 2026} if not kwargs else {})
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        leaked = visible_words(response.content.decode()) & codes
        if leaked:
            found[role] = leaked
    assert found == {}, f"{url} shows codes: {found}"


EXPORTS = [
    ("orgs:people_export", {}, {}),
    ("intake:providers_export", {}, {}),
    ("intake:courses_export", {}, {}),
    ("audit:export", {}, {}),
    ("reports:rollup", {}, {"export": "summary", "period": 2026}),
    ("reports:rollup", {}, {"export": "people", "period": 2026, "show": "all"}),
    ("reports:rollup", {}, {"export": "grades", "period": 2026}),
]


OWN_CODE = re.compile(r"代码: [^;]*")


def _cells(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.parametrize(("name", "kwargs", "query"), EXPORTS, ids=lambda v: str(v))
def test_no_export_shows_an_internal_code(client, world, name, kwargs, query):
    from tests.intake import helpers as h

    h.course(h.provider(world), "C1")  # a course with categories to name
    codes = internal_codes()
    opened, found = 0, {}
    for role in ROLES:
        client.force_login(getattr(world, role))
        response = client.get(reverse(name, kwargs=kwargs), query)
        if response.status_code != 200 or "spreadsheetml" not in response.get("Content-Type", ""):
            continue
        opened += 1
        # The audit trail's changes name a record's own code field with its value ("代码: X"): an
        # identifier the record carries, like a course code.
        text = OWN_CODE.sub(" ", _cells(response.content))
        words = set(WORD.findall(FILE_NAME.sub(" ", text)))
        if words & codes:
            found[role] = words & codes
    assert opened, f"no role could export {name}"
    assert found == {}
