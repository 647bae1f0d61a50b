"""URL cases for the project-wide scoping test: each points at an object of unit A."""


def _alice(cast):
    return {"user_id": cast.alice.pk}


def _alices_grant(cast):
    return {"user_id": cast.alice.pk, "grant_id": cast.alice.grants.get().pk}


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
}
