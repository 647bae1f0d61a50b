"""post_entries: many credits in one call, each with exactly what post_entry would have done."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.ledger.bulk import NewEntry, post_entries
from xuefen.ledger.judging import Loader
from xuefen.ledger.models import OVERALL, Chain, Entry, Standing, Total
from xuefen.ledger.recompute import recompute
from xuefen.ledger.verify import verify
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


def item(person, source_id, amount="2", **extra):
    fields = {
        "person_id": person if isinstance(person, int) else person.pk,
        "last_day": dt.date(2026, 5, 10),
        "categories": ("required", "offline", "centralised"),
        "amount": Decimal(amount),
        "unit": "hours",
        "source_type": "roster",
        "source_id": source_id,
        "description": "党校培训班",
    }
    fields.update(extra)
    return NewEntry(**fields)


@pytest.fixture
def crowd(cast):
    """Twelve people of unit A, alternately 一般干部 and 专技人员."""
    categories = [Person.Category.GENERAL, Person.Category.PROFESSIONAL]
    return [f.person(cast.unit_a, f"学员{i}", category=categories[i % 2]) for i in range(12)]


@pytest.fixture
def rules(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)


def test_many_entries_for_several_people_pass_verify_and_equal_recompute(cast, crowd, rules):
    tags = [("required", "offline"), ("elective", "online"), ("professional",)]
    items = [
        item(p, f"C{n}", amount=f"{1 + n % 7}.{n % 4 * 25:02d}", categories=tags[n % 3])
        for p in crowd
        for n in range(15)
    ]
    result = post_entries(cast.carol, items, note="batch 1")
    assert (len(result.posted), result.duplicates, result.errors) == (len(items), {}, {})
    assert Entry.objects.count() == len(items)
    assert list(verify()) == []
    assert recompute() == (0, 0)
    assert Standing.objects.filter(person__in=crowd, period=2026).count() == len(crowd)


def test_each_person_chain_follows_item_order(cast):
    items = [item(cast.person_a, "1"), item(cast.person_b, "1"), item(cast.person_a, "2")]
    result = post_entries(cast.carol, items)
    first, second = Entry.objects.get(pk=result.posted[0]), Entry.objects.get(pk=result.posted[2])
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert Chain.objects.get(person=cast.person_a).last_hash == second.hash


def test_totals_move_by_every_category_and_overall(cast, post):
    post(cast.person_a, "8", "manual")
    post_entries(
        cast.carol,
        [item(cast.person_a, "1", "2.5"), item(cast.person_a, "2", "1", categories=("online",))],
    )
    totals = {t.category: t.amount for t in Total.objects.filter(person=cast.person_a)}
    assert totals == {
        "required": Decimal("10.5"),
        "offline": Decimal("10.5"),
        "centralised": Decimal("10.5"),
        "online": Decimal("1"),
        OVERALL: Decimal("11.5"),
    }


def test_entry_already_in_ledger_is_a_duplicate_with_its_id(cast):
    existing = post_entry(
        cast.carol,
        cast.person_a,
        last_day=dt.date(2026, 5, 10),
        categories=["required"],
        amount=2,
        unit="hours",
        source_type="roster",
        source_id="same",
    )
    result = post_entries(
        cast.carol, [item(cast.person_a, "same", "9"), item(cast.person_a, "new")]
    )
    assert result.duplicates == {0: existing.pk}
    assert list(result.posted) == [1]
    assert Total.objects.get(person=cast.person_a, category=OVERALL).amount == Decimal("4")


def test_same_source_twice_in_one_call_is_posted_once(cast):
    items = [item(cast.person_a, "x"), item(cast.person_b, "x"), item(cast.person_a, "x", "5")]
    result = post_entries(cast.carol, items)
    assert result.duplicates == {2: result.posted[0]}
    assert Entry.objects.filter(person=cast.person_a).count() == 1


def test_resending_a_call_changes_nothing(cast):
    items = [item(cast.person_a, "1"), item(cast.person_b, "1")]
    first = post_entries(cast.carol, items)
    events = AuditEvent.objects.count()
    again = post_entries(cast.carol, items)
    assert again.posted == {} and again.duplicates == first.posted
    assert Entry.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_invalid_items_come_back_as_errors_and_the_others_are_posted(cast):
    items = [
        item(cast.person_a, "ok"),
        item(cast.person_a, "zero", "0"),
        item(cast.person_a, "unit", unit="days"),
        item(cast.person_a, "cats", categories=()),
        item(cast.person_a, "period", last_day=dt.date(1800, 1, 1)),
        item(cast.person_a, "big", "5000"),
        item(cast.person_a, "cents", "1.005"),
        item(cast.person_a, ""),
        item(999_999_999, "nobody"),
        item(cast.person_a, "x" * 101),
        item(cast.person_b, "ok"),
    ]
    result = post_entries(cast.carol, items)
    codes = {index: error.code for index, error in result.errors.items()}
    assert codes == {
        1: "amount_zero",
        2: "unit_invalid",
        3: "categories_empty",
        4: "day_invalid",
        5: "amount_too_large",
        6: "amount_invalid",
        7: "source_missing",
        8: "person_unknown",
        9: "field_too_long",
    }
    assert sorted(result.posted) == [0, 10]
    assert Entry.objects.count() == 2
    assert list(verify()) == []


def test_item_after_an_invalid_one_with_the_same_source_is_posted(cast):
    result = post_entries(cast.carol, [item(cast.person_a, "s", "0"), item(cast.person_a, "s")])
    assert result.errors[0].code == "amount_zero"
    assert list(result.posted) == [1]


def test_bulk_and_single_posts_for_one_person_keep_one_valid_chain(cast, post):
    first = post(cast.person_a, "8", "single-1")
    post_entries(cast.carol, [item(cast.person_a, "b1"), item(cast.person_a, "b2")])
    post(cast.person_a, "3", "single-2")
    post_entries(cast.carol, [item(cast.person_a, "b3")])
    reverse_entry(cast.carol, first, "重复")
    seqs = list(Entry.objects.filter(person=cast.person_a).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert list(verify()) == []
    assert recompute() == (0, 0)


def test_standing_is_judged_with_the_new_credits(cast, rules):
    post_entries(cast.carol, [item(cast.person_a, "1", "60")])
    assert Standing.objects.get(person=cast.person_a, period=2026).met is False
    post_entries(cast.carol, [item(cast.person_a, "2", "30", categories=("elective", "online"))])
    assert Standing.objects.get(person=cast.person_a, period=2026).met is False  # online: apart
    post_entries(cast.carol, [item(cast.person_a, "3", "30")])
    standing = Standing.objects.get(person=cast.person_a, period=2026)
    assert standing.met is True and standing.grade and standing.ruleset
    assert recompute() == (0, 0)


def test_standings_equal_a_full_judgement_of_old_and_new_credits(cast, crowd, rules, post):
    # Credits already in the ledger (one reversed) are read; the call's own join them from memory.
    for n, person in enumerate(crowd):
        entry = post(person, f"{n % 5 + 1}.5", f"old{n}", artefact_key=f"paper-{n % 3}")
        post(person, "12", f"again{n}", categories=["elective", "online"])
        if n % 4 == 0:
            reverse_entry(cast.carol, entry, "entered twice")
    items = [
        item(p, f"new{n}", amount=f"{n % 9 + 1}", artefact_key=f"paper-{n % 2}" if n % 3 else "")
        for p in crowd
        for n in range(4)
    ]
    post_entries(cast.carol, items)
    loader = Loader.for_people([p.pk for p in crowd])
    for person in crowd:
        assert loader.verdict(person.pk, 2026).same_as(
            Standing.objects.get(person=person, period=2026)
        )


def test_earlier_period_refreshes_later_standing_whose_window_reaches_it(cast):
    Person.objects.filter(pk=cast.person_a.pk).update(category=Person.Category.COUNTY)
    import_ruleset(SYSTEM, shipped_texts()["cadre_county"], cast.region)
    post_entries(cast.carol, [item(cast.person_a, "1", "10")])
    before = Standing.objects.get(person=cast.person_a, period=2026)
    post_entries(
        cast.carol,
        [item(cast.person_a, "2", "100", last_day=dt.date(2025, 3, 1))],
    )
    after = Standing.objects.get(person=cast.person_a, period=2026)
    assert after.evaluated_at > before.evaluated_at
    assert recompute() == (0, 0)


def test_each_posted_entry_has_its_audit_record_with_the_note(cast):
    result = post_entries(
        cast.carol, [item(cast.person_a, "1"), item(cast.person_b, "1")], note="batch 7"
    )
    events = AuditEvent.objects.filter(action=AuditEvent.Action.POST, object_type="ledger.entry")
    by_entry = {int(e.object_id): e for e in events}
    assert set(by_entry) == set(result.posted.values())
    event = by_entry[result.posted[1]]
    assert (event.person_id, event.node_path, event.actor) == (
        cast.person_b.pk,
        cast.unit_b.path,
        cast.carol,
    )
    assert event.changes["note"] == "batch 7"


def test_rolled_back_with_the_callers_transaction(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        post_entries(cast.carol, [item(cast.person_a, "1")])
        raise RuntimeError("caller fails after posting")
    assert not Entry.objects.exists()
    assert not Total.objects.exists()


def test_call_with_nothing_to_post_writes_nothing(cast):
    result = post_entries(cast.carol, [item(cast.person_a, "z", "0")])
    assert result.posted == {} and list(result.errors) == [0]
    assert not Total.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ledger.entry").exists()


def _roster(people, count):
    return [item(people[n % len(people)], f"R{n}", str(1 + n % 5)) for n in range(count)]


def test_query_count_does_not_grow_with_the_number_of_items(
    cast, crowd, rules, django_assert_max_num_queries
):
    more = crowd + [f.person(cast.unit_b, f"乙{i}") for i in range(38)]
    with CaptureQueriesContext(connection) as small:
        post_entries(cast.carol, _roster(more[:5], 50))
    # A fixed handful whatever the number of items: the stage tables (made and emptied), the people
    # and their units, the rule sets' state, one statement per set-based step, the judge's reads.
    with django_assert_max_num_queries(22), CaptureQueriesContext(connection) as large:
        result = post_entries(cast.carol, [item(p, f"L{n}") for n in range(10) for p in more])
    assert len(result.posted) == 500
    assert len(large.captured_queries) <= len(small.captured_queries)
    assert list(verify()) == []


@pytest.mark.usefixtures("append_only_flush")
def test_two_calls_at_once_post_each_source_once_in_valid_chains(cast):
    people = [cast.person_a, cast.person_b, cast.lena_person]
    calls = [
        [item(p, f"S{n}") for n in range(0, 30) for p in people],
        [item(p, f"S{n}") for n in range(15, 45) for p in reversed(people)],
    ]
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(items):
        try:
            barrier.wait()
            post_entries(cast.carol, items)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(items,)) for items in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for person in people:
        sources = list(Entry.objects.filter(person=person).values_list("source_id", flat=True))
        assert sorted(sources) == sorted(f"S{n}" for n in range(45))
    assert list(verify()) == []
    assert recompute() == (0, 0)
