"""`xuefen export_people --as USERNAME [--unit CODE] [--format xlsx|csv] --output FILE`.

The web export's code path for the command line: the people the user may see (under --unit, if
given), with the import's columns, ID numbers masked unless the user may see them, audited.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xuefen.accounts import scope
from xuefen.accounts.models import User
from xuefen.accounts.roles import Cap
from xuefen.core.tabular import write_csv, write_xlsx
from xuefen.orgs import actions, importing, queries


class Command(BaseCommand):
    help = "Exports the people a user may see to XLSX or CSV, with the import's columns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--unit", help="Code of an org node: only the people under it.")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['username']!r}.") from None
        people = scope.people(user, Cap.PEOPLE_VIEW).select_related("unit")
        if options["unit"]:
            node = scope.nodes(user).filter(code=options["unit"]).first()
            if node is None:
                # The same answer for "no such unit" and "not yours".
                raise CommandError(f"No unit {options['unit']!r} in {user}'s scope.")
            people = people.filter(node.subtree_q("unit__"))
        people = people.order_by("unit__path", "name", "id")
        rows = importing.export_rows(people.iterator(chunk_size=2000), queries.id_visibility(user))
        output = Path(options["output"])
        if options["format"] == "csv":
            with output.open("w", encoding="utf-8", newline="") as fh:
                write_csv(fh, importing.HEADERS, rows)
        else:
            write_xlsx(output, importing.HEADERS, rows, sheet_title="人员")
        actions.record_people_export(user, len(rows))
        self.stdout.write(f"{len(rows)} people written to {output}.")
