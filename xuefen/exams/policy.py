"""The exams app's policy numbers, read from defaults.yaml (the office edits them there): what a
new exam session starts with, by exam type, and the check-in's guard against guessed codes."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULTS_FILE = Path(__file__).resolve().parent / "defaults.yaml"


@cache
def defaults() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class CheckInGuard:
    wrong_codes: int
    window_minutes: int


def checkin_guard() -> CheckInGuard:
    found = defaults()["check_in"]
    return CheckInGuard(int(found["wrong_codes"]), int(found["window_minutes"]))
