"""Learning ends with the log-in it was opened in: a log-out ends that log-in's learning session,
and a deactivated account or a new password ends all of its person's (the accounts app knows
nothing of online learning; it only sends Django's signals)."""

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
    """A deactivated account, and a new password (the learner's own change, or the office's reset
    that makes them change it at the next log-in), end all of the person's learning sessions: as
    Django's own log-ins opened with the old password, they do not outlive it."""
    if created or instance.person_id is None:
        return
    fields = set(update_fields) if update_fields is not None else None
    deactivated = not instance.is_active and (fields is None or "is_active" in fields)
    # Django keeps the new raw password on the instance until its save has finished.
    new_password = getattr(instance, "_password", None) is not None and (
        fields is None or "password" in fields
    )
    if deactivated or new_password:
        actions.end_sessions(instance.person_id)
