"""The personal page and the roll-ups are kept in memory under keys that change with the data: a
second view reads two or three rows' worth of keys and nothing else, and any change behind the
page — a posting, an exemption, the person's facts, a unit's name, the language — shows at once,
with no invalidation code anywhere."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.reports.conftest import post
from xuefen.ledger.actions import record_exemption
from xuefen.ledger.models import Standing
from xuefen.ledger.standings import settle
from xuefen.orgs.actions import update_node, update_person
from xuefen.orgs.models import Person

CLASS = ["required", "offline", "centralised"]


@pytest.fixture
def pro_user(pro):
    return f.user("zhanggong", person=pro.person)


@pytest.fixture
def year(cast, rules):
    post(cast, cast.person_a, 60, CLASS, "a1")
    post(cast, cast.lena_person, 30, CLASS, "l1")
    settle(Person.objects.all(), 2026)
    return cast


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def get(client, url, **params):
    response = client.get(url, {"period": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_my_page_seen_again_costs_the_frame_with_its_key(pro_user, django_assert_num_queries):
    client = logged_in(pro_user)
    first = get(client, reverse("reports:me"))
    # The session, the account with its person, unit and grants, and the page's key: one query.
    with django_assert_num_queries(1):
        again = get(client, reverse("reports:me"))
    assert "还差 总学时 16 学时" in again
    assert _without_tokens(again) == _without_tokens(first)


def test_a_posting_shows_on_the_next_view(cast, pro, pro_user, django_assert_max_num_queries):
    client = logged_in(pro_user)
    assert "74 / 90" in get(client, reverse("reports:me"))
    post(cast, pro.person, 6, ["public", "online"], "p6")
    with django_assert_max_num_queries(16):  # judged and drawn afresh
        text = get(client, reverse("reports:me"))
    assert "80 / 90" in text and "还差 总学时 10 学时" in text


def test_a_posting_is_drawn_from_four_reads(cast, pro, pro_user, django_assert_num_queries):
    # No exemption and no certificate, which the page's key says: neither is looked for. The
    # frame with the key, the rule-set index's version, the entries with their descriptions,
    # the standings (was eight reads; a one-holder artefact would add the holders elsewhere).
    client = logged_in(pro_user)
    get(client, reverse("reports:me"))
    post(cast, pro.person, 6, ["public", "online"], "p6", description="新的网络课程")
    with django_assert_num_queries(4):
        text = get(client, reverse("reports:me"))
    assert "80 / 90" in text
    assert "新的网络课程" in text and "专业课程" in text  # each entry's description


def test_a_certificate_shows_on_the_next_view(cast, pro, pro_user):
    from xuefen.reports.actions import issue_certificate

    client = logged_in(pro_user)
    assert "Download the latest certificate" not in _english(client)
    issue_certificate(cast.alice, pro.person, 2026)
    assert "Download the latest certificate" in _english(client)
    assert "Download the latest certificate" in _english(client)  # kept, as it was drawn


def _english(client):
    client.cookies["django_language"] = "en"
    return get(client, reverse("reports:me"))


def test_an_exemption_shows_on_the_next_view(cast, pro, pro_user):
    client = logged_in(pro_user)
    assert "还差 总学时 16 学时" in get(client, reverse("reports:me"))
    record_exemption(
        cast.carol, pro.person, period=2026, kind="leave", reason="病假", ratio=Decimal(1),
        evidence="病假审批表",
    )  # fmt: skip
    text = get(client, reverse("reports:me"))
    assert "还差 总学时 16 学时" not in text
    assert f'data-testid="status">{Standing.Status.EXEMPT.label}<' in text


def test_a_change_of_the_persons_unit_name_shows_on_the_next_view(cast, pro, pro_user):
    client = logged_in(pro_user)
    assert "财政局机关" in get(client, reverse("reports:me"))
    update_node(cast.sam, cast.unit_a, name="财政局办公室")
    assert "财政局办公室" in get(client, reverse("reports:me"))


def test_a_standing_left_stale_by_the_persons_facts_is_judged_when_the_page_is_read(
    cast, pro, pro_user
):
    # The writer judges with every ledger write; a change below the ledger (the person's row)
    # leaves the standing older than the row, and the page judges it again before reading it.
    client = logged_in(pro_user)
    assert "还差 总学时 16 学时" in get(client, reverse("reports:me"))
    update_person(cast.alice, pro.person, hired_on=dt.date(2026, 7, 1))
    before = Standing.objects.get(person=pro.person, period=2026).evaluated_at
    assert before < Person.objects.get(pk=pro.person.pk).updated_at
    text = get(client, reverse("reports:me"))
    assert "还差 总学时 16 学时" not in text  # half a year held to: prorated
    assert Standing.objects.get(person=pro.person, period=2026).evaluated_at > before


def test_a_posting_renders_only_its_own_row(cast, pro, pro_user):
    from xuefen.reports import personal

    client = logged_in(pro_user)
    get(client, reverse("reports:me"))
    rows = set(personal._rows)
    post(cast, pro.person, 6, ["public", "online"], "p7")
    text = get(client, reverse("reports:me"))
    assert "80 / 90" in text
    assert len(set(personal._rows) - rows) == 1  # the new entry's row; the others were kept


def test_each_language_its_own_page(pro_user):
    client = logged_in(pro_user)
    assert "还差 总学时 16 学时" in get(client, reverse("reports:me"))
    client.cookies["django_language"] = "en"
    english = get(client, reverse("reports:me"))
    assert "还差" not in english and "16" in english


def test_the_kept_certificate_form_carries_each_viewers_own_token(cast, pro):
    """Two staff members read the same kept page; each issues a certificate with their own CSRF
    token (the check is on)."""
    for user in (cast.alice, cast.carol):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        url = reverse("reports:person", args=[pro.person.pk])
        html = get(client, url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html.split("<main")[1])
        assert token is not None
        response = client.post(
            reverse("reports:certificate", args=[pro.person.pk, 2026]),
            {"csrfmiddlewaretoken": token.group(1)},
        )
        assert response.status_code == 302, response.status_code


def test_a_rollup_seen_again_costs_the_frame_with_its_key(year, django_assert_num_queries):
    client = logged_in(year.carol)
    url = reverse("reports:rollup", args=[year.region.pk])
    first = get(client, url)
    # The frame with the key, one query: the node is read (and its scope decided) only on a miss.
    with django_assert_num_queries(1):
        again = get(client, url)
    assert _without_tokens(again) == _without_tokens(first)
    assert 'data-testid="people">3<' in again


def test_a_posting_moves_the_rollup_at_once(year):
    client = logged_in(year.carol)
    url = reverse("reports:rollup", args=[year.region.pk])
    assert 'data-testid="met-rate">0.0%' in get(client, url)
    post(year, year.person_a, 30, CLASS, "a2", day=dt.date(2026, 6, 1))
    assert 'data-testid="met-rate">33.3%' in get(client, url)


def test_a_persons_move_out_of_the_counted_shows_in_the_rollup(year):
    client = logged_in(year.carol)
    url = reverse("reports:rollup", args=[year.region.pk])
    assert 'data-testid="people">3<' in get(client, url)
    update_person(year.carol, year.person_b, status=Person.Status.RETIRED)
    assert 'data-testid="people">2<' in get(client, url)


def test_each_user_their_own_rollup(year):
    """Two users of different scope asking for the same URL never share kept content; a node kept
    for one is still 404 for the other."""
    office, unit = logged_in(year.carol), logged_in(year.alice)
    assert 'data-testid="people">3<' in get(office, reverse("reports:rollup"))
    assert 'data-testid="people">2<' in get(unit, reverse("reports:rollup"))
    url = reverse("reports:rollup", args=[year.unit_b.pk])
    assert 'data-testid="people">1<' in get(office, url)
    assert unit.get(url, {"period": 2026}).status_code == 404


def _without_tokens(html):
    return re.sub(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"', "", html)
