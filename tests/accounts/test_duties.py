"""Separation of duties, attacked through another account: the system administrator may not make
an approver (not even of an account they made and hold the password of); a role that decides
credits takes a second person who holds the credit office role; reads stop where the role's
capabilities stop."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from xuefen.accounts import actions, scope
from xuefen.accounts.models import GrantProposal, RoleGrant
from xuefen.accounts.roles import Cap, Role
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import PermissionDenied
from xuefen.ledger.actions import post_entry
from xuefen.reports.models import Certificate


def _make_puppet(client, cast):
    client.force_login(cast.sam)
    return client.post(
        reverse("accounts:user_create"),
        {
            "username": "puppet",
            "display_name": "傀儡",
            "password": "a-temporary-pass-77",
            "role": Role.OFFICE,
            "node": cast.region.pk,
        },
    )


def test_sysadmin_cannot_approve_through_an_office_account_they_create(client, cast):
    response = _make_puppet(client, cast)
    assert response.status_code == 302
    puppet = cast.sam.__class__.objects.get(username="puppet")
    # The account exists, its role does not: it waits for the office.
    assert not RoleGrant.objects.filter(user=puppet).exists()
    proposal = GrantProposal.objects.get(user=puppet)
    assert (proposal.role, proposal.status, proposal.proposed_by) == ("office", "pending", cast.sam)
    assert not scope.has_capability(puppet, Cap.CREDITS_APPROVE)
    puppet.must_change_password = False  # as if the sysadmin had logged in and changed it
    puppet.save(update_fields=["must_change_password"])
    client.force_login(puppet)
    for name in ("claims:office_queue", "accounts:grant_proposals"):
        assert client.get(reverse(name)).status_code == 404
    # The sysadmin cannot confirm their own proposal either.
    client.force_login(cast.sam)
    url = reverse("accounts:grant_proposal_decide", args=[proposal.pk])
    assert client.post(url, {"confirm": "1"}).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.confirm_grant(cast.sam, proposal)
    assert not RoleGrant.objects.filter(user=puppet).exists()


def test_the_office_confirms_and_both_steps_are_audited(client, cast):
    _make_puppet(client, cast)
    proposal = GrantProposal.objects.get()
    client.force_login(cast.carol)
    page = client.get(reverse("accounts:grant_proposals")).content.decode()
    assert "puppet" in page
    client.post(reverse("accounts:grant_proposal_decide", args=[proposal.pk]), {"confirm": "1"})
    assert RoleGrant.objects.filter(user__username="puppet", role="office").exists()
    steps = AuditEvent.objects.filter(object_type="accounts.grantproposal").order_by("id")
    assert [(e.action, e.actor_name) for e in steps] == [("submit", "sam"), ("approve", "carol")]
    assert AuditEvent.objects.filter(
        object_type="accounts.rolegrant", action="create", actor_name="carol"
    ).exists()


def test_the_office_may_decline(client, cast):
    _make_puppet(client, cast)
    proposal = GrantProposal.objects.get()
    client.force_login(cast.carol)
    client.post(reverse("accounts:grant_proposal_decide", args=[proposal.pk]), {"confirm": "0"})
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert not RoleGrant.objects.filter(user=proposal.user).exists()


def test_a_unit_checker_role_takes_two_people_too(cast):
    newcomer = f.user("newcomer")
    proposal = actions.grant_role(cast.sam, newcomer, Role.UNIT_ADMIN, cast.unit_a)
    assert isinstance(proposal, GrantProposal)
    assert not newcomer.grants.exists()
    actions.confirm_grant(cast.carol, proposal)
    assert newcomer.grants.filter(role=Role.UNIT_ADMIN).exists()


def test_roles_that_decide_nothing_are_granted_at_once(cast):
    newcomer = f.user("newcomer")
    grant = actions.grant_role(cast.sam, newcomer, Role.AUDITOR, cast.region)
    assert isinstance(grant, RoleGrant)


def test_the_holder_of_the_proposed_role_cannot_confirm_it(cast):
    erin = f.user("erin", Role.OFFICE, cast.region)
    proposal = actions.grant_role(cast.sam, erin, Role.UNIT_ADMIN, cast.unit_a)
    with pytest.raises(PermissionDenied) as exc:
        actions.confirm_grant(erin, proposal)
    assert exc.value.code == "four_eyes"
    actions.confirm_grant(cast.carol, proposal)
    assert erin.grants.filter(role=Role.UNIT_ADMIN).exists()


def test_an_office_below_the_node_cannot_confirm(cast):
    deptoffice = f.user("deptoffice", Role.OFFICE, cast.dept)
    proposal = actions.grant_role(cast.sam, f.user("newcomer"), Role.OFFICE, cast.region)
    with pytest.raises(PermissionDenied):
        actions.confirm_grant(deptoffice, proposal)


def test_nobody_grants_a_role_to_an_account_of_their_own_person(cast):
    own = f.person(cast.unit_a, "管理员本人")
    admin = f.user("admin2", Role.SYSADMIN, cast.region, person=own)
    learner_account = cast.lena
    learner_account.person = own  # pretend: the learner account of the admin's own person
    with pytest.raises(PermissionDenied) as exc:
        actions.grant_role(admin, learner_account, Role.AUDITOR, cast.region)
    assert exc.value.code == "own_account"


def test_a_username_may_not_be_an_id_number(cast):
    from xuefen.core.errors import CodedError

    with pytest.raises(CodedError) as exc:
        actions.create_staff_user(
            cast.sam,
            cast.person_b.id_number,
            display_name="x",
            password="temp-pass-123",
            role=Role.AUDITOR,
            node=cast.region,
        )
    assert exc.value.code == "username_is_id_number"


# ------------------------------------------------------------------------ certificates


def test_the_read_only_auditor_cannot_issue_a_certificate(client, cast):
    client.force_login(cast.dave)
    events = AuditEvent.objects.count()
    url = reverse("reports:certificate", args=[cast.person_a.pk, 2026])
    response = client.post(url)
    assert response.status_code == 403
    assert "nothing was done" in response.content.decode() or "未执行" in response.content.decode()
    assert not Certificate.objects.exists()
    assert AuditEvent.objects.count() == events
    assert client.get(url).status_code == 200  # reading stays allowed


# ---------------------------------------------------------------------- reads of the trail


@pytest.fixture
def posting(cast):
    return post_entry(
        cast.carol,
        cast.person_a,
        last_day=dt.date(2026, 3, 1),
        categories=["required"],
        amount=6,
        unit="hours",
        source_type="class",
        source_id="duties-1",
        description="培训班",
    )


def _trail(client, user, **query):
    client.force_login(user)
    return client.get(reverse("audit:events"), query).context["page_obj"].object_list


def test_sysadmin_reads_no_credit_posting_in_the_trail(client, cast, posting):
    types = {e.object_type for e in _trail(client, cast.sam)}
    assert "ledger.entry" not in types
    assert any(e.object_type == "ledger.entry" for e in _trail(client, cast.carol))
    assert any(e.object_type == "ledger.entry" for e in _trail(client, cast.dave))
    event = AuditEvent.objects.filter(object_type="ledger.entry").first()
    client.force_login(cast.sam)
    assert client.get(reverse("audit:event_detail", args=[event.pk])).status_code == 404
    export = client.get(reverse("audit:export")).content
    assert b"ledger.entry" not in export


def test_sysadmin_sees_no_full_id_number_in_the_trail(client, cast):
    from xuefen.orgs.actions import update_person

    update_person(cast.carol, cast.person_a, position="科长")
    f.user(cast.person_b.id_number)  # an old learner account named by its ID number
    client.post(reverse("accounts:login"), {"username": cast.person_a.id_number, "password": "x"})
    client.force_login(cast.sam)
    for event in AuditEvent.objects.all():
        page = client.get(reverse("audit:event_detail", args=[event.pk]))
        if page.status_code == 200:
            body = page.content.decode()
            for secret in (cast.person_a.id_number, cast.person_b.id_number):
                assert secret not in body, event
    listing = client.get(reverse("audit:events")).content.decode()
    assert cast.person_a.id_number not in listing
