from io import StringIO

import pytest
from django.core.management import call_command

from tests.ledger.tamper import raw
from xuefen.ledger.models import Chain, Entry
from xuefen.ledger.verify import CHANGED, DELETED, INSERTED, verify


@pytest.fixture
def three(cast, post):
    return [post(cast.person_a, amount, str(i)) for i, amount in enumerate(["8", "4", "2"], 1)]


def run_verify(*args):
    out = StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_intact_ledger_verifies_with_exit_code_0(cast, post, three):
    post(cast.person_b, "3", "1")
    assert list(verify()) == []
    code, out = run_verify()
    assert code == 0
    assert "intact" in out


def test_changed_amount_is_named(three):
    raw("UPDATE ledger_entry SET amount = 80 WHERE id = %s", [three[1].pk])
    problems = list(verify())
    assert [(p.kind, p.entry_id) for p in problems] == [(CHANGED, three[1].pk)]
    code, out = run_verify()
    assert code == 1
    assert f"entry {three[1].pk}" in out


def test_deleted_middle_entry_is_reported_as_gap(three):
    raw("DELETE FROM ledger_entry WHERE id = %s", [three[1].pk])
    problems = list(verify())
    assert [(p.kind, p.seq) for p in problems] == [(DELETED, 2)]


def test_deleted_last_entry_is_reported_against_chain_head(three):
    raw("DELETE FROM ledger_entry WHERE id = %s", [three[2].pk])
    problems = list(verify())
    assert [(p.kind, p.seq) for p in problems] == [(DELETED, 3)]


def test_replaced_entry_with_recomputed_hash_breaks_next_link(three):
    forged = Entry.objects.get(pk=three[1].pk)
    forged.amount = 40
    raw(
        "UPDATE ledger_entry SET amount = 40, hash = %s WHERE id = %s",
        [forged.compute_hash(), forged.pk],
    )
    problems = list(verify())
    assert [(p.kind, p.entry_id) for p in problems] == [(DELETED, three[2].pk)]


def test_inserted_entry_beyond_head_is_named(cast, three):
    last = three[-1]
    slipped = Entry(
        person=cast.person_a,
        seq=4,
        period=last.period,
        first_day=last.first_day,
        last_day=last.last_day,
        categories=["required"],
        amount=90,
        unit="hours",
        source_type="manual",
        source_id="x",
        created_at=last.created_at,
        prev_hash=last.hash,
    )
    slipped.hash = slipped.compute_hash()
    slipped.save()  # a new row: the model allows it, but only post_entry moves the chain head
    problems = list(verify())
    assert {(p.kind, p.entry_id) for p in problems} == {(INSERTED, slipped.pk)}
    assert len(problems) == 2  # beyond the chain head, and no audit record


def test_inserted_entry_with_forged_chain_head_is_found_by_missing_audit_record(cast, three):
    last = three[-1]
    slipped = Entry(
        person=cast.person_a,
        seq=4,
        period=last.period,
        first_day=last.first_day,
        last_day=last.last_day,
        categories=["required"],
        amount=90,
        unit="hours",
        source_type="manual",
        source_id="x",
        created_at=last.created_at,
        prev_hash=last.hash,
    )
    slipped.hash = slipped.compute_hash()
    slipped.save()
    Chain.objects.filter(person=cast.person_a).update(last_seq=4, last_hash=slipped.hash)
    problems = list(verify())
    assert [(p.kind, p.entry_id) for p in problems] == [(INSERTED, slipped.pk)]


def test_verify_of_one_person_by_id_number(cast, post, three):
    other = post(cast.person_b, "3", "1")
    raw("UPDATE ledger_entry SET description = 'x' WHERE id = %s", [other.pk])
    assert run_verify("--person", cast.person_a.id_number)[0] == 0
    code, out = run_verify("--person", cast.person_b.id_number)
    assert code == 1
    assert f"entry {other.pk}" in out
