"""Serving the simulator over real sockets: :class:`SimulatorServer` and :func:`run_forever`."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import ssl
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Self

import trustme
import uvicorn

from unifi_scanner.errors import ScannerError
from unifi_scanner.simulator.app import create_app
from unifi_scanner.simulator.config import SimulatorConfig

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from starlette.applications import Starlette

    from unifi_scanner.simulator.state import SimulatorState

__all__ = [
    "LoopbackServer",
    "QuietServer",
    "SimulatorServer",
    "bind_socket",
    "run_forever",
    "start_uvicorn",
]

logger = logging.getLogger(__name__)


class QuietServer(uvicorn.Server):
    """uvicorn without its own SIGINT/SIGTERM handlers: whoever runs the simulator stops it.

    uvicorn's handlers would stop the server and then raise the signal again once it is down,
    killing the process before :meth:`SimulatorServer.stop` could remove the certificate files
    (and, inside pytest, swallowing Ctrl-C).
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the process's signal handlers alone."""
        yield


class HeldRequests:
    """Requests held by a "hang" fault: each waits until its time is up or :meth:`release`."""

    def __init__(self) -> None:
        self._release = asyncio.Event()

    async def hold(self, seconds: float) -> None:
        """Hold a request up to ``seconds``, or until :meth:`release`."""
        try:
            async with asyncio.timeout(seconds):
                await self._release.wait()
        except TimeoutError:
            return

    def release(self) -> None:
        """Let every held request answer (and the next ones pass straight through)."""
        self._release.set()
        self._release = asyncio.Event()


class LoopbackServer:
    """A Starlette app served by uvicorn on one socket, as an async context manager.

    Args:
        app: the application.
        host: the address to bind.
        port: the port to bind; ``0`` picks a free one (read it back from :attr:`port`).
    """

    what: ClassVar[str] = "the server"
    """Its name in messages ("the simulator")."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._server: QuietServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The bound port (only after start)."""
        if self._port is None:
            raise ScannerError(f"{self.what} is not running")
        return self._port

    @property
    def running(self) -> bool:
        """Whether it serves now."""
        return self._server is not None

    async def _serve(self, certfile: str | None = None, keyfile: str | None = None) -> None:
        """Bind the socket, start uvicorn and wait until it accepts connections."""
        sock = bind_socket(self.host, self._requested_port, self.what)
        self._port = sock.getsockname()[1]
        self._server, self._task = await start_uvicorn(
            self.app, sock, certfile=certfile, keyfile=keyfile, what=self.what
        )

    async def _shutdown(self) -> None:
        """Stop uvicorn (its open requests finish first)."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None

    async def start(self) -> None:
        """Start serving."""
        await self._serve()

    async def stop(self) -> None:
        """Stop serving."""
        await self._shutdown()

    async def __aenter__(self) -> Self:
        """Start serving."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop serving."""
        await self.stop()


class SimulatorServer(LoopbackServer):
    """The simulator served by uvicorn on a real socket (an ephemeral port by default).

    Use it as an async context manager::

        async with SimulatorServer(SimulatorConfig(), tls=True) as server:
            server.base_url, server.ca_pem_path, server.cert_fingerprint

    Args:
        config: the simulator's configuration (defaults: UniFi OS, Network 9, ``demo``).
        tls: serve HTTPS/WSS with a certificate from a throw-away ``trustme`` CA.
        host: the address to bind.
        port: the port to bind; ``0`` picks a free one (read it back from :attr:`port`).
    """

    what = "the simulator"

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        tls: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config or SimulatorConfig()
        super().__init__(create_app(self.config), host=host, port=port)
        self.tls = tls
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.ca_pem: bytes | None = None
        self.ca_pem_path: Path | None = None
        self.cert_fingerprint: str | None = None

    @property
    def state(self) -> SimulatorState:
        """The running simulator's mutable state (faults, sessions, site, websockets)."""
        state: SimulatorState = self.app.state.sim
        return state

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<port>`` (or ``http://`` without TLS)."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def websocket_url(self) -> str:
        """The events websocket of the ``default`` site on this flavour."""
        scheme = "wss" if self.tls else "ws"
        return f"{scheme}://{self.host}:{self.port}{self.config.prefix}/wss/s/default/events"

    @property
    def username(self) -> str:
        """The local account's name."""
        return self.config.username

    @property
    def password(self) -> str:
        """The local account's password."""
        return self.config.password

    def ssl_context(self) -> ssl.SSLContext:
        """A client SSL context that trusts this server's CA (TLS only).

        Returns:
            The context.
        """
        if self.ca_pem is None:
            raise ScannerError("the simulator is not serving TLS")
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    def _certificates(self, directory: Path) -> tuple[str, str]:
        ca = trustme.CA()
        leaf = ca.issue_cert(self.host, "localhost")
        self.ca_pem = ca.cert_pem.bytes()
        self.ca_pem_path = directory / "ca.pem"
        self.ca_pem_path.write_bytes(self.ca_pem)
        cert_path, key_path = directory / "server.pem", directory / "server.key"
        cert_path.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        key_path.write_bytes(leaf.private_key_pem.bytes())
        der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
        self.cert_fingerprint = hashlib.sha256(der).hexdigest()
        return str(cert_path), str(key_path)

    async def start(self) -> None:
        """Bind the socket, start uvicorn and wait until it accepts connections."""
        certfile = keyfile = None
        if self.tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="unifi-sim-")
            certfile, keyfile = self._certificates(Path(self._tmp.name))
        await self._serve(certfile, keyfile)
        logger.info(
            "simulated UniFi controller at %s (%s, Network %s, scenario %s); user %r password %r",
            self.base_url,
            self.config.flavour,
            self.config.network,
            self.config.scenario,
            self.username,
            self.password,
        )

    async def stop(self) -> None:
        """Close open websockets, stop uvicorn and remove the certificate files."""
        if self.running:
            self.state.broadcast("drop", "")
            self.state.book.release()  # requests held by a "hang" fault answer now
        await self._shutdown()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def bind_socket(host: str, port: int, what: str) -> socket.socket:
    """A listening-ready TCP socket bound to ``host:port`` (``0``: any free port).

    Args:
        host: the address.
        port: the port.
        what: the server's name for the error message.

    Returns:
        The bound socket (``TCP_NODELAY``: small replies do not wait for a delayed ACK).

    Raises:
        ScannerError: the address cannot be bound.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it every small reply waits for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ScannerError(f"cannot bind {what} to {host}:{port}: {err}") from err
    return sock


async def start_uvicorn(
    app: Starlette,
    sock: socket.socket,
    *,
    what: str,
    certfile: str | None = None,
    keyfile: str | None = None,
) -> tuple[QuietServer, asyncio.Task[None]]:
    """Serve ``app`` on ``sock`` with uvicorn and wait until it accepts connections.

    Args:
        app: the application.
        sock: a bound socket (:func:`bind_socket`).
        what: the server's name for the error message.
        certfile: the certificate chain (PEM) to serve TLS with.
        keyfile: its private key.

    Returns:
        The server and the task serving it (set ``should_exit`` and await the task to stop).

    Raises:
        ScannerError: the server stopped while starting.
    """
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        timeout_graceful_shutdown=2,
    )
    server = QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise ScannerError(f"{what} stopped while starting")
        await asyncio.sleep(0.005)
    return server, task


async def run_forever(
    config: SimulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    tls: bool = True,
    ready: asyncio.Event | None = None,
) -> None:
    """Serve the simulator until cancelled (for ``unifi-scanner simulate``).

    Args:
        config: the simulator's configuration.
        host: the address to bind.
        port: the port to bind (``0`` for any free port).
        tls: serve HTTPS with a throw-away CA (its PEM path is logged).
        ready: set once the server accepts connections.
    """
    async with SimulatorServer(config, tls=tls, host=host, port=port) as server:
        if server.ca_pem_path is not None:
            logger.info(
                "CA certificate %s; server certificate SHA-256 %s",
                server.ca_pem_path,
                server.cert_fingerprint,
            )
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()
