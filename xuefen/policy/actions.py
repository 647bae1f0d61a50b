"""State changes of policy: importing a rule-set version and recording an exemption. Each runs in
one transaction and writes its audit record; a refusal saves nothing."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.models import Exemption, RuleSet
from xuefen.policy.schema import RuleSetData, load_yaml

A = AuditEvent.Action
FOREVER = dt.date.max


class PolicyError(CodedError):
    pass


def _require(actor: Any, capability: str, node: OrgNode) -> None:
    """A user must hold the capability on the node; None (the CLI, demo data) is the system."""
    if actor is not None and not has_capability(actor, capability, node):
        raise PermissionDenied("forbidden", _("You may not do this here."))


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
def import_ruleset(actor: Any, yaml_text: str, region: OrgNode) -> RuleSet:
    """Saves a new rule-set version for `region`'s subtree. Never edits an existing version.

    Refused, with nothing saved, when the YAML is invalid (RuleSetError naming the place), when the
    version number is taken, when the YAML names other regions, or when its time in force overlaps
    another version for the same region × personnel category (the other is named).
    """
    _require(actor, Cap.POLICY_CHANGE, region)
    data = load_yaml(yaml_text)
    if RuleSet.objects.filter(code=data.code, version=data.version).exists():
        raise PolicyError(
            "version_exists",
            _("Rule set %(code)s already has version %(version)s; number the new one higher.")
            % {"code": data.code, "version": data.version},
            field="version",
        )
    if data.regions and region.code not in data.regions:
        raise PolicyError(
            "region_mismatch",
            _("The rule set applies to %(regions)s, not to %(region)s.")
            % {"regions": ", ".join(data.regions), "region": region.code},
            field="applies_to.regions",
        )
    other = find_overlap(region, data)
    if other is not None:
        raise PolicyError(
            "overlapping_versions",
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
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
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


def _refresh_standing(person: Person, period: int) -> None:
    """An exemption changes the person's standing for the period; the ledger keeps standings."""
    try:
        from xuefen.ledger.actions import refresh_standing
    except ImportError:  # the ledger app has not landed yet
        return
    refresh_standing(person, period)


@transaction.atomic
def record_exemption(
    actor: Any,
    person: Person,
    *,
    period: int,
    kind: str,
    reason: str,
    months: int | None = None,
    ratio: Decimal | None = None,
) -> Exemption:
    """Records that `person` is held to less for `period` (months of it or a share waived), with the
    reason, and refreshes their standing for that period."""
    _require(actor, Cap.PEOPLE_CHANGE, person.unit)
    if kind not in Exemption.Kind.values:
        raise PolicyError("bad_kind", _("Unknown kind of exemption."), field="kind")
    if not reason.strip():
        raise PolicyError("reason_required", _("Give the reason."), field="reason")
    if (months is None) == (ratio is None):
        raise PolicyError(
            "months_or_ratio", _("Give either the months or the share waived."), field="months"
        )
    if months is not None and not 0 < months <= 12:
        raise PolicyError("bad_months", _("Months must be 1 to 12."), field="months")
    if ratio is not None and not 0 < ratio <= 1:
        raise PolicyError(
            "bad_ratio", _("The share waived must be above 0 and at most 1."), field="ratio"
        )
    exemption = Exemption.objects.create(
        person=person,
        period=period,
        kind=kind,
        months=months,
        ratio=ratio,
        reason=reason.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor,
        A.CREATE,
        exemption,
        changes={
            "period": [None, period],
            "kind": [None, kind],
            "months": [None, months],
            "ratio": [None, None if ratio is None else str(ratio)],
            "reason": [None, exemption.reason],
        },
        node_path=person.unit.path,
        person_id=person.pk,
    )
    _refresh_standing(person, period)
    return exemption
