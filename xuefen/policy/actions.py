"""State changes of policy: saving a rule-set version (imported or edited in the form). It runs in
one transaction and writes its audit record; a refusal saves nothing. (Exemptions change standings,
so they are recorded by the ledger: `ledger.actions.record_exemption`.)"""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.orgs.models import OrgNode
from xuefen.policy.errors import Code
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import RuleSetData, load_yaml

A = AuditEvent.Action
FOREVER = dt.date.max


class PolicyError(CodedError):
    pass


def _require(actor: Actor, capability: str, node: OrgNode) -> None:
    """The actor must hold the capability on the node (the system, loading rule sets, may)."""
    if not scope.may(actor, capability, node):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not do this here."))


def effective_end(ruleset: RuleSet, siblings: Sequence[RuleSet]) -> dt.date:
    """Last day a version is in force: its own end, or the day before the next version of the same
    code on the same region starts."""
    end = ruleset.valid_to or FOREVER
    for other in siblings:
        same = other.code == ruleset.code and other.region_id == ruleset.region_id
        if same and other.valid_from > ruleset.valid_from:
            end = min(end, other.valid_from - dt.timedelta(days=1))
    return end


def find_overlap(region: OrgNode, data: RuleSetData) -> RuleSet | None:
    """The version already on `region` whose time in force overlaps the new one's for a shared
    personnel category; a new version of the same code must start after the latest one starts."""
    existing = list(RuleSet.objects.filter(region=region))
    start, end = data.valid_from, data.valid_to or FOREVER
    categories = set(data.personnel_categories)
    for other in existing:
        if other.code == data.code:
            if other.valid_from >= start:
                return other
            continue
        shared = not categories or not other.personnel_categories
        shared = shared or bool(categories & set(other.personnel_categories))
        if shared and other.valid_from <= end and start <= effective_end(other, existing):
            return other
    return None


@transaction.atomic
def import_ruleset(actor: Actor, yaml_text: str, region: OrgNode) -> RuleSet:
    """Saves a new rule-set version for `region`'s subtree. Never edits an existing version.

    Refused, with nothing saved, when the YAML is invalid (RuleSetError naming the place), when the
    version number is taken, when the YAML names other regions, or when its time in force overlaps
    another version for the same region × personnel category (the other is named).
    """
    _require(actor, Cap.POLICY_CHANGE, region)
    data = load_yaml(yaml_text)
    if RuleSet.objects.filter(code=data.code, version=data.version).exists():
        raise PolicyError(
            Code.VERSION_EXISTS,
            _("Rule set %(code)s already has version %(version)s; number the new one higher.")
            % {"code": data.code, "version": data.version},
            field="version",
        )
    if data.regions and region.code not in data.regions:
        raise PolicyError(
            Code.REGION_MISMATCH,
            _("The rule set applies to %(regions)s, not to %(region)s.")
            % {"regions": ", ".join(data.regions), "region": region.code},
            field="applies_to.regions",
        )
    other = find_overlap(region, data)
    if other is not None:
        raise PolicyError(
            Code.OVERLAPPING_VERSIONS,
            _(
                "Overlaps %(other)s (in force from %(from)s) for the same region and personnel "
                "category; a new version must start after it, or the other must end first."
            )
            % {"other": other.ref, "from": other.valid_from.isoformat()},
            field="valid_from",
        )
    ruleset = RuleSet.objects.create(
        code=data.code,
        name=data.name.zh,
        region=region,
        personnel_categories=list(data.personnel_categories),
        version=data.version,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        source=yaml_text,
        created_by=user_of(actor),
    )
    record(
        actor,
        A.IMPORT,
        ruleset,
        changes={
            "code": [None, data.code],
            "version": [None, data.version],
            "valid_from": [None, data.valid_from.isoformat()],
            "region": [None, region.code],
        },
        node_path=region.path,
    )
    return ruleset
