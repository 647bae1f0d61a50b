from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from xuefen.orgs.models import OrgNode

# Apps whose migrations can change what a verdict is (the ledger's columns, rule-set reading): after
# one of theirs is applied, totals and standings are rebuilt from the ledger.
JUDGED_BY = ("ledger", "policy")


def _applied() -> set[tuple[str, str]]:
    recorder = MigrationRecorder(connection)
    return set(recorder.applied_migrations()) if recorder.has_table() else set()


class Command(BaseCommand):
    help = (
        "Migrates (then, if a ledger or rule-set migration ran, rebuilds totals and standings from"
        " the ledger), loads the demo county when the database is empty (not in production unless"
        " --demo), collects static files."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument(
            "--demo", action="store_true", help="Load demo data even in the production profile."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A real county's database must not fill with a demo county by accident.
        if settings.PRODUCTION and not options["demo"]:
            options["no_demo"] = True
        before = _applied()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        changed = {app for app, _name in _applied() - before}
        if before and changed & set(JUDGED_BY):
            # A database that already had data: its derived tables follow the new judgement.
            call_command("recompute", stdout=self.stdout)
        # Batches whose worker died (the machine stopped mid-file) are queued again, from their
        # last committed chunk.
        call_command("intake", "resume", stdout=self.stdout)
        # Evidence files an interrupted upload left behind (no claim names them).
        call_command("sweep_evidence", stdout=self.stdout)
        if not options["no_demo"] and not OrgNode.objects.exists():
            call_command("demo", stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            from xuefen.orgs.demo import print_logins

            print_logins(self.stdout.write, settings.DEMO_PASSWORD)
