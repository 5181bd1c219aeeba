"""Account security on the web (issue 10): the sign-in's throttling, also for /admin/login/;
sign-up only when PRIVINDEX_SIGNUP says so; two-factor authentication with an authenticator
app and recovery codes (django-allauth), required of staff by a setting and of members by an
organization; the active sessions page. Through the pages, as a person would."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuthFailure, Event
from tests import factories
from tests.principals import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    form = {"login": username, "password": password}
    return client.post(reverse("accounts:login"), form, **extra)


def reauthenticate(client: Client) -> None:
    """Changing two-factor authentication asks for the password again, even just after
    signing in (allauth's re-authentication)."""
    answer = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert answer.status_code == 302


# --- throttling ------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(client):
    owner = factories.UserFactory(username="owner")
    for _ in range(5):
        assert sign_in(client, "owner", WRONG).status_code == 200
    refused = sign_in(client, "owner")

    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in refused.content
    # Every attempt counts, the throttled one too (no password was checked for it).
    assert AuthFailure.objects.get(identifier=f"@user{owner.pk}").count == 6
    # Another account from another address is not locked by it.
    factories.UserFactory(username="colleague")
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert sign_in(other, "colleague").status_code == 302


def test_one_address_trying_many_names_is_throttled_too(client):
    factories.UserFactory(username="late")
    for n in range(10):
        sign_in(client, f"ghost{n}", WRONG)
    refused = sign_in(client, "late")
    assert b"Too many failed login attempts" in refused.content
    assert "_auth_user_id" not in client.session


def test_a_success_does_not_reset_the_count_for_an_attacker():
    """allauth rolls back the success's own use of the budget, not the failures before it."""
    factories.UserFactory(username="owner")
    client = Client()
    for _ in range(4):
        sign_in(client, "owner", WRONG)
    assert sign_in(client, "owner").status_code == 302
    client.logout()
    sign_in(client, "owner", WRONG)
    assert b"Too many failed login attempts" in sign_in(client, "owner").content


def test_the_admin_sign_in_is_the_account_sign_in_with_its_throttling(client):
    factories.UserFactory(username="ops", is_staff=True)
    answer = client.get("/admin/login/?next=/admin/auth/")
    assert (answer.status_code, answer["Location"]) == (302, "/account/login/?next=/admin/auth/")
    for _ in range(5):
        client.post(answer["Location"], {"login": "ops", "password": WRONG})
    assert b"Too many failed login attempts" in sign_in(client, "ops").content
    # The admin's own form is not reachable any more: a POST to it signs no one in.
    client.post("/admin/login/", {"username": "ops", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_admin_login_sends_staff_on_refuses_others_and_ignores_foreign_next(client):
    staff = factories.UserFactory(username="ops", is_staff=True)
    plain = factories.UserFactory(username="plain")
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == (
        "/account/login/?next=/admin/"
    )
    client.force_login(staff)
    assert client.get("/admin/login/?next=/admin/auth/")["Location"] == "/admin/auth/"
    client.force_login(plain)
    refused = client.get("/admin/login/?next=/admin/")
    assert refused.status_code == 403
    assert b"no access to the administration pages" in refused.content


# --- sign-up ----------------------------------------------------------------------------------


def test_sign_up_is_closed_by_default(client):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert b"Sign Up Closed" in page.content or b"closed" in page.content.lower()
    client.post(
        reverse("account_signup"),
        {
            "username": "newbie",
            "email": "n@example.org",
            "password1": "a long pass phrase 1",
            "password2": "a long pass phrase 1",
        },
    )
    assert not User.objects.filter(username="newbie").exists()
    assert b"Sign up" not in client.get(reverse("accounts:login")).content


def test_sign_up_when_open_creates_the_account_through_the_service(client, settings):
    settings.PRIVINDEX_SIGNUP = True
    factories.UserFactory(username="Alice")
    assert b"Sign up" in client.get(reverse("accounts:login")).content
    form = {
        "username": "newbie",
        "email": "newbie@example.org",
        "password1": "a long pass phrase 1",
        "password2": "a long pass phrase 1",
    }
    assert client.post(reverse("account_signup"), form).status_code == 302
    user = User.objects.get(username="newbie")
    assert user.check_password("a long pass phrase 1")
    assert Event.objects.filter(action="user:create", data__user="newbie").exists()
    # "alice" next to "Alice" is refused on the form, like everywhere else.
    client.logout()
    clash = client.post(reverse("account_signup"), {**form, "username": "alice"})
    assert clash.status_code == 200
    assert b"already" in clash.content
    assert not User.objects.filter(username="alice").exists()


# --- two-factor authentication ---------------------------------------------------------------


def test_set_up_an_authenticator_app_then_sign_in_with_it(client):
    owner = factories.UserFactory(username="owner")
    sign_in(client, "owner")
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = re.search(rb'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content)
    secret = secret or re.search(rb'value="([A-Z2-7]{32})"', page.content)
    secret = secret.group(1).decode()
    assert client.post(reverse("mfa_activate_totp"), {"code": "000000"}).status_code == 200
    done = client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})
    assert done.status_code == 302
    totp = Authenticator.objects.get(user=owner, type=Authenticator.Type.TOTP)
    assert secret not in str(totp.data)  # stored encrypted (accounts.adapter.MfaAdapter)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=owner, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10

    client.logout()
    cache.clear()  # the code just used is refused for its whole period: a new one
    first = sign_in(client, "owner")
    assert first["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone signs no one in
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert client.post(reverse("mfa_authenticate"), {"code": code_now(secret)}).status_code == 302
    assert int(client.session["_auth_user_id"]) == owner.pk

    # A recovery code works once.
    for expected in (True, False):
        client.logout()
        sign_in(client, "owner")
        client.post(reverse("mfa_authenticate"), {"code": codes[0]})
        assert ("_auth_user_id" in client.session) is expected


def test_staff_must_set_it_up_when_the_setting_says_so(client, settings):
    settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF = True
    staff = factories.UserFactory(username="ops", is_staff=True)
    client.force_login(staff)
    page = client.get(reverse("web:dashboard"))
    assert (page.status_code, page["Location"]) == (302, reverse("mfa_activate_totp"))
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert client.get("/admin/").status_code == 302
    assert client.post(reverse("accounts:tokens"), {"name": "x"}).status_code == 403
    api = client.get("/api/v1/projects/")
    assert api.status_code == 403 and "Two-factor" in api.json()["detail"]
    simple = client.get("/simple/")
    assert simple.status_code == 403 and b"Two-factor" in simple.content
    # Sign-out stays possible.
    assert client.post(reverse("accounts:logout")).status_code == 302

    with_totp(staff)
    client.force_login(staff)
    assert client.get(reverse("web:dashboard")).status_code == 200
    # Non-staff are not concerned.
    client.force_login(factories.UserFactory(username="plain"))
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_an_authenticator_cannot_be_removed_while_it_is_required(client, settings):
    settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF = True
    staff = factories.UserFactory(username="ops", is_staff=True)
    secret = with_totp(staff)
    sign_in(client, "ops")
    client.post(reverse("mfa_authenticate"), {"code": code_now(secret)})
    reauthenticate(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF = False
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_an_organization_can_require_it_of_its_members(client):
    org = factories.OrganizationFactory(name="acme")
    owner = factories.UserFactory(username="boss")
    member = factories.UserFactory(username="dev")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    factories.OrganizationMemberFactory(organization=org, user=member, role="member")
    url = reverse("orgs:mfa-required", args=["acme"])

    client.force_login(owner)
    refused = client.post(url, {"required": "on"}, follow=True)
    assert b"before requiring it" in refused.content
    org.refresh_from_db()
    assert org.mfa_required is False

    with_totp(owner)
    client.force_login(owner)
    client.post(url, {"required": "on"})
    org.refresh_from_db()
    assert org.mfa_required is True
    event = Event.objects.get(action="organization:update", organization=org)
    assert event.data["current"] == {"mfa_required": True}

    listed = client.get(reverse("orgs:detail", args=["acme"]))  # the owner sees who has it
    assert [(m.user.username, m.user_id in listed.context["with_mfa"]) for m in listed.context[
        "members"]] == [("boss", True), ("dev", False)]  # fmt: skip

    client.force_login(member)
    page = client.get(reverse("orgs:detail", args=["acme"]))
    assert page["Location"] == reverse("mfa_activate_totp")
    overview = client.get(reverse("accounts:overview"), follow=True)
    assert b"the organization acme" in overview.content
    # Tokens are their own credentials: a client's request (no session) is not concerned.
    assert Client().get("/simple/", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401

    # A deactivated organization requires nothing; nor one that stopped requiring it.
    org.is_active = False
    org.save()
    assert client.get(reverse("web:dashboard")).status_code == 200
    org.is_active = True
    org.save()
    client.force_login(owner)
    client.post(url, {"required": "off"})
    client.force_login(member)
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_only_owners_change_the_requirement(client):
    org = factories.OrganizationFactory(name="acme")
    manager = factories.UserFactory(username="mgr")
    factories.OrganizationMemberFactory(organization=org, user=manager, role="manager")
    with_totp(manager)
    client.force_login(manager)
    answer = client.post(reverse("orgs:mfa-required", args=["acme"]), {"required": "on"})
    assert answer.status_code == 403
    org.refresh_from_db()
    assert org.mfa_required is False


# --- sessions and the overview ---------------------------------------------------------------


def test_the_sessions_page_lists_sessions_and_signs_out_the_others():
    factories.UserFactory(username="owner")
    laptop, phone = Client(HTTP_USER_AGENT="Laptop/1.0"), Client(HTTP_USER_AGENT="Phone/2.0")
    for device in (laptop, phone):
        assert sign_in(device, "owner").status_code == 302
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert b"Laptop/1.0" in page.content and b"Phone/2.0" in page.content
    assert UserSession.objects.count() == 2

    laptop.post(reverse("usersessions_list"))  # "Sign out other sessions"
    assert phone.get(reverse("web:dashboard")).status_code == 302  # back to sign in
    assert laptop.get(reverse("web:dashboard")).status_code == 200


def test_the_account_overview(client):
    owner = factories.UserFactory(username="owner")
    assert client.get(reverse("accounts:overview"))["Location"].startswith("/account/login/")
    client.force_login(owner)
    page = client.get(reverse("accounts:overview"))
    assert page.status_code == 200
    assert b"Set up an authenticator app" in page.content
    with_totp(owner)
    assert b"On: an authenticator app" in client.get(reverse("accounts:overview")).content


def test_wrong_codes_at_the_second_step_are_throttled_counted_and_setup_is_recorded(
    client, django_capture_on_commit_callbacks
):
    owner = factories.UserFactory(username="owner")
    sign_in(client, "owner")
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(rb'value="([A-Z2-7]{32})"', page.content).group(1).decode()
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})
    added = Event.objects.filter(action="user:mfa-added", actor=owner)
    assert sorted(e.data["authenticator"] for e in added) == ["recovery_codes", "totp"]

    client.logout()
    cache.clear()
    sign_in(client, "owner")
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    refused = client.post(reverse("mfa_authenticate"), {"code": code_now(secret)})
    assert b"Too many failed login attempts" in refused.content
    assert "_auth_user_id" not in client.session
    assert AuthFailure.objects.get(identifier=f"@user{owner.pk}").count == 5
    assert Event.objects.filter(action="user:login-failed", target="user:owner").count() == 1


def test_the_check_on_every_signed_in_request_is_one_query(client, django_assert_num_queries):
    from accounts.mfa import mfa_missing

    owner = factories.UserFactory(username="owner")
    with django_assert_num_queries(1):
        assert mfa_missing(owner) is False
    # A request without a session cookie is not asked at all.
    with django_assert_num_queries(0):
        client.get("/healthz-nothing/")


# --- found in review ----------------------------------------------------------------------------


def test_a_header_does_not_open_what_the_session_would_need_a_second_factor_for(client, settings):
    settings.PRIVINDEX_MFA_REQUIRED_FOR_STAFF = True
    staff = factories.UserFactory(username="ops", is_staff=True)
    issued = __import__("tokens.services", fromlist=["token_issue"]).token_issue(
        user=staff, scopes=["read"], actor=staff
    )
    client.force_login(staff)
    for header in ("x", f"Bearer {issued.secret}"):
        assert client.get("/admin/", HTTP_AUTHORIZATION=header).status_code == 302
        refused = client.post(
            reverse("accounts:tokens"), {"name": "t", "scopes": ["read"]},
            HTTP_AUTHORIZATION=header,
        )  # fmt: skip
        assert refused.status_code in (302, 403) and b"pvi_" not in refused.content
    # A token alone (no session cookie), as every client sends it, is not concerned.
    tool = Client()
    answer = tool.get("/simple/", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert answer.status_code == 200


def test_the_host_header_does_not_reset_the_count_per_username(client):
    factories.UserFactory(username="good1")
    for n in range(5):
        sign_in(client, "good1", WRONG, HTTP_HOST=f"a{n}.example")
    refused = sign_in(Client(REMOTE_ADDR="192.0.2.77"), "good1", HTTP_HOST="b.example")
    assert b"Too many failed login attempts" in refused.content


def test_behind_a_trusted_proxy_each_client_has_its_own_count(client, settings):
    settings.PRIVINDEX_TRUSTED_PROXIES = 1
    factories.UserFactory(username="late")
    for n in range(10):
        sign_in(client, f"ghost{n}", WRONG, HTTP_X_FORWARDED_FOR="203.0.113.1")
    from_there = sign_in(client, "late", HTTP_X_FORWARDED_FOR="203.0.113.1")
    from_elsewhere = sign_in(Client(), "late", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert b"Too many failed login attempts" in from_there.content
    assert from_elsewhere.status_code == 302


def test_failed_sign_ins_in_another_case_count_for_the_account(client):
    frank = factories.UserFactory(username="frank")
    sign_in(client, "FRANK", WRONG)
    assert AuthFailure.objects.get(identifier=f"@user{frank.pk}").count == 1
    assert Event.objects.get(action="user:login-failed").target == "user:frank"


def test_the_email_address_changes_with_the_password_and_is_recorded(client):
    carol = factories.UserFactory(username="carol", email="carol@example.org")
    client.force_login(carol)
    url = reverse("accounts:email")
    assert url == reverse("account_email")  # allauth's own page is ours
    wrong = client.post(url, {"email": "c2@example.org", "password": WRONG})
    assert wrong.status_code == 200 and b"not your password" in wrong.content
    bad = client.post(url, {"email": "not an address", "password": PASSWORD})
    assert bad.status_code == 200
    assert client.post(url, {"email": "c2@example.org", "password": PASSWORD}).status_code == 302
    carol.refresh_from_db()
    assert carol.email == "c2@example.org"
    assert Event.objects.filter(action="user:update", actor=carol).exists()


def test_password_changes_are_throttled_and_the_admin_page_leads_to_ours(client):
    owner = factories.UserFactory(username="owner")
    client.force_login(owner)
    form = {"old_password": WRONG, "new_password1": "x" * 12, "new_password2": "x" * 12}
    for _ in range(5):
        client.post(reverse("accounts:password-change"), form)
    right = {**form, "old_password": PASSWORD, "new_password1": "a new pass phrase 9",
             "new_password2": "a new pass phrase 9"}  # fmt: skip
    refused = client.post(reverse("accounts:password-change"), right)
    assert b"Too many attempts" in refused.content
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert client.get("/admin/password_change/")["Location"] == reverse("accounts:password-change")


def test_a_version_no_release_can_have_is_a_404_not_a_500(client):
    project = factories.ProjectFactory(name="open-pkg", visibility="public")
    assert project.pk
    assert client.get(f"/project/open-pkg/{'1' * 4301}/").status_code == 404
    assert client.get(f"/pypi/open-pkg/{'1' * 4301}/json").status_code == 404


def test_the_token_username_is_never_an_account(client, settings):
    from accounts.services import AccountError, user_create

    with pytest.raises(AccountError, match="reserved"):
        user_create(username="__TOKEN__", email="", password=None, actor=None)
    settings.PRIVINDEX_SIGNUP = True
    form = {"username": "__token__", "email": "t@example.org", "password1": "a long pass 123",
            "password2": "a long pass 123"}  # fmt: skip
    assert client.post(reverse("account_signup"), form).status_code == 200
    assert not User.objects.filter(username__iexact="__token__").exists()
