from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xuefen.core.actors import SYSTEM
from xuefen.orgs.models import OrgNode
from xuefen.policy.actions import PolicyError, import_ruleset
from xuefen.policy.schema import RuleSetError
from xuefen.policy.shipped import shipped_texts


class Command(BaseCommand):
    help = (
        "Loads the rule sets shipped in xuefen/policy/rulesets/ onto a region (default: the root "
        "of the org tree). One that is already loaded or overlaps another is reported, not loaded."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", help="code of the org node the rule sets apply to")
        parser.add_argument("names", nargs="*", help="file names without .yaml (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options.get("region")
        region = (
            OrgNode.objects.filter(code=code).first()
            if code
            else OrgNode.objects.filter(parent=None).order_by("id").first()
        )
        if region is None:
            raise CommandError(f"No org node {code!r}." if code else "The org tree is empty.")
        texts = shipped_texts()
        names = options.get("names") or list(texts)
        for name in names:
            if name not in texts:
                raise CommandError(f"No shipped rule set {name!r}; there are: {', '.join(texts)}")
            try:
                ruleset = import_ruleset(SYSTEM, texts[name], region)
            except (PolicyError, RuleSetError) as exc:
                self.stdout.write(f"{name}: not loaded: {exc}")
                continue
            self.stdout.write(f"{name}: loaded {ruleset.ref} onto {region.code}")
