"""The local Cloudflare API as a Starlette app, and served on a real socket."""

from __future__ import annotations

import logging

from starlette.applications import Starlette

from unifi_scanner.simulator.cloudflare.config import CloudflareConfig
from unifi_scanner.simulator.cloudflare.routes import (
    API_PREFIX,
    CF_CONTROL_PREFIX,
    cloudflare_routes,
)
from unifi_scanner.simulator.cloudflare.state import CloudflareState
from unifi_scanner.simulator.server import LoopbackServer

__all__ = ["CloudflareServer", "create_cloudflare_app"]

logger = logging.getLogger(__name__)


def create_cloudflare_app(config: CloudflareConfig | None = None) -> Starlette:
    """Build the local Cloudflare API (its state is ``app.state.cloudflare``).

    Args:
        config: how it behaves (default: the ``demo`` scenario, one all-permission token).

    Returns:
        The ASGI application.
    """
    state = CloudflareState(config or CloudflareConfig())
    app = Starlette(routes=cloudflare_routes(state))
    app.state.cloudflare = state
    return app


class CloudflareServer(LoopbackServer):
    """The local Cloudflare API served by uvicorn over HTTP on loopback.

    Use it as an async context manager::

        async with CloudflareServer(CloudflareConfig(now=clock)) as cf:
            cf.base_url, cf.token, cf.state

    Args:
        config: how it behaves.
        host: the address to bind.
        port: the port to bind; ``0`` picks a free one.
    """

    what = "the local Cloudflare API"

    def __init__(
        self, config: CloudflareConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or CloudflareConfig()
        super().__init__(create_cloudflare_app(self.config), host=host, port=port)

    @property
    def state(self) -> CloudflareState:
        """The running API's state (faults, budgets, counters, world)."""
        state: CloudflareState = self.app.state.cloudflare
        return state

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API's base URL, as ``UNIFI_CLOUDFLARE_BASE_URL`` takes it (``…/client/v4``)."""
        return f"{self.origin}{API_PREFIX}"

    @property
    def control_url(self) -> str:
        """The control endpoints' root (``…/__cf__``)."""
        return f"{self.origin}{CF_CONTROL_PREFIX}"

    @property
    def token(self) -> str:
        """A token the API accepts (the default one when configured)."""
        return self.config.default_token

    async def start(self) -> None:
        """Bind the socket and start serving."""
        await self._serve()
        logger.info(
            "local Cloudflare API at %s (scenario %s); token %r; faults at %s/faults",
            self.base_url,
            self.config.scenario,
            self.token,
            self.control_url,
        )

    async def stop(self) -> None:
        """Release held requests and stop serving."""
        if self.running:
            self.state.release()
        await self._shutdown()
