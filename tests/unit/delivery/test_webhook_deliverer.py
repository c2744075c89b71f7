"""WebhookDeliverer against httpx.MockTransport: payloads, retries, errors that hide the path."""

from __future__ import annotations

import json

import httpx
import pytest
import stamina
from structlog.testing import capture_logs

from unifi_scanner.delivery import (
    USER_AGENT,
    ChatFormat,
    WebhookDeliverer,
    redact_url,
    webhook_deliverers,
)
from unifi_scanner.delivery.webhook import _backoff_hook, _retry_after_s, _TransientError
from unifi_scanner.errors import DeliveryError
from unifi_scanner.reports import render_json

SECRET_URL = "https://hooks.example.net/services/T000/B000/s3cr3t-t0ken?sig=abc"


@pytest.fixture(autouse=True)
def _stamina_testing():
    """Retries do not wait in these tests; up to 4 attempts."""
    with stamina.set_testing(True, attempts=4):
        yield


class Recorder:
    """A MockTransport handler answering from a script of responses, recording each request."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _deliverer(recorder: Recorder, url: str = SECRET_URL, **kwargs) -> WebhookDeliverer:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    return WebhookDeliverer(url, http=http, **kwargs)


async def test_posts_the_json_report_with_headers(busy_report):
    """A generic webhook receives the rendered JSON report verbatim, with JSON and UA headers."""
    recorder = Recorder(httpx.Response(204))
    deliverer = _deliverer(recorder, chat_format="generic")
    rendered = {"json": render_json(busy_report)}
    receipt = await deliverer.deliver(busy_report, rendered)
    (request,) = recorder.requests
    assert request.method == "POST"
    assert str(request.url) == SECRET_URL
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == USER_AGENT
    assert json.loads(request.content) == json.loads(rendered["json"])
    assert receipt.channel == "webhook"
    assert receipt.destinations == ("https://hooks.example.net/…",)
    assert receipt.detail == "HTTP 204"


async def test_retries_503_then_succeeds(busy_report):
    """Two 503 answers are retried; the third attempt's 200 delivers the report once."""
    recorder = Recorder(httpx.Response(503), httpx.Response(503), httpx.Response(200))
    receipt = await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 3
    assert receipt.detail == "HTTP 200"


async def test_retries_connection_errors(busy_report):
    """A refused connection is retried like a 5xx."""
    recorder = Recorder(httpx.ConnectError("Connection refused"), httpx.Response(200))
    await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 2


async def test_429_with_retry_after_is_retried(busy_report):
    """A 429 with a short Retry-After is retried and then delivered."""
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200))
    receipt = await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 2
    assert receipt.detail == "HTTP 200"


async def test_429_with_long_retry_after_gives_up_at_once(busy_report):
    """A Retry-After beyond max_retry_after_s ends the retries with an error that says so."""
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}))
    deliverer = _deliverer(recorder, max_retry_after_s=60)
    with pytest.raises(DeliveryError, match=r"HTTP 429 \(retry after 3600 s\)") as info:
        await deliverer.deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 1
    assert info.value.channel == "webhook"


def test_backoff_hook_waits_the_retry_after():
    """The backoff hook returns the server's Retry-After, backoff without one, no for others."""
    hook = _backoff_hook(60.0)
    assert hook(_TransientError("429", retry_after=7.0)) == 7.0
    assert hook(_TransientError("503")) is True
    assert hook(_TransientError("429", retry_after=61.0)) is False
    assert hook(ValueError("bug")) is False


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "12"}, 12.0),
        (
            {
                "Retry-After": "Thu, 26 Nov 2026 06:00:30 GMT",
                "Date": "Thu, 26 Nov 2026 06:00:00 GMT",
            },
            30.0,
        ),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_parses_seconds_and_dates(headers, expected):
    """Retry-After is read as seconds or as an HTTP date relative to the response's Date."""
    assert _retry_after_s(httpx.Response(429, headers=headers)) == expected


async def test_404_is_final_and_hides_the_path(busy_report):
    """A 404 is not retried; the error names the host and never the secret path or query."""
    recorder = Recorder(httpx.Response(404))
    with capture_logs() as logs, pytest.raises(DeliveryError) as info:
        await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 1
    assert info.value.channel == "webhook"
    assert "hooks.example.net answered HTTP 404" in str(info.value)
    assert "s3cr3t" not in str(info.value)
    assert "s3cr3t" not in repr(logs)


async def test_exhausted_retries_raise_without_the_path(busy_report):
    """A webhook that keeps failing to connect ends in a DeliveryError naming only the host."""
    message = "cannot connect to /services/T000/B000/s3cr3t-t0ken (sig=abc)"
    recorder = Recorder(httpx.ConnectError(message))
    with capture_logs() as logs, pytest.raises(DeliveryError) as info:
        await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 4
    assert "could not reach hooks.example.net: ConnectError" in str(info.value)
    assert "s3cr3t" not in str(info.value)
    assert "sig=abc" not in str(info.value)
    assert "s3cr3t" not in repr(logs)


async def test_redirect_is_an_error(busy_report):
    """A 3xx is not followed: the report could otherwise end up somewhere unexpected."""
    recorder = Recorder(httpx.Response(302, headers={"Location": "https://elsewhere.example/"}))
    with pytest.raises(DeliveryError, match="HTTP 302"):
        await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 1


async def test_missing_json_rendering_is_an_error(busy_report):
    """Without the json rendering nothing is posted."""
    recorder = Recorder(httpx.Response(200))
    with pytest.raises(DeliveryError, match="not rendered: json"):
        await _deliverer(recorder).deliver(busy_report, {"text": "hi"})
    assert recorder.requests == []


async def test_slack_format_posts_a_summary(busy_report):
    """A Slack webhook gets a mrkdwn text with the counts and escaped finding titles."""
    recorder = Recorder(httpx.Response(200))
    url = "https://hooks.slack.com/services/T0/B0/xyz"
    await _deliverer(recorder, url=url).deliver(busy_report, {"json": "{}"})
    body = json.loads(recorder.requests[0].content)
    assert set(body) == {"text"}
    assert body["text"].startswith("*[UniFi Scanner] Home: 2 severe, 2 medium, 3 low*")
    assert "SEVERE: Problem &lt;1&gt; &amp; more (AP-1)\n" in body["text"]


async def test_own_client_is_created_with_a_timeout(busy_report, monkeypatch):
    """Without an injected client the deliverer opens one per delivery and closes it."""
    recorder = Recorder(httpx.Response(200))
    opened: list[httpx.AsyncClient] = []
    real = httpx.AsyncClient

    def factory(**kwargs):
        client = real(transport=httpx.MockTransport(recorder), **kwargs)
        opened.append(client)
        return client

    monkeypatch.setattr(httpx, "AsyncClient", factory)
    deliverer = WebhookDeliverer(SECRET_URL, timeout_s=3.0)
    await deliverer.deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 1
    assert opened[0].timeout == httpx.Timeout(3.0)
    assert opened[0].is_closed


def test_redact_url_keeps_scheme_host_and_port():
    """Redaction keeps the scheme, host and port and drops credentials, path and query."""
    assert redact_url("http://user:pw@[::1]:8080/a/b?c=d") == "http://[::1]:8080/…"
    assert redact_url(SECRET_URL) == "https://hooks.example.net/…"


@pytest.mark.parametrize("url", ["ftp://x.example/a", "https:///nohost", "hooks.example/a"])
def test_rejects_urls_that_are_not_http(url):
    """Only http(s) URLs with a host are accepted."""
    with pytest.raises(ValueError, match="http"):
        WebhookDeliverer(url)


def test_webhook_deliverers_names_several_apart():
    """One URL is named webhook; several get stable hashed names; duplicates are dropped."""
    (single,) = webhook_deliverers(["https://a.example/x"])
    assert single.name == "webhook"
    many = webhook_deliverers(
        ["https://a.example/x", "https://hooks.slack.com/services/y", "https://a.example/x"]
    )
    names = [d.name for d in many]
    assert len(names) == 2
    assert all(name.startswith("webhook-") and len(name) == 16 for name in names)
    reordered = webhook_deliverers(["https://hooks.slack.com/services/y", "https://a.example/x"])
    assert [d.name for d in reordered] == names[::-1]
    assert [d.chat_format for d in many] == [ChatFormat.GENERIC, ChatFormat.SLACK]


async def test_every_attempt_carries_the_report_id_as_idempotency_key(busy_report):
    """Retries of one report share one Idempotency-Key: the report's id."""
    recorder = Recorder(httpx.Response(503), httpx.Response(200))
    await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert [r.headers["Idempotency-Key"] for r in recorder.requests] == [busy_report.id] * 2


@pytest.mark.parametrize(
    "lost",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
    ],
)
async def test_a_request_sent_without_an_answer_is_not_repeated_at_once(busy_report, lost):
    """No answer after the body went out: one request only, an error saying it may have arrived."""
    recorder = Recorder(lost, httpx.Response(200))
    with pytest.raises(DeliveryError, match="may have arrived") as info:
        await _deliverer(recorder).deliver(busy_report, {"json": "{}"})
    assert len(recorder.requests) == 1
    assert "s3cr3t" not in str(info.value)
    assert info.value.channel == "webhook"
