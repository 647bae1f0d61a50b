"""Whether a learner completed a class, by the class's completion rule (pure: no database).

The rule is data: shares of the class's hours as fractions ("1/7", compared exactly: leave of
exactly 1/7 passes), an optional test mark. The shipped rules are in rules.yaml; a class keeps its
own copy. The outcome is a list of reasons (code and figures), worded only when shown, so the same
outcome reads in Chinese on the page and in English for an English reader."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from xuefen.policy.engine import fmt
from xuefen.training.errors import Code, TrainingError

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


def parse_share(text: str, field_name: str = "share") -> Fraction | None:
    """ "1/7" or "0.8" (or "") as an exact fraction between 0 and 1; TrainingError otherwise."""
    text = (text or "").strip().replace("／", "/")
    if not text:
        return None
    try:
        if "/" in text:
            top, bottom = text.split("/", 1)
            value = Fraction(int(top), int(bottom))
        else:
            value = Fraction(Decimal(text))
    except (ValueError, ZeroDivisionError, InvalidOperation):
        value = Fraction(-1)
    if not 0 < value <= 1:
        raise TrainingError(
            Code.RULE_INVALID,
            _(
                "A share must be a fraction such as 1/7 or a decimal such as 0.8, above 0 and "
                "at most 1."
            ),
            field=field_name,
        )
    return value


def share_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else "1"


@dataclass(frozen=True)
class CompletionRule:
    code: str
    label: str
    full_time: bool
    attendance_min: str
    leave_max: str = ""
    test_pass_mark: Decimal | None = None
    source: str = ""


@cache
def shipped() -> dict[str, CompletionRule]:
    """The completion rules of rules.yaml, by code, each share checked."""
    rows: list[dict[str, Any]] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    found: dict[str, CompletionRule] = {}
    for row in rows:
        label = row.get("label", row["code"])
        rule = CompletionRule(
            code=row["code"],
            label=label.get("zh", row["code"]) if isinstance(label, dict) else str(label),
            full_time=bool(row.get("full_time", False)),
            attendance_min=str(row["attendance_min"]),
            leave_max=str(row.get("leave_max") or ""),
            test_pass_mark=(
                Decimal(str(row["test_pass_mark"]))
                if row.get("test_pass_mark") is not None
                else None
            ),
            source=" ".join(str(row.get("source", "")).split()),
        )
        parse_share(rule.attendance_min)
        parse_share(rule.leave_max)
        found[rule.code] = rule
    return found


@dataclass(frozen=True)
class Reason:
    """Why a learner did not complete (or was not credited), as a code with its figures."""

    code: str
    figures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "figures": self.figures}

    @classmethod
    def of(cls, data: dict[str, Any]) -> "Reason":
        return cls(str(data.get("code", "")), dict(data.get("figures", {})))

    def text(self) -> str:
        f = self.figures
        if self.code == "leave_over":
            return (
                _(
                    "Leave of %(leave)s hours is more than %(share)s of the class's hours "
                    "(%(limit)s hours): withdrawn from the class."
                )
                % f
            )
        if self.code == "attendance_short":
            return (
                _(
                    "Present for %(present)s hours, less than %(share)s of the class's hours "
                    "(%(limit)s hours)."
                )
                % f
            )
        if self.code == "test_missing":
            return _("Did not sit the final test (pass mark %(mark)s).") % f
        if self.code == "test_failed":
            return _("Final test %(score)s, below the pass mark %(mark)s.") % f
        if self.code == "credit_refused":
            return _("Completed, but the credit was not recorded: %(message)s") % f
        return self.code


def _hours(value: Fraction) -> str:
    return fmt(Decimal(value.numerator) / Decimal(value.denominator))


def judge(
    *,
    total_hours: Decimal,
    present_hours: Decimal,
    leave_hours: Decimal,
    test_score: Decimal | None,
    attendance_min: str,
    leave_max: str = "",
    test_pass_mark: Decimal | None = None,
) -> list[Reason]:
    """The reasons a learner did not complete the class; none: completed. Exact arithmetic: leave
    of 12 hours in an 84-hour class with a 1/7 limit passes, 12.5 does not."""
    total = Fraction(total_hours)
    reasons: list[Reason] = []
    leave_share = parse_share(leave_max, "leave_max")
    if leave_share is not None and Fraction(leave_hours) > total * leave_share:
        reasons.append(
            Reason(
                "leave_over",
                {
                    "leave": fmt(leave_hours),
                    "share": share_text(leave_share),
                    "limit": _hours(total * leave_share),
                    "total": fmt(total_hours),
                },
            )
        )
    attendance = parse_share(attendance_min, "attendance_min")
    if attendance is not None and Fraction(present_hours) < total * attendance:
        reasons.append(
            Reason(
                "attendance_short",
                {
                    "present": fmt(present_hours),
                    "share": share_text(attendance),
                    "limit": _hours(total * attendance),
                    "total": fmt(total_hours),
                },
            )
        )
    if test_pass_mark is not None:
        if test_score is None:
            reasons.append(Reason("test_missing", {"mark": fmt(test_pass_mark)}))
        elif test_score < test_pass_mark:
            reasons.append(
                Reason("test_failed", {"score": fmt(test_score), "mark": fmt(test_pass_mark)})
            )
    return reasons
