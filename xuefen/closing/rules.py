"""The public notice's policy (rules.yaml): how many days it stands, whether it lists approved
claims, and the document that says so. Read once."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


@dataclass(frozen=True)
class NoticeRules:
    days: int
    include_claims: bool
    source: str


@cache
def notice_rules() -> NoticeRules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["notice"]
    days = int(data["days"])
    if days < 1:
        raise ValueError(f"{RULES_FILE}: notice.days must be at least 1")
    return NoticeRules(days, bool(data.get("include_claims", False)), str(data.get("source", "")))
