"""Guanxi settings. Every value that differs between installations comes from the environment.

See README "Configuration" for the variables. With nothing set, Guanxi runs on SQLite under
``var/`` with Huey on SQLite, which is what ``make demo`` uses.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from guanxi.config.env import env, guanxi_env, local_secret_key, require

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("GUANXI_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()
NODE_MODULES_DIR = Path(
    env.str("GUANXI_NODE_MODULES", default=str(PACKAGE_DIR.parent.parent / "node_modules"))
)

GUANXI_ENV = guanxi_env()
PRODUCTION = GUANXI_ENV == "production"
TESTING = GUANXI_ENV == "test"

if PRODUCTION:
    SECRET_KEY = require("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in require("ALLOWED_HOSTS").split(",") if h.strip()]
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

DEBUG = env.bool("DEBUG", default=GUANXI_ENV == "demo") and not PRODUCTION

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "guanxi.core",
    "guanxi.staff",
    "guanxi.customers",
    "guanxi.catalog",
    "guanxi.orders",
    "guanxi.loyalty",
    "guanxi.analytics",
    "guanxi.marketing",
    "guanxi.sales",
    "guanxi.service",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "guanxi.core.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guanxi.core.middleware.AuditContextMiddleware",
    "guanxi.staff.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guanxi.config.urls"
WSGI_APPLICATION = "guanxi.config.wsgi.application"
AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "staff:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanxi.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
SQLITE_OPTIONS = {
    # BEGIN IMMEDIATE takes the write lock at the start of a transaction, so two writers queue
    # on the busy timeout instead of failing with "database is locked" halfway through.
    "transaction_mode": "IMMEDIATE",
    "timeout": env.int("GUANXI_SQLITE_BUSY_TIMEOUT", default=10),
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
    ),
}
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'guanxi.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"]["TEST"] = {"NAME": env.str("GUANXI_TEST_SQLITE_NAME", default="") or None}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when configured) ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs ----------------------------------------------------------------------------
HUEY: dict[str, object] = {
    "name": "guanxi",
    "immediate": env.bool("GUANXI_HUEY_IMMEDIATE", default=TESTING),
    "results": True,
    "utc": True,
    "consumer": {"workers": env.int("GUANXI_HUEY_WORKERS", default=2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# --- Authentication and sessions ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle timeout: the session expires after this many minutes without a request.
SESSION_COOKIE_AGE = env.int("GUANXI_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout per (username, IP): a whole store shares one IP, so IP alone would lock everyone out.
AXES_FAILURE_LIMIT = env.int("GUANXI_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("GUANXI_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("GUANXI_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Guanxi"
# Owners and store managers must use two-factor sign-in when the organisation requires it.
# The organisation setting starts from this default (on in production).
GUANXI_REQUIRE_2FA_DEFAULT = env.bool("GUANXI_REQUIRE_2FA", default=PRODUCTION)

# --- Email ----------------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
elif TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="guanxi@localhost")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
GUANXI_CURRENCY = env.str("GUANXI_CURRENCY", default="CNY")
GUANXI_PHONE_REGION = env.str("GUANXI_PHONE_REGION", default="CN")
# Customer imports: larger files and workbooks are refused before they are read.
GUANXI_IMPORT_MAX_BYTES = env.int("GUANXI_IMPORT_MAX_MB", default=50) * 2**20
GUANXI_IMPORT_MAX_ROWS = env.int("GUANXI_IMPORT_MAX_ROWS", default=1_000_000)

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES_DIR / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES_DIR / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES_DIR / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guanxi.staff.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["guanxi.core.api.permissions.IsActiveStaff"],
    "DEFAULT_PAGINATION_CLASS": "guanxi.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "guanxi.core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guanxi CRM API",
    "DESCRIPTION": "REST API of Guanxi CRM. The same permissions as the web pages apply.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name ("source", "status"): name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "CustomerSourceEnum": "guanxi.customers.choices.Source",
        "ConsentSourceEnum": "guanxi.customers.choices.ConsentSource",
        "OrderSourceEnum": "guanxi.orders.choices.OrderSource",
        "OrderStatusEnum": "guanxi.orders.choices.OrderStatus",
        "CardStatusEnum": "guanxi.loyalty.choices.CardStatus",
    },
}

# --- Security -------------------------------------------------------------------------------------
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "WARNING"}},
}
