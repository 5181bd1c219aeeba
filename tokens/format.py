"""The token wire format (DESIGN 5).

``pvi_<identifier>_<secret><checksum>``

* ``pvi_``: a fixed prefix so secret scanners can recognise a leaked token;
* identifier: 12 lowercase base32 characters (60 bits), public, the database lookup key;
* secret: 34 base62 characters (about 202 bits of randomness), stored only as a SHA-256 digest;
* checksum: 6 base62 characters of CRC-32 over everything before it, so a typo or a scanner
  rejects a token without touching the database.
"""

import hashlib
import secrets
import string
import zlib
from dataclasses import dataclass

PREFIX = "pvi_"
IDENT_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
IDENT_LENGTH = 12
SECRET_ALPHABET = string.digits + string.ascii_letters
SECRET_LENGTH = 34
CHECKSUM_LENGTH = 6
TOKEN_LENGTH = len(PREFIX) + IDENT_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH


@dataclass(frozen=True)
class ParsedToken:
    identifier: str
    secret: str


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rem = divmod(number, 62)
        digits.append(SECRET_ALPHABET[rem])
    return "".join(reversed(digits))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate() -> tuple[str, ParsedToken]:
    """A new random token string and its parts."""
    identifier = "".join(secrets.choice(IDENT_ALPHABET) for _ in range(IDENT_LENGTH))
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    body = f"{PREFIX}{identifier}_{secret}"
    return body + _checksum(body), ParsedToken(identifier, secret)


def parse(raw: str) -> ParsedToken | None:
    """Split a presented token, or None if it is not well formed or its checksum is wrong."""
    if len(raw) != TOKEN_LENGTH or not raw.startswith(PREFIX) or not raw.isascii():
        return None
    body, checksum = raw[:-CHECKSUM_LENGTH], raw[-CHECKSUM_LENGTH:]
    identifier = body[len(PREFIX) : len(PREFIX) + IDENT_LENGTH]
    separator = body[len(PREFIX) + IDENT_LENGTH]
    secret = body[len(PREFIX) + IDENT_LENGTH + 1 :]
    if separator != "_" or any(c not in IDENT_ALPHABET for c in identifier):
        return None
    if any(c not in SECRET_ALPHABET for c in secret):
        return None
    if not secrets.compare_digest(_checksum(body), checksum):
        return None
    return ParsedToken(identifier, secret)


def hash_secret(secret: str) -> str:
    """SHA-256 of the secret: ~200 random bits need no salt or slow hash (DESIGN 5)."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()
