"""The archive's one rule of who sees which years of a person who transferred (`visible_from`),
kept apart from the archive's reads so that every page showing a person's years asks the same
rule (the archive page and PDF, the person's credits page of `reports`).

The person themself and anyone whose scope held the person's earlier unit as well (the credit
office of the region) see every year. A reader whose scope the person entered by a transfer from
outside it (the administrator of the unit the person moved into) sees the years from the
transfer's year on; the earlier years open to the unit once one of its administrators pulls the
archive (`actions.pull_archive`, audited).
"""

from dataclasses import dataclass
from typing import Any

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.archive.models import ArchivePull
from xuefen.orgs.models import Person, Transfer


@dataclass(frozen=True)
class Horizon:
    """The first year the reader sees (None: every year), and the transfer that sets it, which
    the reader's unit may pull (None when there is nothing to pull)."""

    first_year: int | None
    transfer: Transfer | None = None

    def shows(self, year: int | None) -> bool:
        return self.first_year is None or year is None or year >= self.first_year


def reads_whole(user: Any, person: Person) -> bool:
    return getattr(user, "person_id", None) == person.pk


def entered_from_outside(user: Any, person: Person) -> Transfer | None:
    """The latest transfer that brought the person into the user's scope from a unit outside it
    (None: the user's scope held every unit the person was in, or the user is the person)."""
    if reads_whole(user, person):
        return None
    paths = scope.paths_with(user, Cap.CREDITS_VIEW)

    def inside(path: str) -> bool:
        return any(path.startswith(root) for root in paths)

    moves = Transfer.objects.filter(person=person).select_related("from_unit", "to_unit")
    return next(
        (
            move
            for move in moves.order_by("-effective_on", "-id")
            if inside(move.to_unit.path) and not inside(move.from_unit.path)
        ),
        None,
    )


def visible_from(user: Any, person: Person) -> Horizon:
    """The rule (see the module): two small queries, whatever the history."""
    entered = entered_from_outside(user, person)
    if entered is None or ArchivePull.objects.filter(transfer=entered).exists():
        return Horizon(None)
    return Horizon(entered.effective_on.year, entered)
