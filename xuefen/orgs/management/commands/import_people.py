"""`xuefen import_people FILE --as USERNAME`: the web import's code path, for the command line."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xuefen.accounts.models import User
from xuefen.core.errors import CodedError
from xuefen.orgs import actions, importing


class Command(BaseCommand):
    help = "Imports people from an XLSX or CSV file as the given user; writes nothing on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--dry-run", action="store_true", help="Validate and report only.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['username']!r}.") from None
        try:
            plan = importing.plan_import(user, options["file"])
        except CodedError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        if not plan.ok:
            for e in plan.errors:
                self.stderr.write(f"row {e.row} [{e.column}] {e.code}: {e.message} ({e.value})")
            raise CommandError(f"{len(plan.errors)} error(s); nothing was imported.")
        summary = {k: len(plan.of_kind(k)) for k in ("new", "changed", "unchanged")}
        if options["dry_run"]:
            self.stdout.write(
                "dry run: {new} new, {changed} changed, {unchanged} unchanged".format(**summary)
            )
            return
        counts = actions.apply_people_import(user, plan.planned, effective_on=dt.date.today())
        self.stdout.write(
            "imported: {new} new, {changed} changed, {unchanged} unchanged".format(**counts)
        )
