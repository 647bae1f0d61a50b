"""Navigation: readers of credits get the archives and bulk printing; a learner their own archive;
the system administrator, who reads no credits, nothing."""

from xuefen.archive.nav import items


def names(user):
    return [item.url_name for item in items(user)]


def test_readers_of_credits_get_archives_and_bulk_printing(cast):
    for user in (cast.alice, cast.carol, cast.dave):
        assert names(user) == ["archive:people", "archive:prints"]


def test_a_learner_gets_their_own_archive(cast):
    assert names(cast.lena) == ["archive:people"]
    assert items(cast.lena)[0].label == "我的培训档案"


def test_the_system_administrator_gets_nothing(cast):
    assert names(cast.sam) == []
