"""Actors: a user, an API token or the system, never None. Every action checks the capability
itself, so calling it directly (not through its page) with an actor that lacks the capability
is refused and changes nothing; a token may do only what its scopes give, and never a step only
a person takes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from tests.test_url_scoping import fingerprint
from tests.training import helpers as h
from xuefen.accounts import actions as accounts
from xuefen.accounts import scope
from xuefen.accounts.roles import Cap, Role
from xuefen.api import actions as api
from xuefen.api.models import TokenScope
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.claims import actions as claims
from xuefen.claims.models import ClaimType
from xuefen.core.actors import SYSTEM, audit_name, is_system, is_token, is_user, user_of
from xuefen.core.errors import CodedError
from xuefen.intake import actions as intake
from xuefen.intake.models import Batch, Provider
from xuefen.ledger import actions as ledger
from xuefen.orgs import actions as orgs
from xuefen.orgs.models import OrgNode
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts
from xuefen.training import actions as training

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    provider = Provider.objects.create(
        code="PA",
        name="培训机构PA",
        kind=Provider.Kind.PROVIDER,
        node=cast.unit_a,
        serves=cast.dept,
    )
    token, _secret = api.create_token(SYSTEM, provider, name="平台A", scopes=[TokenScope.BATCHES])
    return provider, token


def _refused(call):
    before = fingerprint()
    with pytest.raises((CodedError, Http404)):
        call()
    assert fingerprint() == before


def _calls(cast, provider):
    """(what, call(actor)) for one write action of each app, aimed at unit A."""
    course = h.course(cast, "KA")
    return {
        "orgs.create_person": lambda a: orgs.create_person(
            a, unit=cast.unit_a, name="新人", id_number="110101199003071234", category="cadre"
        ),
        "orgs.update_person": lambda a: orgs.update_person(a, cast.person_a, name="改名"),
        "orgs.create_node": lambda a: orgs.create_node(
            a, code="NEW", name="新单位", kind=OrgNode.Kind.UNIT, parent=cast.dept
        ),
        "accounts.create_staff_user": lambda a: accounts.create_staff_user(
            a, "newbie", display_name="新人", password=None, role=Role.UNIT_ADMIN, node=cast.unit_a
        ),
        "accounts.set_active": lambda a: accounts.set_active(a, cast.alice, False),
        "ledger.post_entry": lambda a: ledger.post_entry(
            a,
            cast.person_a,
            last_day=DAY,
            categories=["required"],
            amount=Decimal(3),
            unit="hours",
            source_type="manual",
            source_id="direct-1",
        ),
        "ledger.record_exemption": lambda a: ledger.record_exemption(
            a, cast.person_a, period=2026, kind="leave", reason="病假", months=2
        ),
        "claims.create_claim": lambda a: claims.create_claim(
            a,
            cast.person_a,
            ClaimType.objects.get(code="other"),
            title="读书会",
            start_date=DAY,
            end_date=DAY,
            data={"details": "读书会"},
            uploads={},
        ),
        "intake.register_course": lambda a: intake.register_course(
            a,
            provider,
            code="NEWC",
            name="新课程",
            kind="training_day",
            categories=["required"],
            amount=Decimal(6),
            unit="hours",
            starts_on=DAY,
        ),
        "intake.submit_batch": lambda a: intake.submit_batch(
            a,
            provider,
            rows=[{"id_number": cast.person_a.id_number, "course_code": "KA", "completed_on": DAY}],
            source=Batch.Source.API,
        ),
        "api.create_token": lambda a: api.create_token(
            a, provider, name="另一个", scopes=[TokenScope.BATCHES]
        ),
        "policy.import_ruleset": lambda a: import_ruleset(
            a, shipped_texts()["cadre_township"], cast.region
        ),
        "training.create_class": lambda a: training.create_class(
            a, course, code="NEWK", name="新班", capacity=30, rule_code="full_time"
        ),
    }


# Which roles of the cast lack the capability of each action (on unit A's objects).
LACKING = {
    "orgs.create_person": ["bob", "dave", "lena"],
    "orgs.update_person": ["bob", "dave", "lena"],
    "orgs.create_node": ["alice", "bob", "dave", "lena"],
    "accounts.create_staff_user": ["alice", "bob", "carol", "dave", "lena"],
    "accounts.set_active": ["alice", "bob", "dave", "lena"],
    "ledger.post_entry": ["alice", "bob", "dave", "sam", "lena"],
    "ledger.record_exemption": ["bob", "dave", "sam", "lena"],
    "claims.create_claim": ["bob", "dave", "sam"],
    "intake.register_course": ["alice", "bob", "dave", "sam", "lena"],
    "intake.submit_batch": ["alice", "bob", "carol", "dave", "sam", "lena"],
    "api.create_token": ["alice", "bob", "dave", "sam", "lena"],
    "policy.import_ruleset": ["alice", "bob", "dave", "sam", "lena"],
    "training.create_class": ["alice", "bob", "dave", "sam", "lena"],
}


@pytest.mark.parametrize(
    ("what", "role"), [(what, role) for what, roles in LACKING.items() for role in roles]
)
def test_an_action_called_directly_refuses_an_actor_without_the_capability(cast, world, what, role):
    provider, _token = world
    call = _calls(cast, provider)[what]
    _refused(lambda: call(getattr(cast, role)))


# A batches token may send its own provider's batches, and nothing else.
TOKEN_REFUSED = sorted(set(LACKING) - {"intake.submit_batch"})


@pytest.mark.parametrize("what", TOKEN_REFUSED)
def test_a_token_may_not_take_a_step_its_scopes_do_not_give(cast, world, what):
    provider, token = world
    call = _calls(cast, provider)[what]
    _refused(lambda: call(token))


def test_a_token_sends_batches_for_its_own_provider_only(cast, world):
    provider, token = world
    other = Provider.objects.create(
        code="PB",
        name="培训机构PB",
        kind=Provider.Kind.PROVIDER,
        node=cast.unit_a,
        serves=cast.dept,
    )
    rows = [{"id_number": cast.person_a.id_number, "course_code": "KA", "completed_on": DAY}]
    _refused(lambda: intake.submit_batch(token, other, rows=rows, source=Batch.Source.API))
    batch = intake.submit_batch(token, provider, rows=rows, source=Batch.Source.API)
    assert batch.token == token and batch.actor == token


def test_a_revoked_token_may_do_nothing(cast, world):
    provider, token = world
    api.revoke_token(SYSTEM, token)
    token.refresh_from_db()
    assert not scope.may(token, Cap.INTAKE_SUBMIT, provider.node)


def test_the_system_may_and_is_named_system(cast):
    assert scope.may(SYSTEM, Cap.CREDITS_APPROVE, cast.unit_a)
    event = record(SYSTEM, AuditEvent.Action.CREATE, object_type="test.thing", object_repr="x")
    assert event.actor_id is None and event.actor_name == "system"


def test_each_kind_of_actor_is_told_apart(cast, world):
    _provider, token = world
    assert is_user(cast.alice) and not is_token(cast.alice) and not is_system(cast.alice)
    assert is_token(token) and not is_user(token) and user_of(token) is None
    assert is_system(SYSTEM) and user_of(SYSTEM) is None
    assert audit_name(cast.alice) == "alice"
    assert audit_name(token) == str(token) and token.prefix in audit_name(token)


def test_none_is_no_actor(cast):
    with pytest.raises(AttributeError):
        scope.may(None, Cap.PEOPLE_VIEW, cast.unit_a)  # type: ignore[arg-type]
