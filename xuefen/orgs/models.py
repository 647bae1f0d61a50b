import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        ACTIVE = "active", _("Active")
        LEAVE = "leave", _("On long leave")
        RETIRED = "retired", _("Retired")
        LEFT = "left", _("Left")

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
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
