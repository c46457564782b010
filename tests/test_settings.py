import json
import os
import subprocess
import sys

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection

from osceportal.settings import without_jit


def run_check(env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_module_with(
    env_changes, names=("AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT")
):
    """These settings as the project's settings module makes them of these variables (and
    django-axes completes them)."""
    code = (
        "import json, django; django.setup(); from axes.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "osceportal.settings", "DJANGO_DEBUG": "1", **env_changes}
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_missing_secret_key_fails_loudly_outside_debug():
    result = run_check({"DJANGO_SETTINGS_MODULE": "osceportal.settings"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = run_check({"DJANGO_SETTINGS_MODULE": "osceportal.settings", "DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "deployment",
    [
        {},
        {
            "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
            "DJANGO_PROXY_COUNT": "2",
            "DJANGO_ADMIN_URL": "back-office/",
            "DJANGO_AXES_FAILURE_LIMIT": "10",
            "DJANGO_AXES_COOLOFF_MINUTES": "30",
        },
    ],
    ids=["defaults", "behind-proxies"],
)
def test_deploy_check_passes_with_production_settings(deployment):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "osceportal.settings",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "news.example.org",
            "SITE_URL": "https://news.example.org",
            **deployment,
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_asks_for_the_address_links_in_messages_start_with():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("SITE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "osceportal.settings",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "news.example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "alerts.E001" in result.stderr + result.stdout


EMAIL_NAMES = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL")


def test_email_is_printed_when_no_server_is_configured():
    found = settings_module_with({"EMAIL_HOST": ""}, names=EMAIL_NAMES)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_email_goes_by_smtp_whenever_a_server_is_configured_in_debug_too():
    found = settings_module_with(
        {
            "EMAIL_HOST": "smtp.example.org",
            "EMAIL_USE_TLS": "1",
            "DEFAULT_FROM_EMAIL": "OSCE <news@example.org>",
        },
        names=EMAIL_NAMES,
    )
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "OSCE <news@example.org>",
    }


def test_an_unknown_task_backend_fails_loudly():
    result = run_check(
        {
            "DJANGO_SETTINGS_MODULE": "osceportal.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_TASKS_BACKEND": "celery",
        }
    )
    assert result.returncode != 0
    assert "DJANGO_TASKS_BACKEND='celery'" in result.stderr


def directives(response):
    """The response's Content-Security-Policy as {directive: [sources]}."""
    policy = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def test_public_pages_carry_a_strict_content_security_policy(client, db):
    policy = directives(client.get("/healthz"))
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_admin_runs_the_editors_import_map_by_the_nonce_of_its_response(admin_client):
    response = admin_client.get("/admin/news/newsitem/add/")
    [nonce] = [s for s in directives(response)["script-src"] if s.startswith("'nonce-")]
    assert f'<script type="importmap" nonce="{nonce[7:-1]}">' in response.content.decode()
    # A new nonce for every response.
    again = directives(admin_client.get("/admin/news/newsitem/add/"))["script-src"]
    assert nonce not in again


def test_admin_pages_are_under_the_same_policy(admin_client):
    policy = directives(admin_client.get("/admin/news/newsitem/"))
    assert policy["script-src"] == ["'self'"] and policy["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/healthz", "/admin/login/"])
def test_every_response_turns_off_the_browser_features_the_site_does_not_use(client, db, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]:
        assert f"{feature}=()" in policy


def test_login_throttle_reads_forwarded_addresses_only_behind_a_proxy():
    # Axes' default: the connection's own address.
    assert settings_module_with({})["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    one_proxy = settings_module_with({"DJANGO_SECURE_PROXY_SSL_HEADER": "1"})
    assert one_proxy == {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        # The entry the proxy added, the last: no proxy after the client in the header.
        "AXES_IPWARE_PROXY_COUNT": 0,
    }
    two_proxies = settings_module_with({"DJANGO_PROXY_COUNT": "2"})
    assert two_proxies["AXES_IPWARE_PROXY_COUNT"] == 1


def test_an_empty_admin_address_fails_loudly():
    result = run_check(
        {
            "DJANGO_SETTINGS_MODULE": "osceportal.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_ADMIN_URL": "/",
        }
    )
    assert result.returncode != 0
    assert "DJANGO_ADMIN_URL is empty" in result.stderr


@pytest.mark.django_db
def test_postgresql_runs_the_sites_statements_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_jit_off_keeps_the_options_of_the_database_address():
    url = "postgres://u@h/db?options=-c%20statement_timeout%3D5000"
    database = without_jit(dj_database_url.parse(url))
    assert database["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    sqlite = without_jit(dj_database_url.parse("sqlite:///db.sqlite3"))
    assert "options" not in sqlite.get("OPTIONS", {})
