"""Removes evidence files that no claim names (left by a rolled-back upload)."""

from typing import Any

from django.core.management.base import BaseCommand

from xuefen.claims.files import sweep_orphans


class Command(BaseCommand):
    help = (
        "Removes stored evidence files that no claim names and that are older than a grace period "
        "(left behind when an upload's transaction rolled back)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than-minutes", type=int, default=60)
        parser.add_argument("--dry-run", action="store_true", help="only list what would go")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = sweep_orphans(options["older_than_minutes"] * 60, dry_run=options["dry_run"])
        verb = "would be removed" if options["dry_run"] else "removed"
        self.stdout.write(f"{len(removed)} orphaned evidence files {verb}.")
        for name in removed:
            self.stdout.write(f"  {name}")
