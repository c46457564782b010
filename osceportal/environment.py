"""Reading the environment for the settings module (osceportal/settings.py): flags, lists, and
the database entries it makes of DATABASE_URL and DATABASE_REPLICA_URLS."""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


# Django's PostgreSQL backend, and the site's own: the same, with a health check that costs no
# round trip (osceportal/postgresql/base.py).
POSTGRESQL_ENGINES = ("django.db.backends.postgresql", "osceportal.postgresql")


def site_database(database):
    """A DATABASES entry as the site connects: PostgreSQL through the site's backend, without
    JIT."""
    if database["ENGINE"] == POSTGRESQL_ENGINES[0]:
        database = without_jit(database)
        database["ENGINE"] = POSTGRESQL_ENGINES[1]
    return database


def without_jit(database):
    """A PostgreSQL connection with the JIT compiler off. It compiles any statement whose
    estimated cost passes jit_above_cost: a back-office search at a million items spent 13-15 ms
    of its 120-180 ms in compilation, every time (bench/README.md, "Admin at a million items").
    Pages run short statements, once each: compiled code is never reused long enough to pay."""
    if database["ENGINE"] in POSTGRESQL_ENGINES:
        options = database.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options"), "-c jit=off"]))
    return database


def replica_databases(urls):
    """{alias: DATABASES entry} of each read replica: connected as `default` is, and a copy of
    it, so the test runner makes no database of its own (MIRROR). A replica that does not accept
    a connection within 2 s is taken for down (news/replicas/health.py)."""
    replicas = {}
    for number, url in enumerate(urls, start=1):
        database = dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
        if database["ENGINE"] not in POSTGRESQL_ENGINES:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: {url.split('://')[0]}:// is not PostgreSQL. Read "
                "replicas are PostgreSQL streaming standbys of DATABASE_URL's database."
            )
        database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
        database["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = site_database(database)
    return replicas
