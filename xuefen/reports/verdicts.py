"""Verdicts in words: a stored standing or a live evaluation as people read it (status, grade,
what is missing), worded once for the personal page, roll-ups, exports and the compliance table.
Labels come from the rule set that gave the verdict."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from xuefen.ledger.models import Standing
from xuefen.policy.engine import Evaluation, State, grade_label, shortfall_text
from xuefen.policy.schema import RuleSetData
from xuefen.policy.services import RuleSetIndex, rules_by_ref

STATUS_OF_STATE = {
    State.MET: Standing.Status.MET,
    State.SHORT: Standing.Status.SHORT,
    State.IN_PROGRESS: Standing.Status.IN_PROGRESS,
    State.EXEMPT: Standing.Status.EXEMPT,
}


@dataclass(frozen=True)
class VerdictView:
    status: str  # Standing.Status
    status_label: str
    grade: str
    grade_label: str
    earned: Decimal
    ruleset_label: str
    gaps: list[str] = field(default_factory=list)  # binding requirements not (yet) met
    advisory_gaps: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.status in (Standing.Status.MET, Standing.Status.EXEMPT)


def status_label(status: str) -> str:
    return str(Standing.Status(status).label)


def of_evaluation(evaluation: Evaluation | None, earned: Decimal = Decimal(0)) -> VerdictView:
    """A live evaluation's verdict (None: no rule set applies; `earned` is then the raw sum)."""
    if evaluation is None:
        status = Standing.Status.NO_RULES
        return VerdictView(status, status_label(status), "", grade_label(None, ""), earned, "")
    status = STATUS_OF_STATE[evaluation.state]
    unmet = [r for r in evaluation.requirements if not r.met]
    return VerdictView(
        status=status,
        status_label=status_label(status),
        grade=evaluation.grade,
        grade_label=evaluation.grade_label,
        earned=evaluation.total_counted,
        ruleset_label=evaluation.ruleset_label,
        gaps=[r.gap_text() for r in unmet if r.binding],
        advisory_gaps=[r.gap_text() for r in unmet if not r.binding],
    )


def _requirement_label(rules: RuleSetData | None, code: str) -> str:
    found = rules.requirement(code) if rules is not None else None
    return str(found.label) if found is not None else code


def of_standings(
    standings: Iterable[Standing], index: RuleSetIndex | None = None
) -> dict[int, VerdictView]:
    """{person id: verdict} of stored standings, worded as their rule sets word them (one query
    for the rule sets)."""
    rows = list(standings)
    rules = rules_by_ref((s.ruleset for s in rows), index)
    out: dict[int, VerdictView] = {}
    for s in rows:
        data = rules.get(s.ruleset)
        gaps: list[str] = []
        advisory: list[str] = []
        for shortfall in s.shortfalls or []:
            text = shortfall_text(_requirement_label(data, shortfall["code"]), shortfall)
            (gaps if shortfall.get("binding", True) else advisory).append(text)
        out[s.person_id] = VerdictView(
            status=s.status,
            status_label=status_label(s.status),
            grade=s.grade,
            grade_label=grade_label(data, s.grade),
            earned=Decimal(s.earned),
            ruleset_label=data.label if data is not None else "",
            gaps=gaps,
            advisory_gaps=advisory,
        )
    return out
