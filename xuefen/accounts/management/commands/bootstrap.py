"""`xuefen bootstrap`: the first region and the first two accounts of a new deployment.

A real county starts with an empty database: someone must hold the system administrator role
(to make the org tree and accounts) and someone the credit office role (which confirms every later
grant of a role that decides credits). Two people, two accounts: the separation of duties holds
from the first day. Each gets a random temporary password, printed once, to change at first
log-in.
"""

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from xuefen.accounts.actions import create_staff_user
from xuefen.accounts.models import RoleGrant
from xuefen.accounts.roles import Role
from xuefen.core.actors import SYSTEM
from xuefen.orgs.actions import create_node
from xuefen.orgs.models import OrgNode


class Command(BaseCommand):
    help = (
        "Creates the root region and the first system administrator and credit office accounts "
        "of an empty deployment; prints their temporary passwords once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region-code", required=True)
        parser.add_argument("--region-name", required=True)
        parser.add_argument("--sysadmin", required=True, help="username of the first sysadmin")
        parser.add_argument("--office", required=True, help="username of the first credit office")

    def handle(self, *args: Any, **options: Any) -> None:
        if RoleGrant.objects.exists():
            raise CommandError("This database already has accounts with roles; nothing was done.")
        if options["sysadmin"] == options["office"]:
            raise CommandError("The system administrator and the credit office are two people.")
        with transaction.atomic():
            region = OrgNode.objects.filter(code=options["region_code"]).first() or create_node(
                SYSTEM,
                code=options["region_code"],
                name=options["region_name"],
                kind=OrgNode.Kind.REGION,
                parent=None,
            )
            made = []
            for username, role, label in (
                (options["sysadmin"], Role.SYSADMIN, "系统管理员"),
                (options["office"], Role.OFFICE, "学分办"),
            ):
                password = secrets.token_urlsafe(12)
                create_staff_user(
                    SYSTEM,
                    username,
                    display_name=label,
                    password=password,
                    role=role,
                    node=region,
                )
                made.append((username, str(Role(role).label), password))
        self.stdout.write(f"Region {region.code} {region.name}; accounts (change at first log-in):")
        for username, label, password in made:
            self.stdout.write(f"  {username:<16} {label!s:<24} {password}")
