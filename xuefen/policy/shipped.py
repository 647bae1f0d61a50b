"""The rule sets shipped with Xuefen (`xuefen/policy/rulesets/*.yaml`), from the "Real numbers"
of shared/DOMAIN.md."""

from pathlib import Path

from xuefen.policy.schema import RuleSetData, load_yaml

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"
# Loaded first onto one region, so the general rules win there; the others (which overlap them) are
# meant for a deeper region, e.g. accounting for a finance bureau.
GENERAL = ("professional_national", "cadre_township", "cadre_county")


def shipped_texts() -> dict[str, str]:
    """{file stem: YAML text} of every shipped rule set, the general ones first, then by name."""
    paths = sorted(RULESET_DIR.glob("*.yaml"), key=lambda p: (p.stem not in GENERAL, p.stem))
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


def shipped(name: str) -> RuleSetData:
    """One shipped rule set, parsed and validated (e.g. shipped("cadre_nanjing"))."""
    return load_yaml((RULESET_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
