"""`xuefen api_token create|list|revoke`: API tokens from the command line.

    xuefen api_token create --provider DX01 --name "学习平台"
        [--scope batches] [--scope credits:read] [--expires 2027-12-31] [--as USERNAME]
    xuefen api_token list [--provider DX01]
    xuefen api_token revoke xf_AbCdEfGh [--as USERNAME]

Without --as the command acts as the system (the administrator at the machine); with --as it acts
as that user, with their rights. The secret is printed once and stored nowhere.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xuefen.accounts.models import User
from xuefen.api import actions
from xuefen.api.models import ApiToken, TokenScope
from xuefen.api.queries import managed_providers, tokens_for
from xuefen.core.actors import SYSTEM
from xuefen.core.errors import CodedError
from xuefen.intake.models import Provider


class Command(BaseCommand):
    help = "Creates, lists and revokes API tokens of providers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create", help="make a token and print its secret once")
        create.add_argument("--provider", required=True, help="provider code")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scope",
            action="append",
            choices=TokenScope.values,
            help="batches (default) and/or credits:read",
        )
        create.add_argument("--expires", help="last valid day, YYYY-MM-DD")
        create.add_argument("--as", dest="username")
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--provider")
        listing.add_argument("--as", dest="username")
        revoke = sub.add_parser("revoke", help="revoke a token by its visible prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--as", dest="username")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options.get("username"))
        try:
            getattr(self, f"_{options['what']}")(actor, options)
        except CodedError as error:
            raise CommandError(f"{error.code}: {error}") from None

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None

    def _tokens(self, actor: User | None) -> Any:
        if actor is None:
            return ApiToken.objects.select_related("provider")  # the system sees every token
        return tokens_for(actor)

    def _provider(self, actor: User | None, code: str) -> Provider:
        providers = Provider.objects.all() if actor is None else managed_providers(actor)
        found = providers.select_related("node", "serves").filter(code=code).first()
        if found is None:
            raise CommandError(
                f"No provider {code!r}" + (f" that {actor} manages." if actor else ".")
            )
        return found

    def _create(self, actor: User | None, options: dict[str, Any]) -> None:
        expires_at = None
        if options["expires"]:
            day = dt.date.fromisoformat(options["expires"])
            expires_at = timezone.make_aware(
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
            )
        token, secret = actions.create_token(
            actor or SYSTEM,
            self._provider(actor, options["provider"]),
            name=options["name"],
            scopes=options["scope"] or [TokenScope.BATCHES],
            expires_at=expires_at,
        )
        self.stdout.write(
            f"Token {token.prefix}… for {token.provider.code}: {', '.join(token.scopes)}"
        )
        self.stdout.write("Secret (shown once, keep it safe):")
        self.stdout.write(secret)

    def _list(self, actor: User | None, options: dict[str, Any]) -> None:
        tokens = self._tokens(actor).order_by("provider__code", "-created_at")
        if options["provider"]:
            tokens = tokens.filter(provider__code=options["provider"])
        for t in tokens:
            state = "revoked" if t.revoked_at else "expired" if t.is_expired() else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            self.stdout.write(
                f"{t.prefix}…\t{t.provider.code}\t{state}\t{','.join(t.scopes)}\t"
                f"last used {used}\t{t.name}"
            )

    def _revoke(self, actor: User | None, options: dict[str, Any]) -> None:
        prefix = options["prefix"].rstrip("…")
        matches = list(self._tokens(actor).filter(prefix=prefix)[:2])
        if len(matches) != 1:
            raise CommandError(f"No single token with the prefix {prefix!r}.")
        token = actions.revoke_token(actor or SYSTEM, matches[0])
        self.stdout.write(f"Token {token.prefix}… revoked.")
