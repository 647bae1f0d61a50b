from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xuefen.ledger.recompute import recompute


class Command(BaseCommand):
    help = (
        "Rebuilds credit totals and standings from the ledger (set-based) and prints how many rows "
        "changed; 0 and 0 when the live totals were right."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", type=int, help="only this period (year)")

    def handle(self, *args: Any, **options: Any) -> None:
        totals, standings = recompute(options.get("period"))
        self.stdout.write(f"Totals changed: {totals}; standings changed: {standings}.")
