"""Settings that the contract fixes (DESIGN 1, 2)."""

import importlib

import pytest


def test_argon2_is_the_first_password_hasher():
    import privindex.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_custom_user_model_is_in_place():
    from django.contrib.auth import get_user_model

    assert get_user_model()._meta.label == "accounts.User"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://u:p%40ss@db.example:6543/idx?sslmode=require",
            {"NAME": "idx", "USER": "u", "PASSWORD": "p@ss", "HOST": "db.example", "PORT": "6543"},
        ),
        ("postgres://localhost/idx", {"NAME": "idx", "HOST": "localhost", "PORT": ""}),
    ],
)
def test_database_url_is_parsed(url, expected):
    from privindex.settings import database_from_url

    config = database_from_url(url)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    for key, value in expected.items():
        assert config[key] == value


def test_sqlite_url_and_default(tmp_path):
    from privindex.settings import database_from_url

    config = database_from_url(f"sqlite:///{tmp_path}/x.db")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == f"{tmp_path}/x.db"


def test_embedded_defaults_need_no_environment(tmp_path, monkeypatch):
    """With no DATABASE_URL or broker the index runs on SQLite with in-process tasks."""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRIVINDEX_DATA_DIR", str(tmp_path))
    import privindex.settings as module

    fresh = importlib.reload(module)
    try:
        assert fresh.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert fresh.DATABASES["default"]["NAME"] == str(tmp_path / "db.sqlite3")
        assert fresh.CELERY_TASK_ALWAYS_EAGER is True
        assert (tmp_path / "secret_key").read_text().strip() == fresh.SECRET_KEY
        assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    finally:
        monkeypatch.undo()
        importlib.reload(module)
