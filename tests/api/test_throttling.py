"""API throttles (api.throttles): failed authentication per address, token creation per user,
writes per user; 429 with Retry-After, as an RFC 9457 problem."""

import pytest
from django.urls import reverse

from tests.api.helpers import basic, bearer, detail
from tokens.services import token_issue


@pytest.fixture
def rates(settings):
    rates = {"auth-failure": "5/min", "token-create": "3/hour", "write": "1000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    yield rates
    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_bad_tokens_and_passwords_are_throttled_per_address(api, owner, rates):
    url = reverse("api:project-list")
    answers = [api.get(url, **bearer(f"pvi_bad_{n}")).status_code for n in range(3)]
    answers += [api.get(url, **basic("owner", "guess")).status_code for _ in range(2)]
    throttled = api.get(url, **bearer("pvi_bad_last"))
    assert answers == [401] * 5
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert detail(throttled).startswith("Request was throttled")
    # A valid token from the same address still works; another address is not throttled.
    good = token_issue(user=owner, scopes=["read"], actor=owner).secret
    assert api.get(url, **bearer(good)).status_code == 200
    assert api.get(url, REMOTE_ADDR="192.0.2.50", **bearer("pvi_bad")).status_code == 401


def test_token_creation_is_throttled_per_user(api, owner, rates):
    api.force_login(owner)
    made = [
        api.post(reverse("api:token-list"), {"scopes": ["read"]}, format="json").status_code
        for _ in range(4)
    ]
    assert made == [201, 201, 201, 429]
    assert api.get(reverse("api:token-list")).status_code == 200  # listing is not creating


def test_an_organization_tokens_writes_count_as_one_caller_from_any_address(api, owner, rates):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    from tests import factories

    SimpleRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "write": "2/min"}
    org = factories.OrganizationFactory(name="acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    project = factories.ProjectFactory(name="acme-widgets", organization=org)
    factories.ReleaseFactory(project=project, version="1.0")
    secret = token_issue(
        user=None, organization=org, created_by=owner, scopes=["read", "upload"], actor=owner
    ).secret
    url = reverse("api:release-yank", args=["acme-widgets", "1.0"])
    answers = [
        api.post(url, {"reason": "x"}, format="json", REMOTE_ADDR=f"192.0.2.{n}",
                 **bearer(secret)).status_code
        for n in range(3)
    ]  # fmt: skip
    assert answers[:2] == [200, 200] and answers[2] == 429
