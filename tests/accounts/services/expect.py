"""What a service test expects of the audit trail: the one event of an action, or a refusal
that records nothing."""

import contextlib

import pytest

from accounts.services import AccountError
from audit.models import Event


def only_event(action):
    """The one event recorded for ``action``."""
    return Event.objects.get(action=action)


@contextlib.contextmanager
def refused(status, match):
    """Expect an AccountError with ``status`` whose message matches ``match``, and no event."""
    events = Event.objects.count()
    with pytest.raises(AccountError, match=match) as info:
        yield info
    assert info.value.status == status
    assert Event.objects.count() == events
