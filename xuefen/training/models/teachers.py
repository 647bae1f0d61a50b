"""The teacher registry (师资库): full-time and part-time teachers, leaders who teach
(领导干部上讲台) and external experts. A teacher belongs to the registry of an org node (a
provider's node or the credit office's region) and is scoped by it; one who is a person of the
county earns teaching credit in their own ledger, one with an account sees their own pages."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Teacher(models.Model):
    class Kind(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time teacher")
        PART_TIME = "part_time", _("Part-time teacher")
        LEADER = "leader", _("Leader who teaches")
        EXPERT = "expert", _("External expert")

    node = models.ForeignKey(
        "orgs.OrgNode",
        verbose_name=_("registry of"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The provider's or office's node whose teacher registry holds this teacher."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title or post"), max_length=100, blank=True)
    employer = models.CharField(_("works at"), max_length=100, blank=True)
    specialties = models.CharField(_("specialties"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    bio = models.TextField(_("profile"), blank=True)
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person of the county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set for a teacher who is a person of the county: teaching earns them credit."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teacher",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(person__isnull=False),
                name="training_teacher_person_once",
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name
