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
from typing import TYPE_CHECKING, Self

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

__all__ = ["SimulatorServer", "run_forever"]

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its own SIGINT/SIGTERM handlers: whoever runs the simulator stops it.

    uvicorn's handlers would stop the server and then raise the signal again once it is down,
    killing the process before :meth:`SimulatorServer.stop` could remove the certificate files
    (and, inside pytest, swallowing Ctrl-C).
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the process's signal handlers alone."""
        yield


class SimulatorServer:
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

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        tls: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.app: Starlette = create_app(self.config)
        self.tls = tls
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
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
    def port(self) -> int:
        """The bound port (only after start)."""
        if self._port is None:
            raise ScannerError("the simulator is not running")
        return self._port

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
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it every small reply waits for a delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as err:
            sock.close()
            raise ScannerError(
                f"cannot bind the simulator to {self.host}:{self._requested_port}: {err}"
            ) from err
        self._port = sock.getsockname()[1]
        certfile = keyfile = None
        if self.tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="unifi-sim-")
            certfile, keyfile = self._certificates(Path(self._tmp.name))
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise ScannerError("the simulator stopped while starting")
            await asyncio.sleep(0.005)
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
        if self._server is not None and self._task is not None:
            self.state.broadcast("drop", "")
            self.state.book.release()  # requests held by a "hang" fault answer now
            self._server.should_exit = True
            await self._task
        self._server = self._task = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

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
