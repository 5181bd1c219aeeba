"""What the policy answers: a ``Decision``, and why a refusal is a 401, a 403 or a 404."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Denial(enum.StrEnum):
    UNAUTHENTICATED = "unauthenticated"  # 401: credentials needed
    FORBIDDEN = "forbidden"  # 403: who you are is known, and the answer is no
    NOT_FOUND = "not_found"  # 404: indistinguishable from a name that does not exist


@dataclass(frozen=True)
class Decision:
    allowed: bool
    denial: Denial | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)
NOT_FOUND = Decision(False, Denial.NOT_FOUND, "Not Found")  # the same for private and unknown
