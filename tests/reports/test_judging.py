"""The one loader (ledger.judging): the engine's judgement on the ledger, hand-computed."""

from decimal import Decimal

from tests.reports.conftest import post
from xuefen.ledger.judging import evaluate_many
from xuefen.ledger.judging import evaluate_person as person_compliance


def test_person_compliance_counts_the_hand_computed_case(pro):
    evaluation = person_compliance(pro.person, 2026)
    by_code = {r.code: (r.earned, r.required, r.gap) for r in evaluation.requirements}
    assert by_code == {
        "total": (Decimal(74), Decimal(90), Decimal(16)),
        "professional": (Decimal(50), Decimal(60), Decimal(10)),
        "public": (Decimal(24), Decimal(30), Decimal(6)),
    }
    assert not evaluation.met
    assert evaluation.ruleset == "professional_hunan v1"


def test_person_compliance_is_none_without_a_rule_set(cast):
    assert person_compliance(cast.person_a, 2026) is None


def test_evaluate_many_agrees_with_person_compliance_in_fixed_queries(
    cast, pro, django_assert_max_num_queries
):
    post(cast, cast.person_a, 30, ["required"], "a1")
    people = [pro.person, cast.person_a, cast.person_b]
    for p in people:
        p.unit  # noqa: B018 - units loaded as the roll-up page loads them
    with django_assert_max_num_queries(6):
        many = evaluate_many(people, 2026)
    for p in people:
        one = person_compliance(p, 2026)
        assert [(r.code, r.earned, r.met) for r in many[p.pk].requirements] == [
            (r.code, r.earned, r.met) for r in one.requirements
        ]
