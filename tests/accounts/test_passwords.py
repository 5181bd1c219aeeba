"""Password change and reset by email (issue 10): written by user_password_set (validated,
audited), the reset page tells no one who has an account, a reset link works once."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import Event
from tests import factories
from tests.principals import PASSWORD

NEW = "a much longer pass phrase 42"


def test_a_signed_in_user_changes_their_password(client, db):
    ann = factories.UserFactory(username="ann")
    other_session = Client()
    other_session.force_login(ann)
    client.force_login(ann)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.check_password(NEW)
    assert Event.objects.get(action="user:password-set").actor == ann
    assert client.get(reverse("web:dashboard")).status_code == 200  # this session stays
    assert other_session.get(reverse("web:dashboard")).status_code == 302  # the others end


def test_a_weak_or_wrong_password_changes_nothing(client, db):
    ann = factories.UserFactory(username="ann")
    client.force_login(ann)
    weak = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    wrong = client.post(
        reverse("accounts:password-change"),
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    assert weak.status_code == wrong.status_code == 200
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)
    assert not Event.objects.filter(action="user:password-set").exists()


def test_reset_by_email_works_once(client, db):
    ann = factories.UserFactory(username="ann", email="ann@example.org")
    unknown = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    known = client.post(reverse("accounts:password-reset"), {"email": "ann@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]  # nobody learns who has an account
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.org"]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302
    ann.refresh_from_db()
    assert ann.check_password(NEW)
    assert Event.objects.get(action="user:password-set").actor == ann
    again = client.get("/" + path, follow=True)
    assert not again.context["validlink"]


def test_reset_requests_are_throttled_and_past_the_limit_no_mail_goes(client, db, mailoutbox):
    factories.UserFactory(username="ann", email="ann@example.org")
    answers = [
        client.post(reverse("accounts:password-reset"), {"email": "ann@example.org"})
        for _ in range(8)
    ]
    # Every answer is the same page; only the first five of a minute send a mail.
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("accounts:password-reset-done"))
    }
    assert len(mailoutbox) == 5
