"""Roles and what each may do. A role is granted on an org node and is valid for its whole subtree.

Capabilities are the only thing views and actions ask about; the table below is the one place that
says which role has which. The system administrator keeps accounts and settings and never approves
credits (separation of duties).
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    PROVIDER = "provider", _("Industry department / provider")
    OFFICE = "office", _("Credit office")
    TEACHER = "teacher", _("Teacher")
    AUDITOR = "auditor", _("Supervisor / auditor")
    SYSADMIN = "sysadmin", _("System administrator")


class Cap:
    """Capability names. Strings, so that later apps can add their own without touching this."""

    ORGS_VIEW = "orgs.view"
    ORGS_CHANGE = "orgs.change"
    PEOPLE_VIEW = "people.view"
    PEOPLE_CHANGE = "people.change"
    PEOPLE_IMPORT = "people.import"
    PEOPLE_VIEW_ID = "people.view_id_number"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    CREDITS_VIEW = "credits.view"
    CREDITS_CHECK = "credits.check"  # unit check of claims
    CREDITS_APPROVE = "credits.approve"  # office approval
    POLICY_CHANGE = "policy.change"
    REPORTS_VIEW = "reports.view"
    PROVIDERS_MANAGE = "providers.manage"  # register providers and whom they report for
    COURSES_MANAGE = "courses.manage"  # register a provider's courses
    INTAKE_SUBMIT = "intake.submit"  # send rosters / batches as a provider
    INTAKE_VIEW = "intake.view"  # see providers, courses and batches
    CLAIMS_SUBMIT = "claims.submit"  # submit a claim (for oneself, or on behalf of one's unit)
    CERTIFICATES_ISSUE = "certificates.issue"  # issue a person's certificate (a learner: their own)
    ACCOUNTS_ACTIVATE = "accounts.activate"  # issue activation letters for the unit's people
    TRAINING_VIEW = "training.view"  # see classes, rosters, attendance and reports (read only)
    TRAINING_MANAGE = "training.manage"  # run a provider's classes: sessions, roster, attendance
    TRAINING_ASSIGN = "training.assign"  # assign people of one's scope to a class (调训)
    TRAINING_NOMINATE = "training.nominate"  # nominate the unit's people for a class
    TEACHERS_MANAGE = "teachers.manage"  # keep the teacher registry (师资库)
    TEACHING = "training.teach"  # a teacher's own classes, sessions, ratings and peer reviews
    PLANNING_MANAGE = "planning.manage"  # a unit's or region's training plan, budget and spending
    SURVEYS_MANAGE = "planning.surveys"  # build needs surveys and send them to a scope
    ARCHIVE_PULL = "archive.pull"  # take up the earlier years of a person who transferred in


_READ = {Cap.ORGS_VIEW, Cap.PEOPLE_VIEW, Cap.CREDITS_VIEW, Cap.REPORTS_VIEW}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.UNIT_ADMIN: frozenset(
        _READ
        | {
            Cap.PEOPLE_CHANGE,
            Cap.PEOPLE_IMPORT,
            Cap.PEOPLE_VIEW_ID,
            Cap.CREDITS_CHECK,
            Cap.CLAIMS_SUBMIT,
            Cap.CERTIFICATES_ISSUE,
            Cap.ACCOUNTS_ACTIVATE,
            Cap.TRAINING_NOMINATE,
            Cap.PLANNING_MANAGE,
            Cap.ARCHIVE_PULL,
        }
    ),
    Role.OFFICE: frozenset(
        _READ
        | {
            Cap.PEOPLE_CHANGE,
            Cap.PEOPLE_IMPORT,
            Cap.PEOPLE_VIEW_ID,
            Cap.ORGS_CHANGE,
            Cap.CREDITS_APPROVE,
            Cap.POLICY_CHANGE,
            Cap.AUDIT_VIEW,
            Cap.COURSES_MANAGE,
            Cap.PROVIDERS_MANAGE,
            Cap.INTAKE_VIEW,
            Cap.CLAIMS_SUBMIT,
            Cap.CERTIFICATES_ISSUE,
            Cap.ACCOUNTS_ACTIVATE,
            Cap.TRAINING_VIEW,
            Cap.TRAINING_MANAGE,
            Cap.TRAINING_ASSIGN,
            Cap.TEACHERS_MANAGE,
            Cap.PLANNING_MANAGE,
            Cap.SURVEYS_MANAGE,
            Cap.ARCHIVE_PULL,
        }
    ),
    Role.AUDITOR: frozenset(_READ | {Cap.AUDIT_VIEW, Cap.INTAKE_VIEW, Cap.TRAINING_VIEW}),
    Role.SYSADMIN: frozenset(
        {Cap.ORGS_VIEW, Cap.ORGS_CHANGE, Cap.USERS_MANAGE, Cap.PEOPLE_VIEW, Cap.AUDIT_VIEW}
    ),
    Role.PROVIDER: frozenset(
        {
            Cap.COURSES_MANAGE,
            Cap.INTAKE_SUBMIT,
            Cap.INTAKE_VIEW,
            Cap.TRAINING_VIEW,
            Cap.TRAINING_MANAGE,
            Cap.TEACHERS_MANAGE,
        }
    ),
    Role.TEACHER: frozenset({Cap.TEACHING}),
}


def roles_with(capability: str) -> list[str]:
    return [role for role, caps in CAPABILITIES.items() if capability in caps]


def decides_credits(role: str) -> bool:
    """A role whose holder approves or checks credits: granting it takes two people."""
    caps = CAPABILITIES.get(role, frozenset())
    return Cap.CREDITS_APPROVE in caps or Cap.CREDITS_CHECK in caps


# What each role is for, in a sentence its holder reads on the home page when the role opens no
# page yet (a teacher before any class is theirs).
PURPOSES: dict[str, Any] = {
    Role.UNIT_ADMIN: _(
        "Keeps the unit's people, checks their claims and issues their certificates."
    ),
    Role.PROVIDER: _("Registers the provider's courses and reports who completed them."),
    Role.OFFICE: _("Approves credits, keeps the rule sets and publishes the year's results."),
    Role.TEACHER: _(
        "Teaches classes of the training programme: the classes you teach, their sessions and "
        "the trainees' evaluations appear here once the office assigns you to a class."
    ),
    Role.AUDITOR: _("Reads everything in scope and the audit trail; changes nothing."),
    Role.SYSADMIN: _("Keeps accounts and the org tree; never approves credits."),
}
