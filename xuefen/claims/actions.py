"""State changes of claims: each a function, actor first, in one transaction, writing its audit
record. Views, the demo and tests all call these; none changes claim rows directly."""

import datetime as dt
import math
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import SELF_CAPABILITIES
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.claims import files, flags, pricing, typedata
from xuefen.claims.errors import ClaimError, Code, TransitionError
from xuefen.claims.models import (
    Claim,
    ClaimType,
    Comment,
    Evidence,
    Flag,
    ReportingPeriod,
    SpotCheck,
    SpotCheckDraw,
    Status,
    StatusChange,
)
from xuefen.claims.workflow import EDITABLE, Step, Transition, transition
from xuefen.closing.guard import require_open
from xuefen.core.actors import SYSTEM, Actor, person_acting, user_of
from xuefen.core.errors import CodedError
from xuefen.ledger import spans
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.ledger.models import Entry
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex, ruleset_for

SOURCE_TYPE = "claim"
STEP_AUDIT = {
    Step.SUBMIT: AuditEvent.Action.SUBMIT,
    Step.CHECK: AuditEvent.Action.APPROVE,
    Step.APPROVE: AuditEvent.Action.APPROVE,
    Step.RETURN: AuditEvent.Action.RETURN,
    Step.REJECT: AuditEvent.Action.REJECT,
    Step.REVOKE: AuditEvent.Action.REVERSE,
}


def may(actor: Actor, capability: str, person: Person) -> bool:
    """The actor holds `capability` on the person's unit (a learner: self-capabilities for self)."""
    if capability in SELF_CAPABILITIES and getattr(actor, "person_id", None) == person.pk:
        return True
    return scope.may(actor, capability, person.unit)


def can_take(actor: Actor, move: Transition, claim: Claim) -> bool:
    """The actor holds a capability the transition asks for on the claim's person."""
    return may(actor, move.capability, claim.person) or (
        bool(move.also) and may(actor, move.also, claim.person)
    )


def _audit(actor: Actor, action: str, claim: Claim, changes: dict[str, Any]) -> None:
    record(
        actor,
        action,
        claim,
        person_id=claim.person_id,
        node_path=claim.person.unit.path,
        object_repr=f"{claim.claim_type.name_zh} #{claim.pk} {claim.title}",
        changes=changes,
    )


def _require_submitter(actor: Actor, claim: Claim) -> None:
    if not may(actor, Cap.CLAIMS_SUBMIT, claim.person):
        raise TransitionError(Code.NOT_ALLOWED, _("You may not change this claim."))


def _require_editable(claim: Claim) -> None:
    if claim.status not in EDITABLE:
        raise TransitionError(
            Code.NOT_EDITABLE,
            _("Only a draft or a returned claim can be changed (this one is “%(s)s”).")
            % {"s": claim.get_status_display()},
        )


# ------------------------------------------------------------------------------ writing claims


def _check_dates(person: Person, start: dt.date, end: dt.date) -> int:
    """The claim's period: where its end date falls by the person's calendar. Refuses an end
    before the start, an end still ahead, and an activity across two periods (`ledger.spans`)."""
    if end < start:
        raise ClaimError(
            Code.DATES_ORDER, _("The end date is before the start date."), field="end_date"
        )
    if end > timezone.localdate():
        raise ClaimError(
            Code.DATE_FUTURE, _("A claim is for an activity already done."), field="end_date"
        )
    index = RuleSetIndex.for_paths([person.unit.path])
    try:
        return spans.check_period(
            lambda day: index.period_of(person.unit.path, person.category, day), start, end
        )
    except spans.SpanError as error:
        raise ClaimError(error.code, error.message, field="start_date") from None


def _check_days(ctype: ClaimType, data: Mapping[str, Any], start: dt.date, end: dt.date) -> None:
    """Where the claimant gives the days the activity took (a type whose days field names one of
    its fields): as every way in checks them (`ledger.spans`), named on that field."""
    name = ctype.days_field
    if not name or name == "@days":
        return
    if data.get(name) in (None, ""):
        raise ClaimError(Code.DAYS_MISSING, _("Give the days the activity took."), field=name)
    try:
        spans.check_days(data.get(name), start, end)
    except spans.SpanError as error:
        raise ClaimError(error.code, error.message, field=name) from None


def _clean_data(ctype: ClaimType, data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in ctype.fields:
        value = data.get(spec["name"])
        if value in (None, ""):
            if spec.get("required"):
                raise ClaimError(
                    Code.FIELD_REQUIRED,
                    _("“%(f)s” is required.") % {"f": ctype.field_label(spec["name"])},
                    field=spec["name"],
                )
            continue
        out[spec["name"]] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return out


@transaction.atomic
def create_claim(
    actor: Actor,
    person: Person,
    claim_type: ClaimType,
    *,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    data: Mapping[str, Any],
    uploads: Mapping[str, Sequence[Any]] | None = None,
    submit: bool = False,
) -> Claim:
    """A draft claim for `person` (the actor themself, or one of their people), with its evidence
    files; submitted at once if `submit`. Nothing is saved if any file is refused."""
    if not may(actor, Cap.CLAIMS_SUBMIT, person):
        raise TransitionError(Code.NOT_ALLOWED, _("You may not claim for this person."))
    if not claim_type.is_active:
        raise ClaimError(
            Code.TYPE_INACTIVE, _("This claim type is not in use."), field="claim_type"
        )
    period = _check_dates(person, start_date, end_date)
    cleaned = _clean_data(claim_type, data)
    _check_days(claim_type, cleaned, start_date, end_date)
    claim = Claim.objects.create(
        person=person,
        claim_type=claim_type,
        period=period,
        title=title.strip()[:200],
        data=cleaned,
        start_date=start_date,
        end_date=end_date,
        submitted_by=person_acting(actor),
    )
    claim.artefact_key = pricing.artefact_key(claim)
    claim.save(update_fields=["artefact_key"])
    StatusChange.objects.create(
        claim=claim, to_status=Status.DRAFT, step="create", actor=user_of(actor)
    )
    _audit(actor, AuditEvent.Action.CREATE, claim, {"type": claim_type.code, "title": title})
    kept: list[str] = []
    try:
        for requirement, items in (uploads or {}).items():
            for upload in items:
                kept.append(add_evidence(actor, claim, requirement, upload).stored_name)
    except Exception:
        for name in kept:  # the rows roll back with the transaction; the files go with them
            files.discard(name)
        raise
    if submit:
        claim = submit_claim(actor, claim)
    return claim


@transaction.atomic
def update_claim(
    actor: Actor,
    claim: Claim,
    *,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    data: Mapping[str, Any],
) -> Claim:
    """Changes a draft or returned claim (by whoever may claim for its person)."""
    claim = _locked(claim)
    _require_submitter(actor, claim)
    _require_editable(claim)
    period = _check_dates(claim.person, start_date, end_date)
    cleaned = _clean_data(claim.claim_type, data)
    _check_days(claim.claim_type, cleaned, start_date, end_date)
    before = {
        "title": claim.title,
        "data": claim.data,
        "start": str(claim.start_date),
        "end": str(claim.end_date),
    }
    claim.title = title.strip()[:200]
    claim.start_date, claim.end_date = start_date, end_date
    claim.period = period
    claim.data = cleaned
    claim.artefact_key = pricing.artefact_key(claim)
    claim.save()
    after = {
        "title": claim.title,
        "data": claim.data,
        "start": str(claim.start_date),
        "end": str(claim.end_date),
    }
    _audit(actor, AuditEvent.Action.UPDATE, claim, {"before": before, "after": after})
    return claim


@transaction.atomic
def add_evidence(actor: Actor, claim: Claim, requirement: str, upload: Any) -> Evidence:
    """Stores one evidence file for a draft or returned claim; refused (nothing kept) if the
    content is not a PDF, JPEG or PNG of the kinds the requirement allows, or is too large."""
    claim = _locked(claim)
    _require_submitter(actor, claim)
    _require_editable(claim)
    spec = next((e for e in claim.claim_type.evidence if e["code"] == requirement), None)
    if spec is None:
        raise ClaimError(Code.EVIDENCE_UNKNOWN, _("This claim type asks for no such evidence."))
    stored = files.store(upload, spec.get("kinds") or [])
    try:
        evidence = Evidence.objects.create(
            claim=claim,
            requirement=requirement,
            kind=stored.detected.kind,
            content_type=stored.detected.content_type,
            original_name=stored.original_name,
            stored_name=stored.stored_name,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by=person_acting(actor),
        )
    except Exception:
        files.discard(stored.stored_name)
        raise
    record(
        actor,
        AuditEvent.Action.CREATE,
        evidence,
        person_id=claim.person_id,
        node_path=claim.person.unit.path,
        object_repr=f"#{claim.pk} {stored.original_name}",
        changes={"claim": claim.pk, "size": stored.size, "sha256": stored.sha256},
    )
    return evidence


@transaction.atomic
def remove_evidence(actor: Actor, evidence: Evidence) -> None:
    claim = _locked(evidence.claim)
    _require_submitter(actor, claim)
    _require_editable(claim)
    name = evidence.stored_name
    record(
        actor,
        AuditEvent.Action.DELETE,
        evidence,
        person_id=claim.person_id,
        node_path=claim.person.unit.path,
        object_repr=f"#{claim.pk} {evidence.original_name}",
        changes={"claim": claim.pk, "sha256": evidence.sha256},
    )
    evidence.delete()
    transaction.on_commit(lambda: files.discard(name))


# ------------------------------------------------------------------------------- the workflow


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update()
        .select_related("person__unit", "claim_type")
        .get(pk=claim.pk)
    )


def _step(actor: Actor, claim: Claim, step: str, reason: str = "") -> tuple[Claim, str]:
    """Moves the (locked, re-read) claim by `step`; refuses what the table or the rules forbid."""
    claim = _locked(claim)
    move = transition(claim.status, step)
    allowed = can_take(actor, move, claim)
    if step == Step.SUBMIT:
        allowed = allowed or claim.submitted_by_id == getattr(actor, "pk", None)
    if not allowed:
        raise TransitionError(Code.NOT_ALLOWED, _("You may not take this step on this claim."))
    if move.reviewer and (
        getattr(actor, "person_id", None) == claim.person_id
        or claim.submitted_by_id == getattr(actor, "pk", None)
    ):
        raise TransitionError(
            Code.OWN_CLAIM,
            _("Nobody may check or approve a claim they submitted or that is theirs."),
        )
    if step == Step.APPROVE and _checked_by(claim) == getattr(actor, "pk", None):
        raise TransitionError(
            Code.SAME_REVIEWER, _("The claim must be approved by someone other than its checker.")
        )
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise TransitionError(Code.REASON_MISSING, _("Say why."), field="reason")
    before = claim.status
    claim.status = move.target
    return claim, before


def _checked_by(claim: Claim) -> int | None:
    last = claim.history.filter(step=Step.CHECK).order_by("-at", "-id").first()
    return last.actor_id if last is not None else None


def _finish(actor: Actor, claim: Claim, step: str, before: str, reason: str, **extra: Any) -> None:
    StatusChange.objects.create(
        claim=claim,
        from_status=before,
        to_status=claim.status,
        step=step,
        actor=user_of(actor),
        reason=reason[:500],
    )
    _audit(
        actor,
        STEP_AUDIT[step],
        claim,
        {"status": [before, claim.status], "step": step, "reason": reason, **extra},
    )


@transaction.atomic
def submit_claim(actor: Actor, claim: Claim) -> Claim:
    """Sends a draft or returned claim to the unit check, marks it late if past the reporting
    period's deadline (accepted all the same) and recomputes its flags."""
    claim, before = _step(actor, claim, Step.SUBMIT)
    now = timezone.now()
    reporting = ReportingPeriod.objects.filter(period=claim.period).first()
    if claim.submitted_at is None:
        claim.submitted_at = now
        claim.is_late = reporting is not None and timezone.localdate(now) > reporting.deadline
    rules = ruleset_for(claim.person, claim.period)
    price = pricing.price(claim, rules)
    claim.amount, claim.unit = price.amount, price.unit
    claim.categories, claim.conversion_note = list(price.categories), price.note[:300]
    claim.save()
    found = refresh_flags(claim, rules, price, reporting)
    _finish(actor, claim, Step.SUBMIT, before, "", flags=[code for code, _r in found])
    return claim


def refresh_flags(
    claim: Claim,
    rules: Any,
    price: pricing.Pricing,
    reporting: ReportingPeriod | None,
) -> list[flags.Found]:
    deadline = date_format(reporting.deadline, "Y-m-d") if reporting else ""
    found = [
        *flags.evidence_missing(claim),
        *flags.late(claim, deadline),
        *flags.unscoped_duplicates(claim),
        *flags.time_conflicts(claim, rules),
        *flags.caps(claim, rules, price),
        *([] if claim.claim_type.manual_amount else flags.no_rule(claim, price)),
    ]
    Flag.objects.filter(claim=claim).delete()
    Flag.objects.bulk_create(
        [Flag(claim=claim, code=code, reason=str(reason)[:400]) for code, reason in found]
    )
    return found


@transaction.atomic
def check_claim(actor: Actor, claim: Claim, note: str = "") -> Claim:
    """The unit's check (for study notes, its sign-off 签阅): passes the claim to the office."""
    claim, before = _step(actor, claim, Step.CHECK, note)
    claim.save(update_fields=["status"])
    signoff = claim.claim_type.needs_signoff
    _finish(actor, claim, Step.CHECK, before, note, signed_off=signoff)
    return claim


@transaction.atomic
def return_claim(actor: Actor, claim: Claim, reason: str) -> Claim:
    """Back to the claimant for revision, with the reason; they edit and submit again."""
    claim, before = _step(actor, claim, Step.RETURN, reason)
    claim.save(update_fields=["status"])
    _finish(actor, claim, Step.RETURN, before, reason)
    return claim


@transaction.atomic
def reject_claim(actor: Actor, claim: Claim, reason: str) -> Claim:
    claim, before = _step(actor, claim, Step.REJECT, reason)
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "decided_at"])
    _finish(actor, claim, Step.REJECT, before, reason)
    return claim


def _manual_amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ClaimError(
            Code.AMOUNT_INVALID, _("The amount is not a number."), field="amount"
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ClaimError(Code.AMOUNT_INVALID, _("The amount must be above zero."), field="amount")
    return amount


@transaction.atomic
def approve_claim(actor: Actor, claim: Claim, amount: Any = None) -> list[Entry]:
    """The office's approval: posts the claim's credit to the ledger (one entry, or one per year
    of a split, source "claim:<id>[:<year>]") with the claim as evidence and the actor as approver.

    Only from "checked by the unit", never by the claim's person or submitter; a second approval
    is a TransitionError and posts nothing. `amount` is required when no rule prices the claim.
    """
    claim, before = _step(actor, claim, Step.APPROVE)
    require_open(claim.person, claim.period)  # a closed year takes it only with late approval
    rules = ruleset_for(claim.person, claim.period)
    price = pricing.price(claim, rules, _manual_amount(amount))
    if price.amount is None:
        raise ClaimError(
            Code.AMOUNT_NEEDED,
            _("No rule prices this claim: enter the amount to credit."),
            field="amount",
        )
    parts = [p for p in price.parts if p.amount != 0]
    if not parts:
        raise ClaimError(
            Code.AMOUNT_ZERO, _("By the rules this claim earns nothing."), field="amount"
        )
    ctype = claim.claim_type
    evidence = f"{SOURCE_TYPE}:{claim.pk} {reverse('claims:detail', args=[claim.pk])}"
    entries = [
        post_entry(
            actor,
            claim.person,
            first_day=part.first_day,
            last_day=part.last_day,
            days=part.days,
            categories=list(price.categories),
            amount=part.amount,
            unit=price.unit,
            source_type=SOURCE_TYPE,
            source_id=f"{claim.pk}{part.suffix}",
            kind=ctype.conversion_kind or ctype.code,
            artefact_key=(claim.artefact_key or f"{SOURCE_TYPE}:{claim.pk}") + part.suffix,
            artefact_exclusive=bool(claim.artefact_key) and ctype.single_author,
            description=f"{ctype.name_zh}：{claim.title}",
            evidence=evidence,
            approved_by=user_of(actor),
            later_share=part.later,
        )
        for part in parts
    ]
    claim.amount, claim.unit = price.amount, price.unit
    claim.categories, claim.conversion_note = list(price.categories), price.note[:300]
    claim.decided_at = timezone.now()
    claim.save()
    _finish(
        actor,
        claim,
        Step.APPROVE,
        before,
        "",
        amount=str(price.amount),
        unit=price.unit,
        entries=[e.pk for e in entries],
    )
    return entries


@dataclass
class BatchOutcome:
    approved: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # claim id -> why


def approve_many(actor: Actor, claims: Iterable[Claim]) -> BatchOutcome:
    """Approves each claim on its own (its own transaction): a claim that fails is listed with the
    reason and the rest go through."""
    outcome = BatchOutcome()
    for claim in claims:
        try:
            approve_claim(actor, claim)
        except CodedError as error:  # a claim or ledger refusal; nothing of this claim is kept
            outcome.failed[claim.pk] = str(error.message)
        else:
            outcome.approved.append(claim.pk)
    return outcome


# ------------------------------------------------------------------------------ spot checks


@transaction.atomic
def draw_spot_checks(
    actor: Actor, reporting: ReportingPeriod, population: Sequence[Claim], seed: int | None = None
) -> SpotCheckDraw:
    """Draws ⌈share × N⌉ of the credited claims of the period not drawn before, at random, for
    re-audit. The seed and the ids drawn go into the audit trail, so the draw can be repeated."""
    if not scope.may(actor, Cap.CREDITS_APPROVE):
        raise TransitionError(Code.NOT_ALLOWED, _("Only the credit office draws spot checks."))
    pool = sorted(
        (c for c in population if c.status == Status.CREDITED and c.period == reporting.period),
        key=lambda c: c.pk,
    )
    pool = [c for c in pool if not SpotCheck.objects.filter(claim=c).exists()]
    size = min(len(pool), math.ceil(Decimal(len(pool)) * reporting.spot_check_share))
    seed = secrets.randbits(48) if seed is None else seed
    chosen = sorted(random.Random(seed).sample(pool, size), key=lambda c: c.pk)
    draw = SpotCheckDraw.objects.create(
        reporting_period=reporting,
        seed=seed,
        share=reporting.spot_check_share,
        population=len(pool),
        drawn=size,
        drawn_by=person_acting(actor),
    )
    SpotCheck.objects.bulk_create([SpotCheck(draw=draw, claim=c) for c in chosen])
    record(
        actor,
        AuditEvent.Action.CREATE,
        draw,
        object_repr=f"{reporting.name}: {size}/{len(pool)}",
        changes={
            "seed": seed,
            "share": str(reporting.spot_check_share),
            "population": [c.pk for c in pool],
            "drawn": [c.pk for c in chosen],
        },
        node_path=_common_path(chosen),
    )
    return draw


def _common_path(claims: Sequence[Claim]) -> str:
    paths = [c.person.unit.path for c in claims]
    if not paths:
        return ""
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return prefix


def _decide_spot(actor: Actor, spot: SpotCheck) -> SpotCheck:
    spot = (
        SpotCheck.objects.select_for_update().select_related("claim__person__unit").get(pk=spot.pk)
    )
    if spot.outcome != SpotCheck.Outcome.PENDING:
        raise TransitionError(Code.SPOT_DECIDED, _("This spot check is already decided."))
    if not may(actor, Cap.CREDITS_APPROVE, spot.claim.person):
        raise TransitionError(Code.NOT_ALLOWED, _("You may not re-audit this claim."))
    return spot


@transaction.atomic
def confirm_spot_check(actor: Actor, spot: SpotCheck, note: str = "") -> SpotCheck:
    spot = _decide_spot(actor, spot)
    spot.outcome, spot.reason = SpotCheck.Outcome.CONFIRMED, note.strip()[:500]
    spot.decided_by, spot.decided_at = user_of(actor), timezone.now()
    spot.save()
    _audit(actor, AuditEvent.Action.APPROVE, spot.claim, {"spot_check": "confirmed", "note": note})
    return spot


@transaction.atomic
def reverse_spot_check(actor: Actor, spot: SpotCheck, reason: str) -> SpotCheck:
    """The re-audit found the credit unfounded: every entry of the claim is reversed (with the
    reason) and the claim is revoked."""
    spot = _decide_spot(actor, spot)
    claim, before = _step(actor, spot.claim, Step.REVOKE, reason)
    entries = Entry.objects.filter(
        Q(source_id=str(claim.pk)) | Q(source_id__startswith=f"{claim.pk}:"),
        person_id=claim.person_id,
        source_type=SOURCE_TYPE,
        reversals__isnull=True,
    )
    reversed_ids = [reverse_entry(actor, entry, reason).pk for entry in entries]
    claim.save(update_fields=["status"])
    _finish(actor, claim, Step.REVOKE, before, reason, reversals=reversed_ids)
    spot.outcome, spot.reason = SpotCheck.Outcome.REVERSED, reason.strip()[:500]
    spot.decided_by, spot.decided_at = user_of(actor), timezone.now()
    spot.save()
    return spot


# ------------------------------------------------------------------ claim types and periods


@transaction.atomic
def load_default_types(actor: Actor = SYSTEM) -> int:
    """Adds the shipped claim types whose code is not in the database yet; never overwrites the
    office's edits. Returns how many were added."""
    added = 0
    for spec in typedata.default_types():
        _obj, created = ClaimType.objects.get_or_create(code=spec["code"], defaults=spec)
        added += created
    if added:
        record(
            actor,
            AuditEvent.Action.IMPORT,
            object_type="claims.claimtype",
            changes={"added": added},
        )
    return added


@transaction.atomic
def save_claim_type(actor: Actor, ctype: ClaimType, values: Mapping[str, Any]) -> ClaimType:
    """Creates or changes a claim type (the office's policy); the fields it names must exist."""
    if not scope.may(actor, Cap.POLICY_CHANGE):
        raise TransitionError(Code.NOT_ALLOWED, _("Only the credit office changes claim types."))
    typedata.check_references(dict(values))
    creating = ctype.pk is None
    before = {} if creating else {k: getattr(ctype, k) for k in values}
    for key, value in values.items():
        setattr(ctype, key, value)
    ctype.save()
    after = {k: getattr(ctype, k) for k in values}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    record(
        actor,
        AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        ctype,
        changes=changes,
    )
    return ctype


@transaction.atomic
def save_period(
    actor: Actor, reporting: ReportingPeriod, values: Mapping[str, Any]
) -> ReportingPeriod:
    if not scope.may(actor, Cap.POLICY_CHANGE):
        raise TransitionError(Code.NOT_ALLOWED, _("Only the credit office sets reporting periods."))
    creating = reporting.pk is None
    before = {} if creating else {k: str(getattr(reporting, k)) for k in values}
    for key, value in values.items():
        setattr(reporting, key, value)
    reporting.save()
    after = {k: str(getattr(reporting, k)) for k in values}
    record(
        actor,
        AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        reporting,
        changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
    )
    return reporting


# The learner answers in the thread of a claim in these states (reviewers may reply in any).
ANSWERABLE = (Status.RETURNED, Status.REJECTED)


@transaction.atomic
def comment_on_claim(actor: Any, claim: Claim, text: str) -> Comment:
    """Adds a comment to the claim's thread: by the claim's person or submitter while it is
    returned or rejected, or by whoever may check or approve it."""
    text = text.strip()
    if not text:
        raise ClaimError(Code.COMMENT_EMPTY, _("Write a comment first."), field="text")
    own = getattr(actor, "person_id", None) == claim.person_id or actor.pk == claim.submitted_by_id
    reviewer = may(actor, Cap.CREDITS_CHECK, claim.person) or may(
        actor, Cap.CREDITS_APPROVE, claim.person
    )
    if not reviewer and not (own and claim.status in ANSWERABLE):
        raise ClaimError(
            Code.COMMENT_NOT_ALLOWED, _("Comments are open on returned and rejected claims.")
        )
    comment = Comment.objects.create(claim=claim, author=actor, text=text[:2000])
    _audit(actor, AuditEvent.Action.CREATE, claim, {"comment": [None, text[:200]]})
    return comment
