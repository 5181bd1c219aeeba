"""Every test factory, in one place."""

import hashlib
import itertools

import factory
from packaging.utils import canonicalize_name, canonicalize_version

from accounts.models import Organization, OrganizationMember, Team, TeamMember, User
from projects.models import (
    CoreMetadata,
    File,
    FilenameRegistry,
    Project,
    ProjectRole,
    Release,
    StorageState,
    TeamProjectRole,
)
from projects.services import ultranormalize_name

_seq = itertools.count()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"org{n}")


class OrganizationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMember

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"team{n}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project-{n}")
    normalized_name = factory.LazyAttribute(lambda o: canonicalize_name(o.name))
    ultranormalized_name = factory.LazyAttribute(lambda o: ultranormalize_name(o.name))
    visibility = "private"


class ProjectRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectRole

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "owner"


class TeamProjectRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamProjectRole

    project = factory.SubFactory(ProjectFactory)
    team = factory.SubFactory(TeamFactory)
    role = "reader"


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    project = factory.SubFactory(ProjectFactory)
    version = factory.Sequence(lambda n: f"1.{n}")
    canonical_version = factory.LazyAttribute(lambda o: canonicalize_version(o.version))


def _digest(name: str, filename: str) -> str:
    return hashlib.new(name, filename.encode()).hexdigest()


class FileFactory(factory.django.DjangoModelFactory):
    """A File row whose bytes are not on disk (for policy and query-count tests)."""

    class Meta:
        model = File
        skip_postgeneration_save = True

    release = factory.SubFactory(ReleaseFactory)
    filename = factory.LazyAttribute(
        lambda o: (
            f"{o.release.project.normalized_name.replace('-', '_')}-"
            f"{o.release.version}-{next(_seq)}-py3-none-any.whl"
        )
    )
    packagetype = "bdist_wheel"
    python_version = "py3"
    size = 1234
    sha256 = factory.LazyAttribute(lambda o: _digest("sha256", o.filename))
    blake2_256 = factory.LazyAttribute(
        lambda o: hashlib.blake2b(o.filename.encode(), digest_size=32).hexdigest()
    )
    md5 = factory.LazyAttribute(lambda o: _digest("md5", o.filename))
    storage_state = StorageState.STORED

    @factory.post_generation
    def registry(obj, create, extracted, **kwargs):
        if create:
            FilenameRegistry.objects.get_or_create(filename=obj.filename)


class CoreMetadataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoreMetadata

    file = factory.SubFactory(FileFactory)
    content = b"Metadata-Version: 2.1\nName: x\nVersion: 1\n"
