"""Two posts for the same person at once append one after the other; the chain never forks."""

import datetime as dt
import threading

import pytest
from django.db import connections

from xuefen.ledger.actions import post_entry
from xuefen.ledger.models import Chain, Entry
from xuefen.ledger.verify import verify

# Rows must be committed for the other threads to see them; append_only_flush empties the
# database afterwards despite the append-only triggers (see tests/audit/append_only.py).
pytestmark = pytest.mark.usefixtures("append_only_flush")


def post_at_once(cast, source_ids: list[str]) -> list[BaseException]:
    barrier = threading.Barrier(len(source_ids))
    errors: list[BaseException] = []

    def post(source_id: str) -> None:
        try:
            barrier.wait()
            post_entry(
                cast.carol,
                cast.person_a,
                last_day=dt.date(2026, 4, 1),
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


def test_simultaneous_posts_for_one_person_all_land_in_one_chain(cast):
    assert post_at_once(cast, ["1", "2", "3", "4"]) == []
    seqs = sorted(Entry.objects.filter(person=cast.person_a).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4]
    assert Chain.objects.get(person=cast.person_a).last_seq == 4
    assert list(verify()) == []


def test_same_source_sent_at_once_is_posted_once(cast):
    assert post_at_once(cast, ["same", "same", "same"]) == []
    assert Entry.objects.filter(person=cast.person_a).count() == 1
