"""The token admin's add form keeps the token limits (``tokens.limits``) as form errors, and
whatever it lets through ``token_issue`` checks again. Pages, secrets and revoking:
tests/test_admin.py."""

import pytest
from django.urls import reverse

from tests import factories
from tokens import limits
from tokens.models import Token

ADD = reverse("admin:tokens_token_add")


def add_token(client, user, follow=False, **fields):
    data = {"user": user.pk, "name": "from-admin", "scopes": ["read"], "organization": ""}
    data.update(fields)
    return client.post(ADD, data, follow=follow)


@pytest.mark.parametrize("days", ["3651", "36500", "99999999", "9999999999999"])
def test_an_expiry_past_the_limit_is_a_form_error(admin_client, owner, days):
    response = add_token(admin_client, owner, expires_in_days=days)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["expires_in_days"] == [
        f"Ensure this value is less than or equal to {limits.MAX_EXPIRY_DAYS}."
    ]
    assert not Token.objects.exists()


def test_the_longest_expiry_is_accepted(admin_client, owner):
    response = add_token(admin_client, owner, expires_in_days=str(limits.MAX_EXPIRY_DAYS))

    assert response.status_code == 200 and "Token issued" in response.content.decode()
    assert Token.objects.get().expires is not None


def test_more_projects_than_the_limit_is_a_form_error(admin_client, owner, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROJECTS", 2)
    projects = [factories.ProjectFactory() for _ in range(3)]

    response = add_token(admin_client, owner, projects=[p.pk for p in projects])

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["projects"] == ["At most 2 projects."]
    assert not Token.objects.exists()


def test_a_refusal_of_token_issue_shows_as_a_message(admin_client, owner, monkeypatch):
    # As when a limit the form does not know of refuses: token_issue has the last word.
    monkeypatch.setattr(limits, "NAME_MAX", 3)

    response = add_token(admin_client, owner, name="from-admin", follow=True)

    assert response.redirect_chain == [(ADD, 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["The token name must be at most 3 characters."]
    assert not Token.objects.exists()
