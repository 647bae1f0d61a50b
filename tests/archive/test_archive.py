"""The training archive: what each reader sees of a person who transferred in, the pull that opens
the earlier years, the page, the PDF, and the page's queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tests.archive.conftest import EARLIER, NOW
from tests.archive.pdfcells import pdf_text
from tests.closing.conftest import credit
from xuefen.accounts.roles import CAPABILITIES, Cap, Role, roles_with
from xuefen.archive import actions, queries
from xuefen.archive.errors import ArchiveError, Code
from xuefen.archive.models import ArchivePull
from xuefen.audit.models import AuditEvent
from xuefen.orgs.actions import transfer_person


def _years(user, person):
    return [y.year for y in queries.build(user, person).credits]


# --- who sees which years ---------------------------------------------------------------------


def test_the_unit_the_person_moved_into_sees_only_the_years_from_the_transfer_on(cast, moved):
    archive = queries.build(cast.alice, moved.person)
    assert [y.year for y in archive.credits] == [NOW]
    assert archive.grades == []  # the 2025 grade was fixed while he was in unit B
    assert archive.horizon.first_year == NOW
    assert archive.hidden == 2  # the 2025 credit and the 2025 grade


def test_the_office_over_both_units_sees_every_year_without_a_pull(cast, moved):
    archive = queries.build(cast.carol, moved.person)
    assert [y.year for y in archive.credits] == [EARLIER, NOW]
    assert [g["year"] for g in archive.grades] == [EARLIER]
    assert archive.horizon.transfer is None


def test_the_person_sees_their_whole_archive(cast, moved):
    zhao = f.user("zhao", person=moved.person)
    assert _years(zhao, moved.person) == [EARLIER, NOW]


def test_after_the_pull_the_unit_sees_the_earlier_years_and_the_trail_says_who_pulled(cast, moved):
    pull = actions.pull_archive(cast.alice, moved.person)
    assert (pull.unit, pull.transfer, pull.pulled_by) == (cast.unit_a, moved.transfer, cast.alice)
    assert _years(cast.alice, moved.person) == [EARLIER, NOW]
    event = AuditEvent.objects.get(object_type="archive.archivepull")
    assert (event.actor, event.person_id, event.node_path) == (
        cast.alice,
        moved.person.pk,
        cast.unit_a.path,
    )


def test_the_earlier_unit_no_longer_reaches_the_person(cast, moved):
    with pytest.raises(Exception) as refused:
        queries.access(cast.bob, moved.person.pk)
    assert refused.type.__name__ == "Http404"


# --- refusals of the pull -----------------------------------------------------------------------


def test_a_pull_is_refused_twice(cast, moved):
    actions.pull_archive(cast.alice, moved.person)
    with pytest.raises(ArchiveError) as refused:
        actions.pull_archive(cast.alice, moved.person)
    assert refused.value.code == Code.ALREADY_PULLED
    assert ArchivePull.objects.count() == 1


def test_a_person_who_never_moved_in_has_nothing_to_pull(cast, moved):
    with pytest.raises(ArchiveError) as refused:
        actions.pull_archive(cast.alice, cast.person_a)
    assert refused.value.code == Code.NOT_TRANSFERRED_IN
    assert not ArchivePull.objects.exists()


def test_the_office_has_nothing_to_pull_it_already_sees_everything(cast, moved):
    with pytest.raises(ArchiveError) as refused:
        actions.pull_archive(cast.carol, moved.person)
    assert refused.value.code == Code.NOT_TRANSFERRED_IN


def test_a_reader_without_archive_pull_may_not_pull(cast, moved):
    with pytest.raises(ArchiveError) as refused:
        actions.pull_archive(cast.dave, moved.person)  # the auditor reads, never pulls
    assert refused.value.code == Code.FORBIDDEN
    assert refused.value.status == 403
    assert not ArchivePull.objects.exists()


def test_the_pull_asks_its_own_capability_not_people_change(cast, moved, monkeypatch):
    # A unit administrator who may change people but was not given archive.pull is refused by
    # the action itself, and nothing is written.
    without = CAPABILITIES[Role.UNIT_ADMIN] - {Cap.ARCHIVE_PULL}
    monkeypatch.setitem(CAPABILITIES, Role.UNIT_ADMIN, without)
    assert Cap.PEOPLE_CHANGE in CAPABILITIES[Role.UNIT_ADMIN]
    with pytest.raises(ArchiveError) as refused:
        actions.pull_archive(cast.alice, moved.person)
    assert refused.value.code == Code.FORBIDDEN
    assert not ArchivePull.objects.exists()
    assert not AuditEvent.objects.filter(object_type="archive.archivepull").exists()


def test_the_unit_administrator_and_the_office_hold_archive_pull():
    assert roles_with(Cap.ARCHIVE_PULL) == [Role.UNIT_ADMIN, Role.OFFICE]


def test_a_second_move_in_needs_its_own_pull(cast, moved):
    actions.pull_archive(cast.alice, moved.person)
    transfer_person(cast.carol, moved.person, cast.unit_b, effective_on=dt.date(NOW, 6, 1))
    moved.person.refresh_from_db()
    transfer_person(cast.carol, moved.person, cast.unit_a, effective_on=dt.date(NOW, 9, 1))
    moved.person.refresh_from_db()
    assert queries.visible_from(cast.alice, moved.person).first_year == NOW
    actions.pull_archive(cast.alice, moved.person)
    assert ArchivePull.objects.count() == 2
    assert _years(cast.alice, moved.person) == [EARLIER, NOW]


# --- the pages ------------------------------------------------------------------------------------


def test_the_page_shows_the_horizon_and_the_pull_button_to_the_unit(client, cast, moved):
    client.force_login(cast.alice)
    page = client.get(reverse("archive:person", args=[moved.person.pk])).content.decode()
    assert "赵强" in page
    assert 'data-testid="pull-archive"' in page
    assert "专题讲座" not in page  # descriptions are not listed; categories and totals are
    assert "党校秋季班" not in page


def test_pulling_through_the_page_shows_the_earlier_year(client, cast, moved):
    client.force_login(cast.alice)
    response = client.post(reverse("archive:pull", args=[moved.person.pk]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="pull-archive"' not in page
    assert "<th>2025</th>" in page


def test_a_pull_refused_shows_its_message_and_changes_nothing(client, cast, moved):
    client.force_login(cast.alice)
    response = client.post(reverse("archive:pull", args=[cast.person_a.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not ArchivePull.objects.exists()


def test_the_page_is_404_for_a_person_outside_scope(client, cast, moved):
    client.force_login(cast.bob)
    assert client.get(reverse("archive:person", args=[moved.person.pk])).status_code == 404
    assert client.get(reverse("archive:person_pdf", args=[moved.person.pk])).status_code == 404
    assert client.post(reverse("archive:pull", args=[moved.person.pk])).status_code == 404


def test_a_learner_opens_only_their_own_archive(client, cast, moved):
    client.force_login(cast.lena)
    assert client.get(reverse("archive:people")).url == reverse(
        "archive:person", args=[cast.lena_person.pk]
    )
    assert client.get(reverse("archive:person", args=[cast.person_a.pk])).status_code == 404


def test_the_people_search_finds_by_name_within_scope(client, cast, moved):
    client.force_login(cast.alice)
    page = client.get(reverse("archive:people"), {"q": "赵"}).content.decode()
    assert "赵强" in page and "李明" not in page
    client.force_login(cast.bob)
    assert "赵强" not in client.get(reverse("archive:people"), {"q": "赵"}).content.decode()


def test_the_pdf_states_labels_never_codes(client, cast, moved):
    client.force_login(cast.carol)
    response = client.get(reverse("archive:person_pdf", args=[moved.person.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "培训档案" in text and "赵强" in text
    assert "必修" in text and "面授" in text  # required, offline: worded
    for code in ("required", "offline", "centralised", "hours"):
        assert code not in text
    assert "2025" in text and "2026" in text


def test_the_pdf_of_the_unit_before_the_pull_leaves_the_earlier_year_out(client, cast, moved):
    client.force_login(cast.alice)
    text = pdf_text(client.get(reverse("archive:person_pdf", args=[moved.person.pk])).content)
    assert "赵强" in text
    assert "2025" not in text  # neither the 2025 credit nor the grade fixed in unit B


# --- queries --------------------------------------------------------------------------------------


def _count_page(client, user, person):
    client.force_login(user)
    url = reverse("archive:person", args=[person.pk])
    client.get(url)  # warm the session and menu caches
    with CaptureQueriesContext(connection) as queries_run:
        assert client.get(url).status_code == 200
    return len(queries_run)


def test_the_page_reads_the_same_number_of_queries_for_one_year_or_many(client, cast, moved):
    few = _count_page(client, cast.carol, moved.person)
    for year in range(2020, 2025):
        for n in range(3):
            credit(cast, moved.person, 5, f"more-{year}-{n}", day=dt.date(year, 3, 1 + n))
    many = _count_page(client, cast.carol, moved.person)
    assert many == few
