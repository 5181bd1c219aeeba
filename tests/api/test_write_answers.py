"""Write endpoints tell a caller without read access only what it changed (review finding)."""

from tests import factories
from tests.simple_api.helpers import file_with_bytes
from tokens.services import token_issue


def _setup(db):
    owner = factories.UserFactory()
    project = factories.ProjectFactory(name="quiet-pkg", visibility="private")
    factories.ProjectRoleFactory(project=project, user=owner)
    release = factories.ReleaseFactory(project=project, version="1.0")
    file_with_bytes(release, b"secret bytes", filename="quiet_pkg-1.0-py3-none-any.whl")
    return owner


def test_manage_only_token_patch_returns_no_releases(client, db):
    owner = _setup(db)
    token = token_issue(user=owner, scopes=["manage"], actor=None).secret
    response = client.patch(
        "/api/v1/projects/quiet-pkg/",
        {"status": "deprecated"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response.json() == {
        "name": "quiet-pkg", "visibility": "private", "status": "deprecated", "status_reason": "",
    }  # fmt: skip


def test_upload_only_token_yank_returns_only_the_yank_state(client, db):
    owner = _setup(db)
    token = token_issue(user=owner, scopes=["upload"], actor=None).secret
    response = client.post(
        "/api/v1/projects/quiet-pkg/releases/1.0/yank/",
        {"reason": "oops"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response.json() == {"version": "1.0", "yanked": True, "yanked_reason": "oops"}
    assert b"quiet_pkg-1.0" not in response.content
