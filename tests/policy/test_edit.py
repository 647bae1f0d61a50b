"""The credit office edits a rule set in a form: pre-filled from the version it starts from, saved
as a new version exactly as an imported YAML, refused with the reader's message where it belongs."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from xuefen.audit.models import AuditEvent
from xuefen.policy import editing
from xuefen.policy.actions import import_ruleset
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import dump_yaml
from xuefen.policy.shipped import shipped_texts

START = dt.date(2030, 1, 1)


@pytest.fixture
def township(cast):
    return import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)


@pytest.fixture
def nanjing(cast):
    return import_ruleset(cast.carol, shipped_texts()["cadre_nanjing"], cast.region)


def form_data(ruleset, **changes):
    """The editor's pre-filled data for a new version from START, with `changes` (key: value, or
    key: None to leave a field out), as the browser posts it."""
    data = editing.encode(ruleset.data, START)
    posted = {key: data.getlist(key) for key in data}
    for key, value in changes.items():
        if value is None:
            posted.pop(key, None)
        else:
            posted[key] = value if isinstance(value, list) else [str(value)]
    return posted


def edit(client, user, ruleset, **changes):
    client.force_login(user)
    url = reverse("policy:edit", args=[ruleset.pk])
    return client.post(url, {**form_data(ruleset, **changes), "save": "1"})


def test_the_form_is_prefilled_from_the_version_it_edits(client, cast, township):
    client.force_login(cast.carol)
    response = client.get(reverse("policy:edit", args=[township.pk]))
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.basics["name_zh"].value() == "乡科级及以下干部教育培训"
    form, alternatives = editor.requirement_rows[0]
    assert form["label_zh"].value() == "年度集中培训"
    assert [a["min"].value() for a in alternatives] == ["12", "90"]
    assert alternatives.forms[0]["categories"].value() == ["centralised"]
    text = response.content.decode()
    assert "编辑乡科级及以下干部教育培训：新的第 2 版" in text
    assert "集中培训</label>" in text  # categories are picked by their labels
    assert editor.basics["valid_from"].value() > township.valid_from.isoformat()


@pytest.mark.parametrize("name", sorted(shipped_texts()))
def test_saving_the_unchanged_form_saves_the_same_rules_as_a_new_version(client, cast, name):
    base = import_ruleset(cast.carol, shipped_texts()[name], cast.region)
    response = edit(client, cast.carol, base)
    saved = RuleSet.objects.get(code=base.code, version=base.version + 1)
    assert response.url == reverse("policy:detail", args=[saved.pk])
    assert saved.data == dataclasses.replace(base.data, version=2, valid_from=START)
    assert saved.source == dump_yaml(saved.data)
    assert saved.region == base.region


def test_a_changed_minimum_is_saved_and_nothing_else_changes(client, cast, township):
    edit(client, cast.carol, township, **{"req-0-alt-1-min": "100"})
    saved = RuleSet.objects.get(code="cadre_township", version=2)
    annual = saved.data.requirements[0]
    assert [t.min for t in annual.targets] == [Decimal(12), Decimal(100)]
    expected = dataclasses.replace(
        township.data,
        version=2,
        valid_from=START,
        requirements=(
            dataclasses.replace(
                annual, targets=(annual.targets[0], township.data.requirements[0].targets[1])
            ),
            *township.data.requirements[1:],
        ),
    )
    assert dataclasses.replace(saved.data, requirements=expected.requirements) == expected
    event = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).latest("id")
    assert event.changes["version"] == [None, 2]


def test_a_new_category_gets_a_code_the_clerk_never_types_and_can_be_picked(client, cast, township):
    client.force_login(cast.carol)
    url = reverse("policy:edit", args=[township.pk])
    response = client.post(url, {**form_data(township), "add": "cat"})
    editor = response.context["editor"]
    new = editor.categories.forms[-1]
    assert new["code"].value() == "cat_1"
    assert not RuleSet.objects.filter(version=2).exists()  # adding a row saves nothing

    data = editor.data.copy()
    data["cat-5-label_zh"] = "党性教育"
    data.setlist("req-0-alt-0-categories", ["centralised", "cat_1"])
    response = client.post(url, {**{k: data.getlist(k) for k in data}, "save": "1"})
    saved = RuleSet.objects.get(code="cadre_township", version=2).data
    assert saved.category_label("cat_1") == "党性教育"
    assert saved.requirements[0].targets[0].categories == ("centralised", "cat_1")


def test_a_requirement_added_and_left_empty_is_dropped(client, cast, township):
    client.force_login(cast.carol)
    url = reverse("policy:edit", args=[township.pk])
    response = client.post(url, {**form_data(township), "add": "req"})
    data = response.context["editor"].data
    assert data["req-2-code"] == "req_1"
    client.post(url, {**{k: data.getlist(k) for k in data}, "save": "1"})
    saved = RuleSet.objects.get(code="cadre_township", version=2).data
    assert [r.code for r in saved.requirements] == ["annual", "online_plan"]


def test_a_refusal_of_the_reader_is_shown_beside_its_field_and_saves_nothing(
    client, cast, township
):
    events = AuditEvent.objects.count()
    response = edit(client, cast.carol, township, **{"req-1-window_years": "5"})
    assert response.status_code == 200
    form, _alternatives = response.context["editor"].requirement_rows[1]
    assert form.errors["window_first"] == ["多年的固定周期须写明周期起始年份"]
    assert "多年的固定周期须写明周期起始年份" in response.content.decode()
    assert RuleSet.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_grades_out_of_order_are_refused_at_the_grade(client, cast, nanjing):
    response = edit(client, cast.carol, nanjing, **{"tier-1-min_ratio": "2"})
    tier = response.context["editor"].tiers.forms[1]
    assert tier.non_field_errors() == ["等次应从高到低排列"]
    assert RuleSet.objects.count() == 1


def test_a_start_not_after_the_current_version_is_refused(client, cast, township):
    response = edit(client, cast.carol, township, **{"basics-valid_from": "2024-01-01"})
    assert "basics-valid_from" not in response.get("Location", "")
    assert response.context["editor"].basics.errors["valid_from"]
    assert RuleSet.objects.count() == 1


def test_a_category_that_is_not_in_the_list_cannot_be_picked(client, cast, township):
    response = edit(client, cast.carol, township, **{"req-0-alt-0-categories": ["bogus"]})
    _form, alternatives = response.context["editor"].requirement_rows[0]
    assert "bogus" in alternatives.forms[0].errors["categories"][0]
    assert RuleSet.objects.count() == 1


def test_a_removed_category_still_picked_is_refused_where_it_is_picked(client, cast, township):
    # centralised is the third category; the yearly requirement still picks it.
    response = edit(client, cast.carol, township, **{"cat-2-DELETE": "on"})
    _form, alternatives = response.context["editor"].requirement_rows[0]
    assert alternatives.forms[0].errors["categories"]
    assert RuleSet.objects.count() == 1


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "lena"])
def test_only_the_credit_office_may_edit(client, cast, township, who):
    client.force_login(getattr(cast, who))
    url = reverse("policy:edit", args=[township.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**form_data(township), "save": "1"}).status_code == 404
    assert RuleSet.objects.count() == 1


def test_a_refusal_of_the_import_action_is_shown_at_its_field(client, cast):
    # National rules until 2026, accounting from 2027, both for professional staff on one region.
    national = shipped_texts()["professional_national"].replace(
        "valid_from: 2024-01-01", "valid_from: 2024-01-01\nvalid_to: 2026-12-31"
    )
    national = import_ruleset(cast.carol, national, cast.region)
    accounting = shipped_texts()["accounting"].replace("2024-01-01", "2027-01-01")
    import_ruleset(cast.carol, accounting, cast.region)
    # A new national version without an end overlaps the accounting rules.
    response = edit(client, cast.carol, national, **{"basics-valid_to": None})
    errors = response.context["editor"].basics.errors["valid_from"]
    assert "accounting v1" in errors[0]
    assert RuleSet.objects.count() == 2
