"""The rule sets shipped with Xuefen (`xuefen/policy/rulesets/*.yaml`), from the "Real numbers"
of shared/DOMAIN.md."""

from pathlib import Path

from xuefen.policy.schema import RuleSetData, load_yaml

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


def shipped_texts() -> dict[str, str]:
    """{file stem: YAML text} of every shipped rule set, in name order."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(RULESET_DIR.glob("*.yaml"))}


def shipped(name: str) -> RuleSetData:
    """One shipped rule set, parsed and validated (e.g. shipped("cadre_nanjing"))."""
    return load_yaml((RULESET_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
