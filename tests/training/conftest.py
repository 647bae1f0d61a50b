import pytest

from tests import factories as f
from tests.training import helpers as h
from xuefen.training import actions
from xuefen.training.models import Session


@pytest.fixture
def ming(cast):
    """A second learner of unit A with an account (person A)."""
    return f.user("ming", person=cast.person_a)


@pytest.fixture
def running(cast, ming):
    """A class taking attendance now: one session running, lena and ming on the roster."""
    k = h.klass(cast, "NOW")
    session = h.session_now(cast, k)
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [cast.lena_person, cast.person_a])
    k.refresh_from_db()
    return k, Session.objects.select_related("klass").get(pk=session.pk)
