"""Hostile input on the pages of email alerts: the subscribe form's query and fields, and made-up
or mangled tokens in the links of messages. A clear answer every time, never a 500, nothing
unescaped, and nothing stored by a refused request."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.models import Subscriber

from .fuzzing import (
    MARKER,
    body_of,
    check_answer,
    encoded,
    fuzz_settings,
    queries,
    real_values,
    texts,
    wire,
)

pytestmark = pytest.mark.usefixtures("demo_news")

SUBSCRIBE = "/alerts/subscribe/"
TOKEN_PAGES = ["/alerts/confirm/{}/", "/alerts/manage/{}/", "/alerts/unsubscribe/{}/",
               "/alerts/unsubscribe-all/{}/"]  # fmt: skip


def assert_clear(response, shown):
    body = body_of(response)
    assert response.status_code in {200, 302, 400, 404, 410, 429}, (shown, response.status_code)
    assert b"Traceback" not in body, shown
    assert MARKER.encode() not in body, shown


def test_the_subscribe_page_answers_hostile_queries_without_a_500(visitor):
    real = real_values()

    @fuzz_settings(300)
    @given(query=queries(real))
    def fuzz(query):
        check_answer(visitor, SUBSCRIBE, query)

    fuzz()


def test_the_subscribe_form_answers_hostile_fields_without_a_500(visitor, settings):
    settings.ALERT_SUBSCRIBE_LIMIT_PER_CLIENT = 10**6
    real = real_values()
    field_values = st.one_of(texts, st.sampled_from(["immediately", "daily", "weekly", "en"]))

    @fuzz_settings(300)
    @given(
        query=queries(real),
        email=field_values,
        frequency=field_values,
        language=field_values,
    )
    def fuzz(query, email, frequency, language):
        before = Subscriber.objects.count()
        data = {"email": email, "frequency": frequency, "language": language}
        # As a browser encodes a form (a lone surrogate as its UTF-8 bytes).
        body = "&".join(f"{key}={encoded(value)}" for key, value in data.items())
        response = visitor.post(
            f"{SUBSCRIBE}?{query}", body, content_type="application/x-www-form-urlencoded"
        )
        assert_clear(response, (query[:200], data))
        if response.status_code != 302:
            assert Subscriber.objects.count() == before

    fuzz()


def test_made_up_tokens_find_nothing(visitor):
    @fuzz_settings(200)
    @given(page=st.sampled_from(TOKEN_PAGES), token=wire(texts), method=st.sampled_from("GP"))
    def fuzz(page, token, method):
        path = page.format(token)
        if not token or "/" in token or "?" in token or "#" in token:
            return
        send = visitor.get if method == "G" else visitor.post
        response = send(path)
        assert_clear(response, path)
        assert response.status_code in {404, 410}, (path, response.status_code)

    fuzz()
