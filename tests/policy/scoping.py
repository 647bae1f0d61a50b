"""URL cases for the project-wide scoping test: each points at an object of unit A."""

from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


def _ruleset_of_a(cast):
    # A rule set of unit A's own (another code than any the region may already have).
    text = shipped_texts()["cadre_township"].replace("code: cadre_township", "code: unit_a_rules")
    return {"pk": import_ruleset(cast.carol, text, cast.unit_a).pk}


CASES = {
    "policy:list": lambda cast: None,
    "policy:import": lambda cast: None,
    "policy:format": lambda cast: None,
    "policy:detail": _ruleset_of_a,
    "policy:export": _ruleset_of_a,
    "policy:try": _ruleset_of_a,
    "policy:edit": _ruleset_of_a,
}
