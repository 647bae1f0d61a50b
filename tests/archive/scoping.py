"""URL cases for the project-wide scoping test: each points at an object of unit A.

The pull's case is a person who moved from unit B to unit A: alice (unit A's administrator) pulls
the archive with an empty POST (the step has no form); bob, whose unit the person left, no longer
reaches them. The print job's case is a job of unit A, queued and not stalled: nobody resumes it."""

import datetime as dt

from tests import factories as f
from xuefen.archive import actions
from xuefen.archive.models import PrintJob
from xuefen.orgs.actions import transfer_person


def _person_of_a(cast):
    return {"person_id": cast.person_a.pk}


def _moved_into_a(cast):
    person = f.person(cast.unit_b, "周敏")
    transfer_person(cast.carol, person, cast.unit_a, effective_on=dt.date(2026, 3, 1))
    return {"person_id": person.pk}


def _job_of_a(cast):
    return {"job_id": actions.start_print(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES).pk}


CASES = {
    "archive:people": lambda cast: None,
    "archive:person": _person_of_a,
    "archive:person_pdf": _person_of_a,
    "archive:pull": _moved_into_a,
    "archive:prints": lambda cast: None,
    "archive:job": _job_of_a,
    "archive:job_progress": _job_of_a,
    "archive:job_resume": _job_of_a,
    "archive:job_pdf": _job_of_a,
}

# A step without a form: unit A's administrator pulls the archive of the person who moved in.
WRITERS = {"archive:pull": {"alice"}}
