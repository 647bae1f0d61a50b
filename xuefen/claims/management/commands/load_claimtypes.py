"""Adds the shipped claim types (claimtypes/default.yaml) missing from the database; the office's
edits of existing types are kept."""

from typing import Any

from django.core.management.base import BaseCommand

from xuefen.claims.actions import load_default_types


class Command(BaseCommand):
    help = "Adds the shipped claim types that the database does not have yet (never overwrites)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = load_default_types()
        self.stdout.write(f"{added} claim types added.")
