"""privindex settings: every value comes from the environment.

With no environment at all the index runs on embedded defaults: SQLite and files under
``PRIVINDEX_DATA_DIR`` (``./var``), Celery tasks run in-process.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PRIVINDEX_DATA_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else default


def database_from_url(url: str) -> dict:
    """Translate ``postgres://user:pass@host:port/name`` or ``sqlite:///path`` to Django."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db (one slash belongs to the URL)
        path = unquote(parts.path)[1:]
        return sqlite_database(Path(path) if path else DATA_DIR / "db.sqlite3")
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # Fail fast when the server is unreachable instead of hanging requests.
            "OPTIONS": {"connect_timeout": 5, **options},
            "TEST": {"NAME": os.environ.get("DATABASE_TEST_NAME") or None},
        }
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # WAL and immediate transactions let several gunicorn workers share one file.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def load_secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY") or os.environ.get("SECRET_KEY")
    if key:
        return key
    # Embedded default: one random key per data directory, kept beside the database.
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = load_secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Mail (invitations): Django's console backend unless configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "privindex@localhost"
# Who may create organizations in the web UI: "anyone" signed in (the default) or "staff".
PRIVINDEX_ORGANIZATION_CREATORS = os.environ.get("PRIVINDEX_ORGANIZATION_CREATORS") or "anyone"
if PRIVINDEX_ORGANIZATION_CREATORS not in ("anyone", "staff"):
    raise ValueError("PRIVINDEX_ORGANIZATION_CREATORS must be 'anyone' or 'staff'.")
# Days an invitation to join an organization stays pending.
PRIVINDEX_INVITATION_DAYS = env_int("PRIVINDEX_INVITATION_DAYS", 14)
# Days audit events are kept (0: forever); the beat task audit.tasks.prune_events deletes older.
PRIVINDEX_AUDIT_RETENTION_DAYS = env_int("PRIVINDEX_AUDIT_RETENTION_DAYS", 0)
# How many reverse proxies in front of the index append to X-Forwarded-For: the audit trail
# records the address the outermost of them saw. 0 (the default): REMOTE_ADDR.
PRIVINDEX_TRUSTED_PROXIES = env_int("PRIVINDEX_TRUSTED_PROXIES", 0)
if env_bool("PRIVINDEX_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Redirect plain-HTTP requests to HTTPS (behind a TLS proxy, with PRIVINDEX_BEHIND_TLS_PROXY,
# or every request would look like plain HTTP). /healthz stays reachable over HTTP for probes.
SECURE_SSL_REDIRECT = env_bool("PRIVINDEX_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if SECURE_SSL_REDIRECT:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Strict-Transport-Security: SecurityMiddleware sends it on HTTPS answers only, so a plain-HTTP
# install never sends it. 0 turns it off.
SECURE_HSTS_SECONDS = env_int("PRIVINDEX_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PRIVINDEX_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("PRIVINDEX_HSTS_PRELOAD", False)
# Django's defaults, spelled out: the headers every answer carries (tests/test_security_headers).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# django-csp 4 (csp.middleware.CSPMiddleware): scripts, styles, fonts and images come from this
# site only; no inline script or style, no frame, no plugin. The Django admin needs nothing
# more (Django 5 admin has no inline script). A public project's README may show images from
# other HTTPS hosts (privindex.security.allow_remote_images); a private one's may not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}
# The styled error pages (privindex.urls sets handler400/403/404/500).
CSRF_FAILURE_VIEW = "privindex.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth.usersessions templates
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as static files (no CDN)
    "accounts",
    # Sign-in (with its throttling), sign-up, TOTP with recovery codes, active sessions.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "audit",
    "projects",
    "storage",
    "tokens",
    "simple_api",
    "api",
    "upstream",
    "namespaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "privindex.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "privindex.middleware.ServiceUnavailableMiddleware",
    "privindex.middleware.AuditOriginMiddleware",
    "privindex.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_api.middleware.TokenAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: its redirect to the authenticator setup says why.
    "accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "privindex.urls"
WSGI_APPLICATION = "privindex.wsgi.application"
APPEND_SLASH = True

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.accounts",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else sqlite_database(DATA_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
AUTHENTICATION_BACKENDS = [
    # django-allauth's backend: the sign-in form, its throttling and the two-factor stage.
    "allauth.account.auth_backends.AuthenticationBackend",
    # Django's, for the test client's login() and for anything that calls authenticate().
    "django.contrib.auth.backends.ModelBackend",
]

# Accounts (django-allauth, decision 0022). People sign in with their username; sign-up is
# off unless PRIVINDEX_SIGNUP is set (administrators create accounts: admin, createuser).
PRIVINDEX_SIGNUP = env_bool("PRIVINDEX_SIGNUP", False)
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_USERNAME_BLACKLIST = ["__token__"]  # also refused by accounts.services.user_create
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # changing the email or 2FA asks for the password
ACCOUNT_SESSION_REMEMBER = None  # the form's "remember me" box decides
# Failed sign-ins: 5 per username in 5 minutes and 10 a minute per address; past either, even
# the right password is refused until the window passes ("Too many failed login attempts").
# Counted in the cache (CACHES: Redis in production, so every process shares the count).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key", "login": "30/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapter.MfaAdapter"
MFA_TOTP_ISSUER = "privindex"
# Staff must set up two-factor authentication before using the web UI or the admin
# (accounts.middleware.MfaRequiredMiddleware); organizations can require it of their members.
PRIVINDEX_MFA_REQUIRED_FOR_STAFF = env_bool("PRIVINDEX_MFA_REQUIRED_FOR_STAFF", False)
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are recorded when they sign in, not per request

# The cache holds sign-in throttling counts and used TOTP codes. PRIVINDEX_CACHE_URL
# (redis://...) shares it between processes, as production needs; the embedded default is a
# directory under PRIVINDEX_DATA_DIR, which every process of one machine shares.
PRIVINDEX_CACHE_URL = os.environ.get("PRIVINDEX_CACHE_URL", "").strip()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": PRIVINDEX_CACHE_URL,
    }
    if PRIVINDEX_CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploads stream to temporary files on disk, never into memory (DESIGN 6).
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PRIVINDEX_MAX_FORM_BYTES", 16 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- privindex ---------------------------------------------------------------------------
PRIVINDEX_STAGING_DIR = Path(os.environ.get("PRIVINDEX_STAGING_DIR", DATA_DIR / "staging"))
PRIVINDEX_FILES_DIR = Path(os.environ.get("PRIVINDEX_FILES_DIR", DATA_DIR / "files"))
# Upload temp files live beside staging, so staging a file is a rename, not a copy.
FILE_UPLOAD_TEMP_DIR = str(PRIVINDEX_STAGING_DIR / ".incoming")
for _directory in (
    DATA_DIR,
    PRIVINDEX_STAGING_DIR,
    PRIVINDEX_FILES_DIR,
    Path(FILE_UPLOAD_TEMP_DIR),
):
    _directory.mkdir(parents=True, exist_ok=True)
# Largest file accepted while streaming; per-project limits apply under it (S3.12).
PRIVINDEX_MAX_FILE_SIZE = env_int("PRIVINDEX_MAX_FILE_SIZE", 1024**3)
PRIVINDEX_DEFAULT_FILE_SIZE_LIMIT = env_int("PRIVINDEX_FILE_SIZE_LIMIT", 100 * 1024**2)
PRIVINDEX_DEFAULT_PROJECT_SIZE_LIMIT = env_int("PRIVINDEX_PROJECT_SIZE_LIMIT", 10 * 1024**3)
PRIVINDEX_DEFAULT_VISIBILITY = os.environ.get("PRIVINDEX_DEFAULT_VISIBILITY", "private")
PRIVINDEX_REALM = os.environ.get("PRIVINDEX_REALM", "privindex")
PRIVINDEX_TOKEN_LAST_USED_INTERVAL = env_int("PRIVINDEX_TOKEN_LAST_USED_INTERVAL", 60)
PRIVINDEX_ALLOW_LINUX_WHEELS = env_bool("PRIVINDEX_ALLOW_LINUX_WHEELS", True)
PRIVINDEX_ALLOW_LOCAL_VERSIONS = env_bool("PRIVINDEX_ALLOW_LOCAL_VERSIONS", False)
PRIVINDEX_RELEASE_CLOSE_DAYS = env_int("PRIVINDEX_RELEASE_CLOSE_DAYS", 0)
# S3.1 switches: refuse every upload (maintenance, migrations).
PRIVINDEX_READ_ONLY = env_bool("PRIVINDEX_READ_ONLY", False)
PRIVINDEX_UPLOADS_DISABLED = env_bool("PRIVINDEX_UPLOADS_DISABLED", False)
# Names no new project may take (besides standard-library module names), comma-separated.
PRIVINDEX_PROHIBITED_NAMES = env_list("PRIVINDEX_PROHIBITED_NAMES", [])

# A closed index: every read (simple pages, files, the JSON API, the web UI) needs a token or
# a session; anonymous callers get 401 with a challenge.
PRIVINDEX_ANONYMOUS_READ = env_bool("PRIVINDEX_ANONYMOUS_READ", True)

# Upstream indexes (upstream/): names with no local project and outside every reserved
# namespace are served from the upstream (PyPI's https://pypi.org/simple/, a mirror...).
# Empty: no upstream from the environment (more can be added in the admin).
PRIVINDEX_UPSTREAM_URL = os.environ.get("PRIVINDEX_UPSTREAM_URL", "").strip()
if PRIVINDEX_UPSTREAM_URL:
    _upstream = urlsplit(PRIVINDEX_UPSTREAM_URL)
    _upstream.port  # noqa: B018 - raises ValueError for a port out of range, at start
    if _upstream.scheme not in {"http", "https"} or not _upstream.hostname:
        raise ValueError("PRIVINDEX_UPSTREAM_URL must be an http(s) URL")
PRIVINDEX_UPSTREAM_USERNAME = os.environ.get("PRIVINDEX_UPSTREAM_USERNAME", "")
PRIVINDEX_UPSTREAM_PASSWORD = os.environ.get("PRIVINDEX_UPSTREAM_PASSWORD", "")
# Curated: the environment's upstream serves only names with an allow rule (admin).
PRIVINDEX_UPSTREAM_CURATED = env_bool("PRIVINDEX_UPSTREAM_CURATED", False)
# Seconds an upstream page is served from the cache before it is revalidated.
PRIVINDEX_UPSTREAM_TTL = env_int("PRIVINDEX_UPSTREAM_TTL", 600)
# Seconds to connect, and between bytes, when talking to an upstream.
PRIVINDEX_UPSTREAM_CONNECT_TIMEOUT = float(
    os.environ.get("PRIVINDEX_UPSTREAM_CONNECT_TIMEOUT") or 5
)
PRIVINDEX_UPSTREAM_READ_TIMEOUT = float(os.environ.get("PRIVINDEX_UPSTREAM_READ_TIMEOUT") or 30)
# Upstream requests in flight at once, per web process; more wait, then get 503.
PRIVINDEX_UPSTREAM_MAX_CONCURRENCY = env_int("PRIVINDEX_UPSTREAM_MAX_CONCURRENCY", 8)
# First fetches of upstream files at once, per web process: keep it under the process's
# threads (GUNICORN_THREADS, 4), so that long downloads leave threads for pages.
PRIVINDEX_UPSTREAM_MAX_FILE_FETCHES = env_int("PRIVINDEX_UPSTREAM_MAX_FILE_FETCHES", 2)
# Largest upstream file fetched (PyPI holds wheels of several GB).
PRIVINDEX_UPSTREAM_MAX_FILE_SIZE = env_int("PRIVINDEX_UPSTREAM_MAX_FILE_SIZE", 16 * 1024**3)
# An outbound HTTP(S) proxy for upstream requests (http://proxy:3128), and a CA bundle for an
# upstream whose certificate an internal CA signed. The process environment is not read.
PRIVINDEX_UPSTREAM_PROXY = os.environ.get("PRIVINDEX_UPSTREAM_PROXY", "")
PRIVINDEX_UPSTREAM_CA_BUNDLE = os.environ.get("PRIVINDEX_UPSTREAM_CA_BUNDLE", "")
if PRIVINDEX_UPSTREAM_CA_BUNDLE and not Path(PRIVINDEX_UPSTREAM_CA_BUNDLE).is_file():
    raise ValueError(f"PRIVINDEX_UPSTREAM_CA_BUNDLE: no such file {PRIVINDEX_UPSTREAM_CA_BUNDLE}")
# A new project whose name exists upstream: refuse (default), warn (allow, record) or allow.
PRIVINDEX_UPSTREAM_NAME_POLICY = os.environ.get("PRIVINDEX_UPSTREAM_NAME_POLICY", "refuse")
if PRIVINDEX_UPSTREAM_NAME_POLICY not in {"refuse", "warn", "allow"}:
    raise ValueError("PRIVINDEX_UPSTREAM_NAME_POLICY must be refuse, warn or allow")

# Storage: "local" (files on disk) or "s3" (django-storages + boto3). DESIGN 6.
PRIVINDEX_STORAGE = os.environ.get("PRIVINDEX_STORAGE", "local")
# Stored S3 files: 302 to a presigned URL (true) or stream through the app (false).
PRIVINDEX_S3_REDIRECT = env_bool("PRIVINDEX_S3_REDIRECT", True)
PRIVINDEX_PRESIGN_PRIVATE_SECONDS = env_int("PRIVINDEX_PRESIGN_PRIVATE_SECONDS", 300)
PRIVINDEX_PRESIGN_PUBLIC_SECONDS = env_int("PRIVINDEX_PRESIGN_PUBLIC_SECONDS", 3600)
# The endpoint clients reach for presigned URLs, when it differs from the one the app uses
# (docker compose: the app talks to http://s3:9000, pip on the host to http://localhost:9000).
PRIVINDEX_S3_PUBLIC_ENDPOINT_URL = os.environ.get("PRIVINDEX_S3_PUBLIC_ENDPOINT_URL") or None
# Files above the threshold go up in parts (each part checksummed by S3).
PRIVINDEX_S3_MULTIPART_THRESHOLD = env_int("PRIVINDEX_S3_MULTIPART_THRESHOLD", 64 * 1024**2)
PRIVINDEX_S3_MULTIPART_CHUNKSIZE = env_int("PRIVINDEX_S3_MULTIPART_CHUNKSIZE", 16 * 1024**2)
PRIVINDEX_S3_CONNECT_TIMEOUT = env_int("PRIVINDEX_S3_CONNECT_TIMEOUT", 5)
PRIVINDEX_S3_READ_TIMEOUT = env_int("PRIVINDEX_S3_READ_TIMEOUT", 60)
# Test-only: seconds to pause in the middle of an S3 upload (fault tests kill the worker there).
PRIVINDEX_TEST_STORE_DELAY = float(os.environ.get("PRIVINDEX_TEST_STORE_DELAY") or 0)
# django-storages names (it builds the boto3 session and client from these).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or os.environ.get("AWS_DEFAULT_REGION")
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
AWS_SESSION_TOKEN = os.environ.get("AWS_SESSION_TOKEN") or None
AWS_S3_SESSION_PROFILE = os.environ.get("AWS_S3_SESSION_PROFILE") or None
AWS_LOCATION = os.environ.get("AWS_LOCATION", "").strip("/")  # key prefix inside the bucket
AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE") or None  # "path" for MinIO
AWS_S3_SIGNATURE_VERSION = os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4")
AWS_S3_VERIFY = env_bool("AWS_S3_VERIFY", True)
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_S3_FILE_OVERWRITE = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (privindex.f029cf6c5b93.css), cached forever by WhiteNoise, compressed
    # copies beside them. Needs collectstatic before serving: make run and docker/entrypoint.sh
    # run it, and the test suite runs it once per session (tests/conftest.py).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Celery: without a broker, tasks run in-process on commit (embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it ends, and given back if its worker dies (SIGKILL, OOM).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing never waits long for a broker that is down: the upload answers, the sweeper
# finds the file later (DESIGN 6).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers a task not acknowledged within this time: longer than the longest
    # store (a 1 GB file) and than the longest retry countdown.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # How often workers look for such messages (kombu scans every interval x throttle s).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "socket_connect_timeout": 3,
    # A broker gone without closing the connection must not hang a request that publishes.
    "socket_timeout": 10,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(
    os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME") or DATA_DIR / "celerybeat-schedule"
)
PRIVINDEX_SWEEP_SECONDS = env_int("PRIVINDEX_SWEEP_SECONDS", 120)
CELERY_BEAT_SCHEDULE = {
    "sweep-staged-files": {
        "task": "projects.tasks.sweep_staged_files",
        "schedule": PRIVINDEX_SWEEP_SECONDS,
        # A sweep not started within its period is dropped: the next one does its work.
        "options": {"expires": PRIVINDEX_SWEEP_SECONDS},
    },
    "sweep-cached-upstream-files": {
        "task": "upstream.tasks.sweep_cached_files",
        "schedule": PRIVINDEX_SWEEP_SECONDS,
        "options": {"expires": PRIVINDEX_SWEEP_SECONDS},
    },
    # Audit retention (PRIVINDEX_AUDIT_RETENTION_DAYS; 0 keeps every event): daily.
    "prune-audit-events": {
        "task": "audit.tasks.prune_events",
        "schedule": 24 * 3600,
        "options": {"expires": 24 * 3600},
    },
    # A token:expire event for each token that expired unused since the last run: hourly.
    "record-expired-tokens": {
        "task": "tokens.tasks.record_expired",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
}
# The sweeper re-queues files still staged after this many seconds.
PRIVINDEX_STAGED_AGE_SECONDS = env_int("PRIVINDEX_STAGED_AGE_SECONDS", 300)
# ...and spot-checks this many stored files per run (checkstorage checks them all).
PRIVINDEX_SWEEP_CHECK_BATCH = env_int("PRIVINDEX_SWEEP_CHECK_BATCH", 50)
# store_file retries with exponential backoff (2, 4, 8 ... seconds, capped), then leaves the
# file to the sweeper.
PRIVINDEX_STORE_MAX_RETRIES = env_int("PRIVINDEX_STORE_MAX_RETRIES", 10)
PRIVINDEX_STORE_RETRY_BACKOFF_MAX = env_int("PRIVINDEX_STORE_RETRY_BACKOFF_MAX", 300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PrincipalAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bounded in size and depth (api.parsers); urlencoded forms as DRF reads them,
    # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE. No endpoint takes a file: multipart is a 415.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
    ],
    # RFC 9457 problem details for every error (api.errors).
    "EXCEPTION_HANDLER": "api.errors.problem_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # api.throttles: failed authentication per address, token creation per user, writes per
    # user; in the cache, shared by every process (PRIVINDEX_CACHE_URL).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.WriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth-failure": os.environ.get("PRIVINDEX_API_AUTH_FAILURE_RATE") or "30/min",
        "token-create": os.environ.get("PRIVINDEX_API_TOKEN_CREATE_RATE") or "20/hour",
        "write": os.environ.get("PRIVINDEX_API_WRITE_RATE") or "300/min",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "privindex API",
    "DESCRIPTION": (
        "Projects, releases, files, roles, tokens, organizations, teams and audit events. "
        "Authenticate with a token (HTTP Basic `__token__:<token>` or `Bearer <token>`) or a "
        "signed-in session. Every error is an RFC 9457 problem (application/problem+json)."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set, wherever serializers use it.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationRoleEnum": "accounts.models.OrganizationRole",
        "ProjectRoleEnum": "projects.models.ProjectRoleName",
        "VisibilityEnum": "accounts.models.Visibility",
    },
}
# The largest request body the REST API reads (api.parsers): larger is a 413.
PRIVINDEX_API_MAX_BODY = env_int("PRIVINDEX_API_MAX_BODY", 64 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines can carry credentials in URLs: django.server logs only path + status.
        "django.server": {"level": "WARNING"},
        # httpx logs every request line at INFO: upstream URLs stay out of the logs.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
