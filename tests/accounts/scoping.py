"""URL cases for the project-wide scoping test: each points at an object of unit A."""


def _alice(cast):
    return {"user_id": cast.alice.pk}


def _alices_grant(cast):
    return {"user_id": cast.alice.pk, "grant_id": cast.alice.grants.get().pk}


def _proposal_on_a(cast):
    from tests import factories as f
    from xuefen.accounts.actions import grant_role
    from xuefen.accounts.roles import Role

    return {
        "proposal_id": grant_role(cast.sam, f.user("newcomer"), Role.UNIT_ADMIN, cast.unit_a).pk
    }


CASES = {
    "accounts:password_change": lambda cast: None,
    "accounts:users": lambda cast: None,
    "accounts:user_create": lambda cast: None,
    "accounts:user_detail": _alice,
    "accounts:grant": _alice,
    "accounts:revoke": _alices_grant,
    "accounts:set_active": _alice,
    "accounts:reset_password": _alice,
    "accounts:unlock": _alice,
    "accounts:grant_proposals": lambda cast: None,
    "accounts:letters": lambda cast: None,
    "accounts:grant_proposal_decide": _proposal_on_a,
}

# Steps without a form, taken by who may take them.
WRITERS = {
    "accounts:grant_proposal_decide": {"carol"},  # the credit office over the node decides
    "accounts:revoke": {"sam"},  # the system administrator keeps accounts and grants
    "accounts:set_active": {"sam"},
    "accounts:unlock": {"sam"},
}
