"""Delivery over real sockets: a webhook receiver (uvicorn) and SMTP (aiosmtpd) on loopback.

The report comes from a real scan of the simulated controller; the outbox test stores its record
in the real SQLite state store and brings the receiver up only after the first attempt failed.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema
import pytest
import uvicorn
from aiosmtpd.smtp import SMTP
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from unifi_scanner import app
from unifi_scanner.delivery import (
    USER_AGENT,
    CapturingDeliverer,
    Outbox,
    SmtpDeliverer,
    WebhookDeliverer,
    subject_line,
)
from unifi_scanner.errors import DeliveryError
from unifi_scanner.reports import RENDERERS
from unifi_scanner.state import SqliteStateStore

from .conftest import frozen_now

if TYPE_CHECKING:
    from starlette.requests import Request

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "report.schema.json").read_text())
TOKEN = "T0K3N-s3cret"

pytestmark = pytest.mark.e2e


class Receiver:
    """A webhook receiver: ``POST /hooks/<TOKEN>`` is kept and answered 200, anything else 404."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/{TOKEN}"
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def _hook(self, request: Request) -> Response:
        if request.path_params["token"] != TOKEN:
            return Response(status_code=404)
        self.posts.append((dict(request.headers), await request.body()))
        return Response(status_code=200)

    async def start(self) -> None:
        """Serve on the bound socket and wait until uvicorn accepts connections."""
        routes = [Route("/hooks/{token}", self._hook, methods=["POST"])]
        config = uvicorn.Config(Starlette(routes=routes), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self.sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Stop uvicorn (when started) and close the socket."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self.sock.close()


@pytest.fixture(name="receiver")
async def receiver_fixture():
    """A webhook receiver bound to an ephemeral loopback port, not yet started."""
    receiver = Receiver()
    yield receiver
    await receiver.stop()


class Inbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ARG002 - aiosmtpd's hook
        self.envelopes.append(envelope)
        return "250 OK queued"


@pytest.fixture(name="smtp_server")
async def smtp_server_fixture():
    """A plain SMTP server (aiosmtpd) on an ephemeral loopback port: (inbox, port)."""
    inbox = Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(inbox, hostname="127.0.0.1"), "127.0.0.1", 0)
    yield inbox, server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.fixture(name="scanned_report")
async def scanned_report_fixture(settings):
    """The report of one real scan of the simulator (delivered only to a capture)."""
    (outcome,) = await app.run_once(settings, now=frozen_now, deliverers=[CapturingDeliverer()])
    return outcome.report


async def test_scan_delivers_by_webhook_and_smtp(settings, receiver, smtp_server):
    """A scan posts a schema-valid JSON report to the webhook and mails text + HTML alternatives."""
    inbox, smtp_port = smtp_server
    await receiver.start()
    deliverers = [
        WebhookDeliverer(receiver.url, chat_format="generic"),
        SmtpDeliverer(
            host="127.0.0.1",
            port=smtp_port,
            sender="scanner@example.test",
            recipients=["admin@example.test"],
            starttls=False,
        ),
    ]
    (outcome,) = await app.run_once(settings, now=frozen_now, deliverers=deliverers)
    assert outcome.problems == ()
    assert {r.channel for r in outcome.receipts} == {"webhook", "smtp"}
    assert TOKEN not in repr(outcome.receipts)

    (headers, body) = receiver.posts[0]
    assert len(receiver.posts) == 1
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == USER_AGENT
    posted = json.loads(body)
    jsonschema.validate(posted, SCHEMA)
    assert posted["site"] == "default"
    assert posted["summary"]["severe"] == outcome.report.summary.severe > 0
    rules = {(f["rule"], f["subject"]) for f in posted["findings"]}
    assert ("device.offline", "AP-Warehouse") in rules

    (envelope,) = inbox.envelopes
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert envelope.rcpt_tos == ["admin@example.test"]
    assert message["Subject"] == subject_line(outcome.report)
    counts = outcome.report.summary
    assert f"{counts.severe} severe, {counts.medium} medium, {counts.low} low" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert "AP-Warehouse" in text.get_content()
    assert "AP-Warehouse" in html.get_content()
    assert "<html" in html.get_content().lower()


async def test_wrong_token_is_a_final_error_without_the_token(scanned_report, receiver):
    """A 404 from the receiver fails delivery with the host named and the token hidden."""
    await receiver.start()
    deliverer = WebhookDeliverer(f"http://127.0.0.1:{receiver.port}/hooks/wrong-s3cret")
    rendered = {"json": RENDERERS["json"](scanned_report)}
    with pytest.raises(DeliveryError, match=r"127\.0\.0\.1 answered HTTP 404") as info:
        await deliverer.deliver(scanned_report, rendered)
    assert "s3cret" not in str(info.value)
    assert receiver.posts == []


async def test_outbox_keeps_report_until_receiver_is_up(scanned_report, receiver, tmp_path):
    """Receiver down: the report is kept; receiver up: the next flush delivers it exactly once."""
    rendered = {fmt: render(scanned_report) for fmt, render in RENDERERS.items()}
    deliverer = WebhookDeliverer(receiver.url, chat_format="generic", attempts=1)
    with SqliteStateStore(tmp_path / "state.sqlite3", frozen_now) as store:
        first = await Outbox(store, frozen_now).deliver(scanned_report, rendered, [deliverer])
        assert first.receipts == ()
        assert first.secured
        assert "could not reach 127.0.0.1: ConnectError" in first.problems[0]
        assert TOKEN not in first.problems[0]

    await receiver.start()
    with SqliteStateStore(tmp_path / "state.sqlite3", frozen_now) as store:
        outbox = Outbox(store, frozen_now)
        assert [e.channel for e in outbox.pending()] == ["webhook"]
        flushed = await outbox.flush([deliverer])
        again = await outbox.flush([deliverer])
        repeat = await outbox.deliver(scanned_report, rendered, [deliverer])
        assert outbox.pending() == []

    assert [r.channel for r in flushed.receipts] == ["webhook"]
    assert again.receipts == ()
    assert repeat.skipped == ("webhook",)
    assert len(receiver.posts) == 1
    posted = json.loads(receiver.posts[0][1])
    jsonschema.validate(posted, SCHEMA)
    assert posted == json.loads(rendered["json"])


async def test_run_once_keeps_a_failed_webhook_and_sends_it_next_run(settings, receiver):
    """A scan whose webhook is down keeps the report; the next scan sends it first, once."""
    from datetime import timedelta

    from unifi_scanner.config import WebhookSettings

    hooked = settings.model_copy(
        update={"webhook": WebhookSettings(urls=(receiver.url,), attempts=1)}
    )
    (first,) = await app.run_once(hooked, now=frozen_now)
    assert any("webhook" in problem for problem in first.problems)
    assert receiver.posts == []

    await receiver.start()
    later = frozen_now() + timedelta(hours=1)
    (second,) = await app.run_once(hooked, now=lambda: later)
    bodies = [json.loads(body) for _, body in receiver.posts]
    assert second.problems == ()
    assert [b["period"]["end"][:16] for b in bodies] == ["2026-11-26T12:00", "2026-11-26T13:00"]

    (third,) = await app.run_once(hooked, now=lambda: later + timedelta(hours=1))
    assert len(receiver.posts) == 3, "the kept report is not sent again"
    assert third.problems == ()
