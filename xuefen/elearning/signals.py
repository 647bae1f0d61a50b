"""Learning ends with the log-in it was opened in: a log-out ends that log-in's learning session,
and a deactivated account ends all of its person's (the accounts app knows nothing of online
learning; it only sends Django's signals)."""

from typing import Any

from xuefen.elearning import actions


def logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    person_id = getattr(user, "person_id", None)
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if person_id is not None and key:
        actions.end_sessions(person_id, login_key=key)


def account_saved(
    sender: Any, instance: Any, update_fields: Any = None, created: bool = False, **kwargs: Any
) -> None:
    if created or instance.is_active or instance.person_id is None:
        return
    if update_fields is None or "is_active" in update_fields:
        actions.end_sessions(instance.person_id)
