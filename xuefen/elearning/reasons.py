"""Why time did not count, and why an event was refused: stable codes with their words."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """Why an interval of a resource did not count."""

    HIDDEN = "hidden", _("Page not visible")
    NO_INTERACTION = "no_interaction", _("No answer to the prompt within the interaction interval")
    DAILY_CAP = "daily_cap", _("Above the daily cap")
    SKIPPED = "skipped", _("Skipped by seeking")
    TOO_FAST = "too_fast", _("Played faster than allowed")
    CONCURRENT = "concurrent", _("Another learning session was active")
    IMPOSSIBLE = "impossible", _("More progress reported than time passed")
    NO_REPORT = "no_report", _("No report from the player for too long")


class Refusal(models.TextChoices):
    """Why a playback event was refused (recorded, and nothing of it counts)."""

    FORGED = "forged", _("Not from a learning session of this person")
    REPLAYED = "replayed", _("Replayed (a sequence number already used)")
    OUT_OF_ORDER = "out_of_order", _("Out of order (a sequence number skipped)")
    IMPOSSIBLE = "impossible", _("More progress reported than time passed")
    SUPERSEDED = "superseded", _("The session was replaced by a newer one")
    ENDED = "ended", _("The session has ended")
    LOGGED_OUT = "logged_out", _("The log-in has ended or expired: log in again to go on learning")
    MALFORMED = "malformed", _("Not a valid playback event")
