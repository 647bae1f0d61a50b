from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from xuefen.orgs.models import OrgNode


class Command(BaseCommand):
    help = (
        "Loads the demo county: the org tree, people, an account for every role and, from each app "
        "that has a demo module, its data. The same on every machine (seeded)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if OrgNode.objects.exists():
            raise CommandError(
                "The database already has an org tree; demo data loads only into an empty one."
            )
        for config in apps.get_app_configs():
            if not config.name.startswith("xuefen."):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.load(self.stdout.write)
        # The demo is bulk-loaded (COPY on PostgreSQL): without fresh statistics the planner picks
        # bad plans for the roll-ups (800 ms instead of 8 ms for one query, bench/RESULTS.md).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
