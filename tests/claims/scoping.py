"""URL cases for the project-wide scoping test: each points at an object of unit A."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.claims import actions
from xuefen.claims.models import ClaimType, ReportingPeriod

DAY = dt.date.today() - dt.timedelta(days=1)


def _claim_of_a(cast, submit=False):
    ctype = ClaimType.objects.get(code="other")
    upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return actions.create_claim(
        cast.alice,
        cast.person_a,
        ctype,
        title=f"{cast.person_a.name}的读书会",
        start_date=DAY,
        end_date=DAY,
        data={"details": "读书会"},
        uploads={"proof": [upload]},
        submit=submit,
    )


def _claim(cast):
    return {"claim_id": _claim_of_a(cast).pk}


def _evidence(cast):
    return {"evidence_id": _claim_of_a(cast).evidence_files.get().pk}


def _spot(cast):
    claim = _claim_of_a(cast, submit=True)
    actions.check_claim(cast.carol, claim)
    from tests import factories as f
    from xuefen.accounts.roles import Role

    other_office = f.user("otto", Role.OFFICE, cast.region)
    actions.approve_claim(other_office, claim, amount=Decimal(2))
    reporting = ReportingPeriod.objects.create(
        period=DAY.year,
        name="期",
        opens_on=dt.date(DAY.year, 1, 1),
        deadline=dt.date(DAY.year, 12, 31),
        spot_check_share=Decimal(1),
    )
    claim.refresh_from_db()
    draw = actions.draw_spot_checks(other_office, reporting, [claim])
    return {"spot_id": draw.checks.get().pk}


def _period(cast):
    reporting = ReportingPeriod.objects.create(
        period=2020, name="2020", opens_on=dt.date(2020, 1, 1), deadline=dt.date(2020, 12, 31)
    )
    return {"period_id": reporting.pk}


CASES = {
    "claims:mine": lambda cast: None,
    "claims:new": lambda cast: None,
    "claims:detail": _claim,
    "claims:edit": _claim,
    "claims:submit": _claim,
    "claims:decide": _claim,
    "claims:evidence_add": _claim,
    "claims:comment": _claim,
    "claims:evidence_file": _evidence,
    "claims:evidence_remove": _evidence,
    "claims:unit_queue": lambda cast: None,
    "claims:office_queue": lambda cast: None,
    "claims:batch_approve": lambda cast: None,
    "claims:spot_checks": lambda cast: None,
    "claims:spot_decide": _spot,
    "claims:types": lambda cast: None,
    "claims:type_new": lambda cast: None,
    "claims:type_edit": lambda cast: {"type_id": ClaimType.objects.get(code="paper").pk},
    "claims:periods": lambda cast: None,
    "claims:period_new": lambda cast: None,
    "claims:period_edit": _period,
}

# alice made the claim: she submits it and removes its files.
WRITERS = {"claims:submit": {"alice"}, "claims:evidence_remove": {"alice"}}
