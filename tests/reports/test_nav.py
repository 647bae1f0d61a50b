"""Navigation: learners get their credits, reporting roles get roll-ups, others nothing."""

from xuefen.reports.nav import items


def names(user):
    return [item.url_name for item in items(user)]


def test_learner_gets_my_credits_only(cast):
    assert names(cast.lena) == ["reports:me"]


def test_unit_admin_office_and_auditor_get_rollups(cast):
    for user in (cast.alice, cast.carol, cast.dave):
        assert names(user) == ["reports:rollup"]


def test_system_administrator_gets_no_report(cast):
    assert names(cast.sam) == []
