"""`xuefen compliance --period 2026 [--unit CODE] --format csv|xlsx [--output FILE]`: the
per-person compliance table of a period, streamed to a file or standard output."""

import csv
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from xuefen.core.tabular import Sheet, display, safe_text, write_workbook
from xuefen.orgs.models import OrgNode
from xuefen.reports import table


class Command(BaseCommand):
    help = "Exports each person's compliance for a period (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", type=int, required=True)
        parser.add_argument("--unit", help="code of an org node: only its subtree")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="of the headers and labels"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._export(options)

    def _export(self, options: dict[str, Any]) -> None:
        unit = None
        if options["unit"]:
            unit = OrgNode.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No org node with code {options['unit']}.")
        period = options["period"]
        people = table.unscoped_people(unit)
        columns = table.requirement_columns(people, period)
        headers = table.headers(columns)
        rows = table.compliance_rows(people, period, columns)
        output = options["output"]
        if options["format"] == "xlsx":
            target: Any = output or sys.stdout.buffer
            write_workbook(target, [Sheet(str(period), headers, rows)])
            return
        if output:
            with open(output, "w", encoding="utf-8-sig", newline="") as handle:
                self._csv(handle, headers, rows)
        else:
            self._csv(self.stdout, headers, rows)

    @staticmethod
    def _csv(handle: Any, headers: list[str], rows: Any) -> None:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([safe_text(h) for h in headers])
        for row in rows:
            writer.writerow([safe_text(display(value)) for value in row])
