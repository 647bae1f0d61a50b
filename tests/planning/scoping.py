"""URL cases for the project-wide scoping test: each points at an object of unit A."""

from tests.planning import helpers


def _plan(cast):
    return {"plan_id": helpers.plan_of_a(cast).pk}


def _survey(cast):
    return {"survey_id": helpers.survey_of_a(cast).pk}


CASES = {
    "planning:plans": lambda cast: None,
    "planning:plan": _plan,
    "planning:surveys": lambda cast: None,
    "planning:survey_new": lambda cast: None,
    "planning:survey": _survey,
    "planning:survey_edit": _survey,
    "planning:my_surveys": lambda cast: None,
    "planning:survey_answer": _survey,
    "planning:inbox": lambda cast: None,
    "planning:outbox": lambda cast: None,
    "planning:policies": lambda cast: None,
}
