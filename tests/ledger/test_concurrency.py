"""Two posts for the same person at once append one after the other; the chain never forks."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from xuefen.ledger.actions import post_entry
from xuefen.ledger.models import Chain, Entry
from xuefen.ledger.verify import verify


@pytest.fixture
def committed_db(transactional_db):
    """A database whose rows are committed (other threads see them). Django empties it afterwards
    with TRUNCATE, which the ledger's append-only trigger refuses: the flush runs with triggers off
    (superuser only), and Django closes that connection right after."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database: SQLite's test database is one in-memory connection")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


def post_at_once(cast, source_ids: list[str]) -> list[BaseException]:
    barrier = threading.Barrier(len(source_ids))
    errors: list[BaseException] = []

    def post(source_id: str) -> None:
        try:
            barrier.wait()
            post_entry(
                cast.carol,
                cast.person_a,
                period=2026,
                activity_date=dt.date(2026, 4, 1),
                categories=["required"],
                amount=1,
                unit="hours",
                source_type="race",
                source_id=source_id,
            )
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(s,)) for s in source_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_simultaneous_posts_for_one_person_all_land_in_one_chain(committed_db, cast):
    assert post_at_once(cast, ["1", "2", "3", "4"]) == []
    seqs = sorted(Entry.objects.filter(person=cast.person_a).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4]
    assert Chain.objects.get(person=cast.person_a).last_seq == 4
    assert list(verify()) == []


def test_same_source_sent_at_once_is_posted_once(committed_db, cast):
    assert post_at_once(cast, ["same", "same", "same"]) == []
    assert Entry.objects.filter(person=cast.person_a).count() == 1
