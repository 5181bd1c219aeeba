"""``manage.py revoketoken TOKEN-ID``: revoke by identifier or by the full token string."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tokens import format as token_format
from tokens.models import Token
from tokens.services import token_revoke


class Command(BaseCommand):
    help = (
        "Revoke a token, named by its identifier (the 12 characters after 'pvi_') "
        "or by the full token string. Takes effect on the next request."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("token", metavar="TOKEN-ID")

    def handle(self, *args: Any, token: str, **options: Any) -> None:
        identifier = self._identifier(token.strip())
        found = Token.objects.select_related("user").filter(identifier=identifier).first()
        if found is None:
            raise CommandError(f"No token with identifier '{identifier}'.")
        if found.revoked is not None:
            self.stdout.write(
                f"Token {identifier} was already revoked on {found.revoked:%Y-%m-%d %H:%M}."
            )
            return
        token_revoke(token=found, actor=None)  # the operator's: recorded as the system
        self.stdout.write(f"Revoked token {identifier} ('{found.name}') of user '{found.user}'.")

    @staticmethod
    def _identifier(value: str) -> str:
        """The identifier in ``value``; never echoes a full token back (it may be live)."""
        if len(value) == token_format.IDENT_LENGTH:
            return value.lower()
        if value.startswith(token_format.PREFIX):
            short = value[len(token_format.PREFIX) :]
            if len(short) == token_format.IDENT_LENGTH:  # "pvi_<identifier>"
                return short.lower()
            parsed = token_format.parse(value)
            if parsed is not None:
                return parsed.identifier
        raise CommandError(
            "Not a token identifier (12 characters) nor a well-formed token "
            "(bad length or checksum)."
        )
