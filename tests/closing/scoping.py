"""URL cases for the project-wide scoping test: each points at an object of unit A.

Closes are read by whoever reads reports on the whole region (bob, unit B's administrator, does
not); a results notice by whoever reads reports on its unit. The public notice of the cases is
published for department D (holding unit A, not unit B), so bob is outside it."""

from tests.closing.conftest import YEAR, credit
from xuefen.closing import actions
from xuefen.policy.actions import import_ruleset
from xuefen.policy.models import RuleSet
from xuefen.policy.shipped import shipped_texts


def _close(cast):
    if not RuleSet.objects.filter(code="cadre_township").exists():
        import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    entry = credit(cast, cast.person_a, 80, "scope-a")
    return actions.close_period(cast.carol, cast.region, YEAR), entry


def _close_kwargs(cast):
    return {"close_id": _close(cast)[0].pk}


def _results_of_a(cast):
    return {"close_id": _close(cast)[0].pk, "node_id": cast.unit_a.pk}


def _run(cast):
    from xuefen.closing import runs

    return {"run_id": runs.start_run(cast.carol, _close(cast)[0]).pk}


def _notice_of_d(cast):
    close, entry = _close(cast)
    return actions.publish_notice(cast.carol, close, cast.dept), entry


def _notice(cast):
    return {"notice_id": _notice_of_d(cast)[0].pk}


def _notice_person(cast):
    return {"notice_id": _notice_of_d(cast)[0].pk, "person_id": cast.person_a.pk}


def _objection(cast):
    notice, entry = _notice_of_d(cast)
    objection = actions.raise_objection(cast.lena, notice, cast.person_a, entry, reason="重复")
    return {"objection_id": objection.pk}


CASES = {
    "closing:closes": lambda cast: None,
    "closing:close": _close_kwargs,
    "closing:close_regrade": _close_kwargs,
    "closing:close_late": _close_kwargs,
    "closing:close_publish": _close_kwargs,
    "closing:results_xlsx": _results_of_a,
    "closing:results_pdf": _results_of_a,
    "closing:close_run_start": _close_kwargs,
    "closing:run": _run,
    "closing:run_progress": _run,
    "closing:run_resume": _run,
    "closing:run_download": _run,
    "closing:notices": lambda cast: None,
    "closing:notice": _notice,
    "closing:notice_finish": _notice,
    "closing:notice_person": _notice_person,
    "closing:objections": lambda cast: None,
    "closing:objection": _objection,
    "closing:objection_evidence": _objection,
    "closing:assessment": lambda cast: None,
}

# Steps without a form, taken by the credit office over the region: publishing the notice,
# fixing the grades again, asking for every unit's results notice.
WRITERS = {
    "closing:close_publish": {"carol"},
    "closing:close_regrade": {"carol"},
    "closing:close_run_start": {"carol"},
}
