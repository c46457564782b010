"""
The one settings module of OSCE Portal, driven by the environment.

| variable                     | default                                   |
|------------------------------|-------------------------------------------|
| DJANGO_DEBUG                 | off                                       |
| DJANGO_SECRET_KEY            | required unless DJANGO_DEBUG is on        |
| DJANGO_ALLOWED_HOSTS         | localhost,127.0.0.1 in debug, else needed |
| DJANGO_CSRF_TRUSTED_ORIGINS  | none                                      |
| DATABASE_URL                 | sqlite:///<project>/db.sqlite3            |
| DATABASE_REPLICA_URLS        | none: every read from DATABASE_URL        |
| DATABASE_REPLICA_MAX_LAG     | 5 (seconds)                               |
| REDIS_URL                    | none: per-process memory cache            |
| MEDIA_ROOT                   | <project>/media                           |
| PRIVATE_MEDIA_ROOT           | <project>/private-media                   |
| DJANGO_TIME_ZONE             | Europe/Vienna                             |
| DJANGO_ADMIN_URL             | admin/                                    |
| DJANGO_PROXY_COUNT           | 1 with DJANGO_SECURE_PROXY_SSL_HEADER     |
| DJANGO_AXES_FAILURE_LIMIT    | 5                                         |
| DJANGO_AXES_COOLOFF_MINUTES  | 15                                        |
| SITE_URL                     | http://127.0.0.1:8000 in debug, else needed |
| EMAIL_HOST, EMAIL_PORT, …    | none: messages printed (README, "Email")  |
| DJANGO_TASKS_BACKEND         | database, or immediate in debug           |
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .environment import (
    POSTGRESQL_ENGINES,
    env_bool,
    env_list,
    replica_databases,
    site_database,
    without_jit,  # noqa: F401 (read by tests/test_settings.py as the settings apply it)
)

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "osceportal.apps.PortalAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "taggit",
    "reversion",
    "django_prose_editor",
    "axes",
    "languages",  # content languages, their addresses (/ru/…) and the site's words in each
    "countries",
    "structures",
    "news",
    "django_tasks",
    "django_tasks_db",  # the queue of background work, in the database (README, "Email alerts")
    "alerts",  # email alerts for any filter of the listing
    "sampledata",  # the synthetic corpus of the benchmark: `generate_news`
    "osceportal",  # site-wide: health check, robots.txt, backup and restore
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The language of a page is that of its address (/ru/…); cached pages are answered in it too.
    "languages.middleware.ContentLanguageMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Whether the request may read a replica, and its answer again on the primary if the replica
    # fails meanwhile: before the page cache, which asks which database a page is read from.
    "news.replicas.middleware.ReplicaMiddleware",
    # A page from the shared cache is answered here, with the headers the middleware below gave
    # it when it was made (Content-Security-Policy, Permissions-Policy, X-Frame-Options): none of
    # it runs again for a hit.
    "news.pagecache.PageCacheMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The back office in each person's own time zone (news/time_zones.py).
    "news.time_zones.EditorTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "osceportal.urls"

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
                "osceportal.context_processors.site",
                "languages.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "osceportal.wsgi.application"

DATABASES = {
    "default": site_database(
        dj_database_url.config(
            default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (README, "Read replicas"; news/replicas/): streaming standbys of DATABASE_URL's
# database, comma-separated URLs. Public reads go to one that answers and is at most
# DATABASE_REPLICA_MAX_LAG seconds behind; writes, the back office, signed-in staff and a
# client's requests just after it wrote go to the primary. None: nothing changes.
DATABASES |= replica_databases(env_list("DATABASE_REPLICA_URLS"))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
if DATABASE_REPLICAS and DATABASES["default"]["ENGINE"] not in POSTGRESQL_ENGINES:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs DATABASE_URL on PostgreSQL: the replicas are its standbys."
    )
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "5"))
DATABASE_ROUTERS = ["news.replicas.routing.ReplicaRouter"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Shared by every app server; if Redis fails, pages are served without it.
            "BACKEND": "osceportal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "osceportal",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What is kept under a key naming its content (the header menus' HTML, under the version of the
# menus it was made from: templates/includes/main_menu.html) is never stale, so each process
# keeps its own: no round trip to Redis on every page for 20 KB it has already seen.
CACHES["process"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "process",
    "OPTIONS": {"MAX_ENTRIES": 200},
}

# Anonymous GET responses of public pages are cached this long (news/pagecache.py). Only with
# Redis by default: a per-process cache cannot be invalidated on every server at once.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0"))
# Facet counts are kept per filter in the shared cache (news/listing/facets.py), for the same reason
# only when there is one.
FACET_CACHE = env_bool("FACET_CACHE", default=bool(REDIS_URL))
# The listing's facet counts and pages from an index kept in each process, current with the
# database through its change feed (news/listing/index.py); PostgreSQL only. Off: all in SQL.
LISTING_INDEX = env_bool("LISTING_INDEX", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Every account here is staff: a passphrase, not a password.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The organisation's six official languages: the site's own words have a catalogue in each
# (locale/), and a page in another content language shows them in its `chrome` language.
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("ru", "Русский"),
    ("es", "Español"),
]
# The languages news is written in (BCP 47), in the order editors are offered them: the official
# six, then the languages of the region. `search` is the PostgreSQL text search configuration of
# the language's texts ("simple": no stemming, where PostgreSQL has none; Bosnian, Croatian and
# Montenegrin share Serbian's, which stems Latin and Cyrillic alike); `chrome` the official
# language of the site's words on its pages (English unless given); `name` overrides CLDR's name
# of the language in itself. English is served unprefixed, every other language under /<code>/.
CENTRAL_ASIA_AND_CAUCASUS_CHROME = "ru"
CONTENT_LANGUAGES = {
    "en": {"search": "english", "chrome": "en"},
    "fr": {"search": "french", "chrome": "fr"},
    "de": {"search": "german", "chrome": "de"},
    "it": {"search": "italian", "chrome": "it"},
    "ru": {"search": "russian", "chrome": "ru"},
    "es": {"search": "spanish", "chrome": "es"},
    "sq": {"search": "simple"},
    "hy": {"search": "armenian", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "az": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "bs": {"search": "serbian"},
    "hr": {"search": "serbian"},
    "ka": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "kk": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "ky": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "mk": {"search": "simple"},
    "cnr": {"search": "serbian", "name": "Crnogorski", "english_name": "Montenegrin"},
    "ro": {"search": "romanian"},
    "sr": {"search": "serbian"},
    "tg": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "tr": {"search": "turkish"},
    "tk": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "uk": {"search": "simple"},
    "uz": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
    "pl": {"search": "simple"},
    "mn": {"search": "simple", "chrome": CENTRAL_ASIA_AND_CAUCASUS_CHROME},
}
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Vienna")
USE_I18N = True
# The catalogues of the public site's strings (README, "Languages"), and the formats of the
# languages whose dates the site writes otherwise than Django: English in full, "1 January 2013"
# where Django's en-gb writes "1 Jan 2013".
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["osceportal.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
# Photos that must no longer be reachable at their public address (of withdrawn items, replaced
# ones kept for the history) are moved here, under the same name. Never served by anyone.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "private-media")

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- security --------------------------------------------------------------------------------
# Behind a proxy that terminates TLS, set DJANGO_SECURE_PROXY_SSL_HEADER=1 so that Django trusts
# its X-Forwarded-Proto header.
BEHIND_PROXY = env_bool("DJANGO_SECURE_PROXY_SSL_HEADER")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of the app servers (a load balancer and nginx: 2). Only
# then is X-Forwarded-For read for the visitor's address, and only its entries that our own
# proxies added: anything further left was sent by the visitor and may be forged.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The header only allows submitting the domain to the browsers' preload list; it submits nothing.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 60 * 60)))
# A back-office session ends with the browser (a shared office computer) and, in any case, a
# working day after signing in: it is not renewed by every request.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# The back office answers here ("admin/" by default). Another address keeps it away from the
# bots that try /admin/ on every site; it is no secret that protects anything by itself.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_URL is empty: give a path such as 'back-office/'.")

# Content-Security-Policy: every page loads nothing but the site's own files and runs no inline
# script. The one inline script in the back office, the rich-text editor's import map, carries
# the nonce of its response (templates/admin/change_form.html). A page that asks for no nonce,
# every public page, gets the sentinel stripped: `script-src 'self'`.
# The one inline stylesheet: the editor's Tiptap core adds its rules as a <style> element (in
# django-prose-editor 0.28), taking no nonce from the widget. It is allowed by its hash, which
# changes with its text: tests/browser/test_admin_csp.py then fails, and Chromium's console
# names the new hash.
EDITOR_CORE_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, EDITOR_CORE_STYLE_HASH],
        "img-src": [SELF, *env_list("DJANGO_CSP_IMAGE_ORIGINS")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Permissions-Policy: a news site asks for none of the browser's powerful features, and embeds
# nothing that may (django-permissions-policy). Names Chromium does not know are left out: it
# reports each one as an error on every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
        "payment", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    ]
}  # fmt: skip

# Login throttling (django-axes): after DJANGO_AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused for DJANGO_AXES_COOLOFF_MINUTES. The pair, not
# the address alone: a field office's 30 editors share one address behind its NAT, and one
# mistyping colleague must not lock out the rest; nor the username alone, which would let anyone
# anywhere lock an editor out. The attempts are kept in the database, shared by every server.
# Unlock at once with `manage.py axes_reset_username NAME` (or `axes_reset` for everyone).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
if PROXY_COUNT:
    # django-ipware counts the proxies *after* the client in X-Forwarded-For; the nearest proxy
    # is the connection itself, not an entry. Not strict: a forged entry on the left is skipped.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    IPWARE_STRICT = False

# --- email and email alerts (README, "Email alerts") ------------------------------------------
# Real SMTP whenever a server is configured, debug or not; otherwise messages are printed.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'console'}.EmailBackend"
EMAIL_USE_TLS, EMAIL_USE_SSL = env_bool("EMAIL_USE_TLS"), env_bool("EMAIL_USE_SSL")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or (587 if EMAIL_USE_TLS else 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "OSCE Portal <noreply@localhost>"
)
# What the links in messages start with: a worker writes them outside any request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# Items issued longer ago than this when they go public (an archive import) are not announced;
# digests go out at this hour of TIME_ZONE, daily and on Mondays; uses of the subscribe form per
# hour, for one address and from one client.
ALERT_ITEM_MAX_AGE_DAYS = int(os.environ.get("ALERT_ITEM_MAX_AGE_DAYS", "7"))
ALERT_DIGEST_HOUR = int(os.environ.get("ALERT_DIGEST_HOUR", "8"))
ALERT_SUBSCRIBE_LIMIT_PER_ADDRESS = int(os.environ.get("ALERT_SUBSCRIBE_LIMIT_PER_ADDRESS", "3"))
ALERT_SUBSCRIBE_LIMIT_PER_CLIENT = int(os.environ.get("ALERT_SUBSCRIBE_LIMIT_PER_CLIENT", "20"))
# Background work (django-tasks): queued in the database and run by `manage.py db_worker` in
# production; run at once, in the request that queued it, for `make run`.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_TASKS_BACKEND={TASKS_BACKEND!r}: use one of {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

# The organisation's own name and the reference data bundled with the project.
SITE_NAME = "OSCE Portal"
REFERENCE_DATA_FILE = BASE_DIR / "osceportal" / "data" / "osce.yaml"
DEMO_NEWS_FILE = BASE_DIR / "osceportal" / "data" / "demo_news.jsonl"
