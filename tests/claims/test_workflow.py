"""The claim workflow: every transition, the forbidden ones (typed error, nothing changed),
separation of duties, and approval posting exactly one ledger entry."""

from decimal import Decimal

import pytest

from tests import factories as f
from tests.claims.conftest import DAY, file_claim, to_office
from xuefen.accounts.roles import Role
from xuefen.audit.models import AuditEvent
from xuefen.claims import actions
from xuefen.claims.errors import TransitionError
from xuefen.claims.models import Claim, Status, StatusChange
from xuefen.ledger.models import Entry, Total


def _state(claim):
    claim = Claim.objects.get(pk=claim.pk)
    return (
        claim.status,
        StatusChange.objects.filter(claim=claim).count(),
        Entry.objects.filter(source_type="claim").count(),
        AuditEvent.objects.filter(object_type="claims.claim", object_id=str(claim.pk)).count(),
    )


def test_learner_submits_a_claim_for_herself(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    assert claim.status == Status.SUBMITTED
    assert claim.amount == Decimal("24.00")  # province paper by the rule set
    steps = list(claim.history.values_list("from_status", "to_status"))
    assert steps == [("", Status.DRAFT), (Status.DRAFT, Status.SUBMITTED)]
    actions_logged = AuditEvent.objects.filter(
        object_type="claims.claim", object_id=str(claim.pk)
    ).values_list("action", flat=True)
    assert set(actions_logged) == {"create", "submit"}


def test_learner_cannot_claim_for_someone_else(cast, rules):
    with pytest.raises(TransitionError) as error:
        file_claim(cast.lena, cast.person_a)
    assert error.value.code == "not_allowed"
    assert not Claim.objects.exists()


def test_unit_admin_claims_on_behalf_of_a_person_of_the_unit(cast, rules):
    claim = file_claim(cast.alice, cast.person_a)
    assert claim.person == cast.person_a
    assert claim.submitted_by == cast.alice


def test_unit_admin_cannot_claim_for_a_person_of_another_unit(cast, rules):
    with pytest.raises(TransitionError):
        file_claim(cast.bob, cast.person_a)
    assert not Claim.objects.exists()


def test_unit_check_moves_the_claim_to_the_office(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    to_office(cast, claim)
    claim.refresh_from_db()
    assert claim.status == Status.UNIT_CHECKED
    assert claim.history.last().actor == cast.alice


def test_office_approval_posts_one_entry_and_moves_the_totals(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    to_office(cast, claim)
    entries = actions.approve_claim(cast.carol, claim)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.source_type, entry.source_id) == ("claim", str(claim.pk))
    assert entry.amount == Decimal("24.00")
    assert entry.approved_by == cast.carol
    assert f"claim:{claim.pk}" in entry.evidence
    assert entry.artefact_key == "paper:县级财政绩效评价"
    total = Total.objects.get(person=cast.lena_person, period=DAY.year, category="*")
    assert total.amount == Decimal("24.00")
    claim.refresh_from_db()
    assert claim.status == Status.CREDITED


def test_approving_twice_is_refused_and_posts_nothing_more(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    to_office(cast, claim)
    actions.approve_claim(cast.carol, claim)
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.approve_claim(cast.carol, claim)
    assert error.value.code == "step_not_allowed"
    assert _state(claim) == before
    assert Entry.objects.filter(source_type="claim").count() == 1


def test_degree_study_is_split_into_one_entry_per_year(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "degree", title="会计学硕士")
    to_office(cast, claim)
    entries = actions.approve_claim(cast.carol, claim)
    assert [(e.period, e.amount) for e in entries] == [
        (DAY.year, Decimal("20.00")),
        (DAY.year + 1, Decimal("20.00")),
    ]
    assert len({e.source_id for e in entries}) == 2
    assert len({e.artefact_key for e in entries}) == 2


def test_office_cannot_approve_before_the_unit_check(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.approve_claim(cast.carol, claim)
    assert error.value.code == "step_not_allowed"
    assert _state(claim) == before


def test_unit_admin_cannot_approve(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    to_office(cast, claim)
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.approve_claim(cast.alice, claim)
    assert error.value.code == "not_allowed"
    assert _state(claim) == before


def test_unit_admin_of_another_unit_cannot_check(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    before = _state(claim)
    with pytest.raises(TransitionError):
        actions.check_claim(cast.bob, claim)
    assert _state(claim) == before


def test_a_reviewer_cannot_check_a_claim_they_submitted(cast, rules):
    claim = file_claim(cast.alice, cast.person_a)
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.check_claim(cast.alice, claim)
    assert error.value.code == "own_claim"
    assert _state(claim) == before


def test_a_reviewer_cannot_approve_their_own_claim(cast, rules):
    olga = f.user("olga", Role.OFFICE, cast.region, person=cast.person_a)
    claim = file_claim(cast.alice, cast.person_a)
    actions.check_claim(cast.carol, claim)  # the office stands in for the unit's check
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.approve_claim(olga, claim)
    assert error.value.code == "own_claim"
    assert _state(claim) == before


def test_the_checker_cannot_also_approve(cast, rules):
    claim = file_claim(cast.alice, cast.person_a)
    actions.check_claim(cast.carol, claim)
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.approve_claim(cast.carol, claim)
    assert error.value.code == "same_reviewer"
    assert _state(claim) == before


def test_returned_claim_is_edited_and_resubmitted(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    actions.return_claim(cast.alice, claim, "请补充刊物目录页")
    claim.refresh_from_db()
    assert claim.status == Status.RETURNED
    assert claim.history.last().reason == "请补充刊物目录页"
    actions.update_claim(
        cast.lena,
        claim,
        title="县级财政绩效评价（修订）",
        start_date=DAY,
        end_date=DAY,
        data={"journal": "财政研究", "level": "national", "author_rank": "1"},
    )
    actions.submit_claim(cast.lena, claim)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert claim.amount == Decimal("48.00")


def test_return_needs_a_reason(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    before = _state(claim)
    with pytest.raises(TransitionError) as error:
        actions.return_claim(cast.alice, claim, "  ")
    assert error.value.code == "reason_missing"
    assert _state(claim) == before


def test_rejected_claim_is_final(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    actions.reject_claim(cast.alice, claim, "与本人无关的材料")
    before = _state(claim)
    for step in (
        lambda: actions.submit_claim(cast.lena, claim),
        lambda: actions.check_claim(cast.alice, claim),
        lambda: actions.approve_claim(cast.carol, claim),
    ):
        with pytest.raises(TransitionError):
            step()
    assert _state(claim) == before


def test_a_submitted_claim_cannot_be_edited(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    with pytest.raises(TransitionError) as error:
        actions.update_claim(cast.lena, claim, title="改", start_date=DAY, end_date=DAY, data={})
    assert error.value.code == "not_editable"
    assert Claim.objects.get(pk=claim.pk).title == "县级财政绩效评价"


def test_study_notes_are_signed_off_then_credited_per_thousand_characters(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "notes", title="学习笔记")
    actions.check_claim(cast.alice, claim, "已签阅")
    event = AuditEvent.objects.filter(object_id=str(claim.pk), action="approve").get()
    assert event.changes["signed_off"] is True
    (entry,) = actions.approve_claim(cast.carol, claim)
    assert entry.amount == Decimal("5.00")  # 5,200 characters: 5 whole thousands


def test_other_claims_need_the_office_amount(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "other", title="读书会")
    to_office(cast, claim)
    before = _state(claim)
    with pytest.raises(Exception) as error:
        actions.approve_claim(cast.carol, claim)
    assert error.value.code == "amount_needed"
    assert _state(claim) == before
    (entry,) = actions.approve_claim(cast.carol, claim, amount="3")
    assert entry.amount == Decimal("3.00")


def test_batch_approval_lists_the_failure_and_credits_the_rest(cast, rules):
    good = [file_claim(cast.lena, cast.lena_person, title=f"论文{i}") for i in range(3)]
    bad = file_claim(cast.lena, cast.lena_person, "other", title="读书会")
    for claim in [*good, bad]:
        to_office(cast, claim)
    outcome = actions.approve_many(cast.carol, [*good, bad])
    assert sorted(outcome.approved) == sorted(c.pk for c in good)
    assert list(outcome.failed) == [bad.pk]
    assert Claim.objects.get(pk=bad.pk).status == Status.UNIT_CHECKED
    assert Entry.objects.filter(source_type="claim").count() == 3


def test_late_claim_is_accepted_and_flagged(cast, rules, reporting):
    reporting.deadline = reporting.opens_on
    reporting.save()
    claim = file_claim(cast.lena, cast.lena_person)
    assert claim.status == Status.SUBMITTED
    assert claim.is_late
    assert "late" in set(claim.flags.values_list("code", flat=True))


def test_claim_before_the_deadline_is_not_late(cast, rules, reporting):
    claim = file_claim(cast.lena, cast.lena_person)
    assert not claim.is_late
    assert not claim.flags.filter(code="late").exists()
