import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.orgs import idnumber


class OrgNode(models.Model):
    """A node of the org tree: region → department/township → unit.

    `path` is the materialised chain of ids ("/1/7/42/"), so "everything under this node" is one
    indexed prefix query (`path__startswith`), never recursion in Python.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        DEPARTMENT = "department", _("Department")
        TOWNSHIP = "township", _("Township")
        UNIT = "unit", _("Unit")

    class UnitType(models.TextChoices):
        ORGAN = "organ", _("Government organ")
        INSTITUTION = "institution", _("Public institution")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit_type = models.CharField(
        _("unit type"), max_length=16, choices=UnitType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("org node")
        verbose_name_plural = _("org nodes")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def subtree_q(self, prefix: str = "") -> Q:
        """Q matching this node and all its descendants; prefix names the relation to OrgNode."""
        return Q(**{f"{prefix}path__startswith": self.path})

    def is_within(self, other: "OrgNode") -> bool:
        return self.path.startswith(other.path)

    def ancestors(self) -> models.QuerySet["OrgNode"]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return OrgNode.objects.filter(id__in=ids).order_by("depth")


class Person(models.Model):
    """A learner: a cadre or a professional-technical staff member.

    Credits belong to the person, not the unit.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Category(models.TextChoices):
        COUNTY = "county", _("County/division-level cadre")
        TOWNSHIP = "township", _("Township/section-level cadre")
        GENERAL = "general", _("General cadre")
        PROFESSIONAL = "professional", _("Professional-technical staff")

    class TitleLevel(models.TextChoices):
        NONE = "", _("None")
        JUNIOR = "junior", _("Junior")
        INTERMEDIATE = "intermediate", _("Intermediate")
        SENIOR = "senior", _("Senior")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("person status", "Active")
        LEAVE = "leave", _("On long leave")
        RETIRED = "retired", _("Retired")
        LEFT = "left", _("Left")

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    unit = models.ForeignKey(
        OrgNode, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    category = models.CharField(_("personnel category"), max_length=16, choices=Category.choices)
    title_level = models.CharField(
        _("title level"), max_length=16, choices=TitleLevel.choices, blank=True, default=""
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit_id", "name", "id"]
        indexes = [
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["name"]),
            models.Index(fields=["category"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="person_sex_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return idnumber.mask(self.id_number)

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Transfer(models.Model):
    """One move of a person between units.

    Credits stay with the person; this keeps where they were.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        OrgNode, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        OrgNode, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+"
    )
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["person", "-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.from_unit} → {self.to_unit}"


class TransferRequest(models.Model):
    """A unit asks for a person it cannot see: someone added (by hand or by import) with an ID
    number already registered in a unit outside the adder's scope. The adder is told the same as
    for a new person, so nobody learns who exists elsewhere from the answer; the credit office,
    which sees both units, transfers the person or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Transferred")
        DECLINED = "declined", _("Declined")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        OrgNode, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+"
    )
    given_name = models.CharField(_("name given"), max_length=50)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "to_unit"],
                condition=Q(status="pending"),
                name="orgs_transfer_request_pending_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_unit}"


class PeopleImport(models.Model):
    """One uploaded people file: checked by the background worker (the web request reads only
    its head), previewed from the stored result, then confirmed. The file is parsed once; the
    preview, the confirmation and the error file read what the check stored."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        READY = "ready", _("Ready to import")
        REFUSED = "refused", _("Refused")
        DONE = "done", _("Imported")

    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=200)
    file_path = models.CharField(max_length=300, editable=False)  # relative to MEDIA_ROOT
    language = models.CharField(max_length=16, default="zh-hans", editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    failure_code = models.CharField(max_length=40, blank=True)
    failure = models.CharField(_("reason"), max_length=500, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("people import")
        verbose_name_plural = _("people imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING)
