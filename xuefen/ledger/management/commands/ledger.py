import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xuefen.ledger.verify import verify
from xuefen.orgs.models import Person


class Command(BaseCommand):
    help = "The credit ledger. `ledger verify [--person ID_NUMBER]` walks every hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "verify",
            help="Report every entry changed, deleted or inserted behind the application's back "
            "(exit code 1 if any).",
        )
        check.add_argument("--person", help="only this person's chain (18-digit ID number)")

    def handle(self, *args: Any, **options: Any) -> None:
        person_id = None
        if options.get("person"):
            person = Person.objects.filter(id_number=options["person"].upper()).first()
            if person is None:
                raise CommandError(f"No person with ID number {options['person']}.")
            person_id = person.pk
        problems = 0
        for problem in verify(person_id):
            problems += 1
            self.stdout.write(str(problem))
        if problems:
            self.stderr.write(f"Ledger verification failed: {problems} problem(s).")
            sys.exit(1)
        self.stdout.write("Ledger verified: every chain is intact.")
