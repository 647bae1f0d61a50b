"""URL cases for the project-wide scoping test: an online course of region R with a video, person
A's learning record. bob (unit B's administrator) is no learner, manages no courses and audits
nobody: every object URL is a 404 to him."""

from tests.elearning import helpers as h
from xuefen.elearning import actions
from xuefen.elearning.models import OnlineCourse, Progress


def _course(cast):
    found = OnlineCourse.objects.filter(code="SCOPEA").first()
    if found is None:
        found = h.course(cast, "SCOPEA", h.video(cast, "范围视频", 60))
    Progress.objects.get_or_create(person=cast.person_a, course=found)
    return found


def _tested(cast):
    found = OnlineCourse.objects.filter(code="SCOPET").first()
    if found is None:
        found = h.course(cast, "SCOPET", h.video(cast, "测试范围视频", 60), rule="watch_and_test")
        actions.add_question(cast.carol, found, "问题", ["对", "错"], [1])
    return found


def _item(cast):
    course = _course(cast)
    return {"course_id": course.pk, "resource_id": course.resources.first().pk}


CASES = {
    "elearning:courses": lambda cast: None,
    "elearning:course": lambda cast: {"course_id": _course(cast).pk},
    "elearning:player": _item,
    "elearning:start": _item,
    "elearning:media": lambda cast: {"resource_id": _course(cast).resources.first().pk},
    "elearning:record": lambda cast: None,
    "elearning:manage": lambda cast: None,
    "elearning:video_new": lambda cast: None,
    "elearning:article_new": lambda cast: None,
    "elearning:course_new": lambda cast: None,
    "elearning:resource": lambda cast: {"resource_id": _course(cast).resources.first().pk},
    "elearning:resource_edit": lambda cast: {"resource_id": _course(cast).resources.first().pk},
    "elearning:resource_retire": lambda cast: {"resource_id": _course(cast).resources.first().pk},
    "elearning:course_edit": lambda cast: {"course_id": _course(cast).pk},
    "elearning:course_test": lambda cast: {"course_id": _tested(cast).pk},
    "elearning:test": lambda cast: {"course_id": _tested(cast).pk},
    "elearning:audit": lambda cast: None,
    "elearning:person": lambda cast: {"person_id": _course(cast) and cast.person_a.pk},
}

PUBLIC = {
    "elearning:event": (
        "playback events: each authenticated by its learning session's token (issued to a "
        "logged-in learner's player page) and that log-in's cookie, without reading the session"
    ),
}

# A learner of the course opens a learning session by a POST without fields, and hands in its test
# unanswered (an attempt scored 0); the credit office retires a resource by a POST without fields.
WRITERS = {
    "elearning:start": {"lena"},
    "elearning:test": {"lena"},
    "elearning:resource_retire": {"carol"},
}
