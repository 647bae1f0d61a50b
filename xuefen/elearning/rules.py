"""The online learning rules of rules.yaml, read once (pure: no database)."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


@dataclass(frozen=True)
class LearningRule:
    max_rate: float
    slack_seconds: float
    interaction_interval_seconds: int
    daily_cap_minutes: int
    prompt_ahead_seconds: int = 60
    max_gap_seconds: int = 60
    lag_bank_seconds: int = 30
    source: str = ""


@dataclass(frozen=True)
class CourseRule:
    code: str
    label: str
    complete_share: Decimal
    needs_test: bool
    test_pass_mark: Decimal | None
    test_attempts: int | None = None
    source: str = ""


@dataclass(frozen=True)
class AnomalyRule:
    around_the_clock_hours: int
    identical_timing_people: int
    shared_device_people: int
    shared_address_people: int


@cache
def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return data


@cache
def learning() -> LearningRule:
    row = _raw()["learning"]
    return LearningRule(
        max_rate=float(row["max_rate"]),
        slack_seconds=float(row["slack_seconds"]),
        interaction_interval_seconds=int(row["interaction_interval_seconds"]),
        daily_cap_minutes=int(row["daily_cap_minutes"]),
        prompt_ahead_seconds=int(row.get("prompt_ahead_seconds", 60)),
        max_gap_seconds=int(row.get("max_gap_seconds", 60)),
        lag_bank_seconds=int(row.get("lag_bank_seconds", 30)),
        source=str(row.get("source", "")),
    )


@cache
def course_rules() -> dict[str, CourseRule]:
    found: dict[str, CourseRule] = {}
    for row in _raw()["courses"]:
        label = row.get("label", row["code"])
        mark = row.get("test_pass_mark")
        found[row["code"]] = CourseRule(
            code=row["code"],
            label=label.get("zh", row["code"]) if isinstance(label, dict) else str(label),
            complete_share=Decimal(str(row["complete_share"])),
            needs_test=bool(row.get("needs_test", False)),
            test_pass_mark=Decimal(str(mark)) if mark is not None else None,
            test_attempts=int(row["test_attempts"]) if row.get("test_attempts") else None,
            source=str(row.get("source", "")),
        )
    return found


@cache
def anomalies() -> AnomalyRule:
    row = _raw()["anomalies"]
    return AnomalyRule(**{key: int(row[key]) for key in AnomalyRule.__dataclass_fields__})
