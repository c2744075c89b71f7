"""Shared parts of the reliability tests: a webhook receiver, the CLI as a process, a ledger.

* :class:`Hook` is a real HTTP server (uvicorn on loopback) that keeps every POST with its
  ``Idempotency-Key``; it can answer, refuse (``503``), or hold a request unanswered until told.
* :func:`run_cli` starts ``python -m unifi_scanner`` as a real process on this test's event loop
  (the simulator keeps serving while it runs).
* :class:`Ledger` records, for each report a scan built, which occurrences it covered: the
  spy wraps the analysis engine of the process it runs in.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from unifi_scanner.collect import IPS_KEY, TRAFFIC_FLOW_KEY

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from starlette.requests import Request

    from unifi_scanner.collect import Event
    from unifi_scanner.config import Settings

__all__ = [
    "Finished",
    "Hook",
    "Post",
    "cli_env",
    "finish",
    "occurrence",
    "run_cli",
    "start_cli",
    "until",
]


def occurrence(event: Event) -> str:
    """What one occurrence is, whatever endpoint reported it.

    An IPS alert is its flow and signature (the v2 endpoints give one alert other ids); any
    other event is its key, subject (client, else device) and time to the millisecond
    (``stat/event`` and ``system-log`` give one event other ids). Ground truth for tests only:
    a test that uses it checks that its reference has no two events alike.
    """
    if event.key in {IPS_KEY, TRAFFIC_FLOW_KEY} or event.key.startswith("THREAT_"):
        params = event.params
        when = int(event.time.timestamp())
        sid = params.get("inner_alert_signature_id")
        return f"ips:{params.get('src_ip')}|{params.get('dest_ip')}|{when}|{sid}"
    subject = event.client_mac or event.device_mac or "-"
    return f"{event.key}|{subject}|{event.time.isoformat(timespec='milliseconds')}"


@dataclass(frozen=True, slots=True)
class Post:
    """One request the hook received."""

    key: str | None
    body: bytes

    @property
    def report(self) -> dict[str, Any]:
        """The JSON body."""
        return json.loads(self.body)


@dataclass
class Hook:
    """A webhook receiver on an ephemeral loopback port.

    ``mode`` is ``"ok"`` (answer 200), ``"down"`` (answer 503) or ``"hold"`` (read the body,
    keep it, then answer nothing until :meth:`release`).
    """

    mode: str = "ok"
    posts: list[Post] = field(default_factory=list)
    received: asyncio.Event = field(default_factory=asyncio.Event)
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None
    _sock: socket.socket | None = None

    @property
    def url(self) -> str:
        """Where to POST."""
        assert self._sock is not None
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/hook"

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        if self.mode == "down":
            return Response(status_code=503)
        self.posts.append(Post(request.headers.get("idempotency-key"), body))
        self.received.set()
        if self.mode == "hold":
            await self._release.wait()
        return Response(status_code=200)

    def release(self) -> None:
        """Let held requests answer (and later ones answer at once)."""
        self.mode = "ok"
        self._release.set()

    def keys(self) -> list[str | None]:
        """The Idempotency-Key of every POST received, in order."""
        return [post.key for post in self.posts]

    async def start(self) -> None:
        """Serve until :meth:`stop`."""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        routes = [Route("/hook", self._hook, methods=["POST"])]
        config = uvicorn.Config(Starlette(routes=routes), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Stop serving."""
        self._release.set()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            self._server.force_exit = True
            await self._task
        if self._sock is not None:
            self._sock.close()


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a scanner process configured like ``settings`` (plus ``extra``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    env |= {
        "UNIFI_HOST": settings.host or "",
        "UNIFI_PORT": str(settings.port),
        "UNIFI_USERNAME": settings.username or "",
        "UNIFI_PASSWORD": settings.password.get_secret_value() if settings.password else "",
        "UNIFI_CA_BUNDLE": str(settings.ca_bundle),
        "UNIFI_STATE_PATH": str(settings.state_path),
        "UNIFI_OUTPUT_DIR": str(settings.output_dir),
        "UNIFI_REPORT_FORMATS": ",".join(settings.report_formats),
        "UNIFI_LOG_FORMAT": "json",
    }
    return env | extra


@dataclass(frozen=True, slots=True)
class Finished:
    """A finished scanner process."""

    returncode: int
    stdout: str
    stderr: str


async def start_cli(*args: str, env: Mapping[str, str]) -> asyncio.subprocess.Process:
    """Start ``python -m unifi_scanner ARGS`` with pipes for its output."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "unifi_scanner",
        *args,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout_s: float = 60.0) -> Finished:
    """Wait for ``process`` and collect its output."""
    async with asyncio.timeout(timeout_s):
        stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


async def run_cli(*args: str, env: Mapping[str, str], timeout_s: float = 60.0) -> Finished:
    """Run ``python -m unifi_scanner ARGS`` to the end."""
    return await finish(await start_cli(*args, env=env), timeout_s)


async def until(condition: Callable[[], object], *, timeout_s: float = 30.0) -> None:
    """Wait (polling the loop) until ``condition()`` is true; fail after ``timeout_s``."""
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 - set by request handlers that signal nothing
            await asyncio.sleep(0.01)
