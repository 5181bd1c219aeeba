"""A closed index (PRIVINDEX_ANONYMOUS_READ=false, issue 8): every read needs a token or a
session; anonymous callers get 401 with a challenge on every read surface, and nothing else
changes. The per-project columns are in tests/test_status_table.py."""

import pytest

from tests import factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue

pytestmark = pytest.mark.django_db
CHALLENGE = 'Basic realm="privindex"'


@pytest.fixture
def closed(settings):
    settings.PRIVINDEX_ANONYMOUS_READ = False


@pytest.mark.parametrize(
    "path",
    ["/", "/simple/", "/simple/public-pkg/", "/pypi/public-pkg/json", "/api/v1/projects/",
     "/namespaces", "/namespace/acme", "/project/public-pkg/"],
)  # fmt: skip
def test_anonymous_reads_are_401_everywhere(client, closed, path):
    factories.ProjectFactory(name="public-pkg", visibility="public")
    response = client.get(path)
    assert response.status_code == 401, path
    assert response["WWW-Authenticate"] == CHALLENGE


def test_the_web_401_offers_to_sign_in(client, closed):
    response = client.get("/")
    assert b"/account/login/" in response.content


@pytest.mark.parametrize("path", ["/account/login/", "/healthz", "/legacy/"])
def test_signing_in_health_and_the_upload_page_stay_open(client, closed, path):
    assert client.get(path).status_code == 200


def test_tokens_and_sessions_read_as_before(client, closed):
    user = factories.UserFactory()
    factories.ProjectFactory(name="public-pkg", visibility="public")
    token = token_issue(user=user, scopes=["read"], actor=None).secret
    assert client.get("/simple/public-pkg/", **basic(token)).status_code == 200
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert client.get("/project/public-pkg/").status_code == 200


def test_shared_caches_keep_nothing_of_a_closed_index(client, closed):
    user = factories.UserFactory()
    factories.ProjectFactory(name="public-pkg", visibility="public")
    token = token_issue(user=user, scopes=["read"], actor=None).secret
    response = client.get("/simple/public-pkg/", **basic(token))
    assert response["Cache-Control"].startswith("private")
