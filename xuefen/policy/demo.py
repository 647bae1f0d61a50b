"""Demo rule sets for the county 清河县 (QH), valid from 2024-01-01: the national 专技 rules and the
cadre rules for the whole county, and the accounting rules for the finance bureau (CZJ), whose
专技 staff the deeper region's rule set judges instead. Nanjing's table and Suqian's conversions
are shipped too but left out here: they would overlap the county's cadre and 专技 rule sets."""

from collections.abc import Callable

from xuefen.core.actors import SYSTEM
from xuefen.orgs.models import OrgNode
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

PLAN = [
    ("professional_national", "QH"),
    ("cadre_township", "QH"),
    ("cadre_county", "QH"),
    ("accounting", "CZJ"),
]


def load(write: Callable[[str], object]) -> None:
    texts = shipped_texts()
    for name, code in PLAN:
        region = OrgNode.objects.filter(code=code).first()
        if region is None:
            continue
        ruleset = import_ruleset(SYSTEM, texts[name], region)
        write(f"policy: {ruleset.ref} on {region.code}")
