"""Plans, money, needs and reminders (shared/DOMAIN.md parts 9 and 11).

A plan (培训计划) belongs to an org node (a unit or a region) and a year; its lines are the planned
classes with their target group, numbers and budget. Real classes of the training app are linked to
a line; what they ran, whom they trained, the hours credited and the money spent are computed from
the records (queries.plan_actuals), never typed. A budget is kept per plan and source of funds.

A needs survey (调查摸底) is sent to a subtree; each person answers once, and the answer keeps the
person's category, age bracket and unit as they were, for the results.

Reminders: the policy (which deadlines, how many days before) is data; each reminder is one row per
recipient and round (kind × period × point), and the unique key is what makes "nobody is reminded
twice for the same thing" true whatever runs twice.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.orgs.models import Person


class Source(models.TextChoices):
    FISCAL = "fiscal", _("Fiscal funds (财政)")
    UNIT = "unit", _("Unit funds (单位)")
    PERSONAL = "personal", _("Personal (个人)")


class Plan(models.Model):
    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year", "node__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "year"], name="planning_plan_once_a_year"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanLine(models.Model):
    """One planned class (or series of classes) of a plan."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("training plan"), on_delete=models.CASCADE, related_name="lines"
    )
    title = models.CharField(_("title"), max_length=200)
    target_group = models.CharField(
        _("target group"),
        max_length=16,
        blank=True,
        choices=Person.Category.choices,
        help_text=_("Empty: everyone."),
    )
    planned_classes = models.PositiveIntegerField(_("planned classes"), default=1)
    planned_people = models.PositiveIntegerField(_("planned trainees"), default=0)
    planned_hours = models.DecimalField(
        _("planned person-hours"), max_digits=11, decimal_places=2, default=Decimal(0)
    )
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    source = models.CharField(
        _("source of funds"), max_length=16, choices=Source.choices, default=Source.FISCAL
    )

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan_id", "id"]

    def __str__(self) -> str:
        return self.title


class PlanClass(models.Model):
    """A real class that carries out a plan line (a class counts for one line only)."""

    line = models.ForeignKey(
        PlanLine, verbose_name=_("plan line"), on_delete=models.CASCADE, related_name="links"
    )
    klass = models.OneToOneField(
        "training.TrainingClass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="plan_link",
    )

    class Meta:
        verbose_name = _("planned class")
        verbose_name_plural = _("planned classes")

    def __str__(self) -> str:
        return f"{self.line_id}:{self.klass_id}"


class Budget(models.Model):
    """The money a plan has, per source of funds."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("training plan"), on_delete=models.CASCADE, related_name="budgets"
    )
    source = models.CharField(_("source of funds"), max_length=16, choices=Source.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["plan_id", "source"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="planning_budget_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="planning_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class SpendingKind(models.TextChoices):
    TEACHER_FEES = "teacher_fees", _("Teacher fees")
    VENUE = "venue", _("Venue")
    MATERIALS = "materials", _("Materials")
    OTHER = "other", pgettext_lazy("spending", "Other")


class Spending(models.Model):
    """Money spent on a class, by kind and source."""

    klass = models.ForeignKey(
        "training.TrainingClass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SpendingKind.choices)
    source = models.CharField(_("source of funds"), max_length=16, choices=Source.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        ordering = ["klass_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="planning_spending_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Survey(models.Model):
    """A needs survey (调查摸底) sent to the people of a subtree; its questions are data
    (planning.surveys)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("sent to"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    items = models.JSONField(_("questions"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("training plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class SurveyAnswer(models.Model):
    """One person's answers (once per survey), with who they were when they answered."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("needs survey"), on_delete=models.PROTECT, related_name="answers"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("personnel category"), max_length=16)
    age_bracket = models.CharField(_("age bracket"), max_length=60, blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="planning_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.person_id}"


class ReminderKind(models.TextChoices):
    LEARNER_GAP = "learner_gap", _("A learner short of the target")
    UNIT_GAP = "unit_gap", _("A unit with people short of the target")


class ReminderPolicy(models.Model):
    """When to remind whom: days before the claims deadline of the period (policy as data)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices, unique=True)
    days_before = models.JSONField(
        _("days before the deadline"),
        default=list,
        help_text=_("For example 60, 30, 7."),
    )
    email = models.BooleanField(_("also by e-mail"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Round(models.Model):
    """One point of the policy reached for one period: the "thing" reminded of."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    deadline = models.DateField(_("deadline"))
    run_at = models.DateTimeField(_("run at"), auto_now_add=True)
    sent = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        verbose_name = _("reminder round")
        verbose_name_plural = _("reminder rounds")
        ordering = ["-run_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "days_before"], name="planning_round_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} −{self.days_before}"


class Reminder(models.Model):
    """One reminder to one account in one round: the inbox row and its e-mail. Its words are
    made when it is shown (in the reader's language) from the round and the figures kept here."""

    # The run writes one row per person short (100,000 in a county): no index of their own (the
    # unique key (user, round) serves the inbox and the run's check), and no database
    # foreign-key check (PostgreSQL checks each row's two keys again at commit, which took longer
    # than the insert itself, bench/RESULTS.md (g)). The rows come only from the run's INSERT …
    # SELECT over existing accounts and its round; accounts are deactivated, never deleted.
    # The key is (user, round): "nobody is reminded twice" is the key itself, not a unique index
    # beside a surrogate id (each index is an insertion per written row); user first, as the
    # inbox reads it and as every account-keyed table.
    pk = models.CompositePrimaryKey("user", "round")
    round = models.ForeignKey(
        Round,
        verbose_name=_("reminder round"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Where the recipient sits (the person's unit, or the administrator's node): for scoping the
    # outbox to the subtrees of whoever reads it.
    node_path = models.CharField(max_length=255)
    people = models.PositiveIntegerField(_("people short"), default=1)
    earned = models.DecimalField(_("earned"), max_digits=11, decimal_places=2, default=Decimal(0))
    email_to = models.CharField(_("e-mail"), max_length=254, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-round_id", "user_id"]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.user_id}"
