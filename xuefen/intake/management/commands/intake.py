from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xuefen.core.actors import SYSTEM
from xuefen.intake.actions import resume_stalled


class Command(BaseCommand):
    help = "Bulk reporting. `intake resume` queues again every batch whose worker died."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "resume",
            help="Queue every stalled batch again (running or queued with no sign of life for "
            "two minutes, or stopped by a crash); each continues from its last committed chunk.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        resumed = resume_stalled(SYSTEM)
        for batch in resumed:
            self.stdout.write(
                f"Batch #{batch.pk} ({batch.provider.code}) queued again at row "
                f"{batch.processed_rows}."
            )
        self.stdout.write(f"{len(resumed)} stalled batch(es) resumed.")
