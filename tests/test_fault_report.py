"""The arithmetic of `make bench-faults` (bench/fault_report.py): which errors fall inside a
fault's window, and how long the site took to answer cleanly once the service was back."""

import pytest

from bench.fault_report import analyse
from bench.faults import Plan

STARTED = 1_000.0  # epoch seconds; each bucket is one whole second


def run_with(by_second, *, postgres_back=22.0, redis_back=50.0, missing=()):
    load = {
        "requests": sum(n for _second, _status, n in by_second),
        "by_second": by_second,
        "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        **{key: 1.0 for key in ("p50_ms", "p99_ms", "max_ms")},
    }
    faults = [
        {"fault": "postgres restart", "began": STARTED + 20, "back": STARTED + postgres_back},
        {"fault": "redis down", "began": STARTED + 40, "back": STARTED + redis_back},
    ]
    publishing = {"published": [], "failed_attempts": []}
    visible = {"listing_errors": {}, "missing_from_listing": list(missing), "missing_from_api": []}
    return analyse(load, faults, publishing, visible, STARTED, STARTED + 60, Plan())


def clean_seconds(*seconds):
    return [[int(STARTED) + s, 200, 10] for s in seconds]


def test_errors_during_the_outage_count_in_its_window_not_outside():
    result = run_with([*clean_seconds(*range(60)), [int(STARTED) + 21, 503, 7]])
    assert result["errors_outside_fault_windows"] == 0
    postgres = result["faults"][0]
    assert postgres["errors"] == 7
    assert postgres["recovery_seconds"] == 0  # the last error came before the database was back
    assert all(result["checks"].values())


def test_errors_after_the_service_is_back_are_the_recovery_time():
    result = run_with([*clean_seconds(*range(60)), [int(STARTED) + 24, 500, 1]])
    assert result["faults"][0]["recovery_seconds"] == 3  # back at 22 s, clean from 25 s
    assert result["errors_outside_fault_windows"] == 0


def test_errors_past_the_recovery_target_are_outside_the_window_and_a_miss():
    result = run_with([*clean_seconds(*range(60)), [int(STARTED) + 30, 503, 2]])
    assert result["errors_outside_fault_windows"] == 2
    assert result["faults"][0]["recovery_seconds"] == 9
    assert not result["checks"]["no errors outside the fault windows"]
    assert not result["checks"]["recovery within 5 s"]


def test_an_item_missing_from_the_listing_is_a_miss():
    result = run_with(clean_seconds(*range(60)), missing=["faults-1-7"])
    assert not result["checks"]["every published item on the listing and in the API"]
    assert result["checks"]["no errors outside the fault windows"]


@pytest.mark.usefixtures("reference_data")
def test_the_editor_of_the_fault_run_publishes_through_the_publishing_door(django_user_model):
    from bench.publisher import publish_once
    from news.models import NewsItem

    editor = django_user_model.objects.create(username="bench-publisher", is_superuser=True)
    publish_once("faults-test-1", "Published under load", editor)
    item = NewsItem.objects.get(slug="faults-test-1")
    assert (item.is_public, item.version, item.updated_by) == (True, 2, editor)
