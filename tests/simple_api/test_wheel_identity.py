"""One wheel, one file: two spellings of a version must not put two files with the same wheel
identity (name, canonical version, build tag, tags) into one release (S3.14)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from projects.models import File, Release
from tests import dists, factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue
from uploads.validation.filename import wheel_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    user = factories.UserFactory(username="wheeler")
    return token_issue(user=user, scopes=["upload", "read"], actor=None).secret


def post(client, token, filename, content, **overrides):
    fields = dists.upload_fields(filename, content, **overrides)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/legacy/", fields, **basic(token))


def test_same_wheel_with_another_version_spelling_is_refused(client, token):  # S3.14
    first, content = dists.make_wheel("ident-pkg", "1.0.0")
    assert post(client, token, first, content).status_code == 200

    second, other = dists.make_wheel("ident-pkg", "1.0", module_source="VERSION = 'again'\n")
    response = post(client, token, second, other)

    assert response.status_code == 400
    assert response.reason_phrase.startswith("File already exists")  # twine --skip-existing
    assert File.objects.filter(release__project__normalized_name="ident-pkg").count() == 1
    assert Release.objects.filter(project__normalized_name="ident-pkg").count() == 1


def test_other_tags_in_the_same_release_are_accepted(client, token):
    first, content = dists.make_wheel("ident-pkg", "1.0.0")
    assert post(client, token, first, content).status_code == 200

    second, other = dists.make_wheel("ident-pkg", "1.0", tag="py2.py3-none-any")

    assert post(client, token, second, other).status_code == 200
    assert File.objects.filter(release__project__normalized_name="ident-pkg").count() == 2


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("P-1.0.0-py3-none-any.whl", "p-1.0-py3-none-any.whl", True),
        ("P-1.0-py3-none-any.whl", "P-1.0-1-py3-none-any.whl", False),  # build tag
        ("P-1.0-1-py3-none-any.whl", "P-1.0.0-1-py3-none-any.whl", True),
        ("P-1.0-py3-none-any.whl", "P-1.0-py2.py3-none-any.whl", False),
        ("P-1.0-py3.py2-none-any.whl", "P-1.0-py2.py3-none-any.whl", True),  # a tag set
        ("P-1.0-py3-none-any.whl", "P-1.0.post1-py3-none-any.whl", False),
    ],
)
def test_wheel_identity(a, b, same):
    assert (wheel_identity(a) == wheel_identity(b)) is same
