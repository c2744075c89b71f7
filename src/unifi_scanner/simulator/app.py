"""``create_app``: the simulated UniFi controller as a Starlette application."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from unifi_scanner.simulator.config import SimulatorConfig
from unifi_scanner.simulator.control import FaultMiddleware, control_routes
from unifi_scanner.simulator.routes_auth import auth_routes
from unifi_scanner.simulator.routes_classic import classic_routes
from unifi_scanner.simulator.routes_v2 import v2_routes
from unifi_scanner.simulator.state import SimulatorState
from unifi_scanner.simulator.websocket import websocket_routes

__all__ = ["create_app"]


def create_app(config: SimulatorConfig | None = None) -> Starlette:
    """Build the simulated controller.

    The app's mutable state (site, sessions, faults, open websockets) is ``app.state.sim``,
    a :class:`~unifi_scanner.simulator.state.SimulatorState`.

    Args:
        config: how the controller behaves; the defaults are a UniFi OS console on Network 9
            serving the ``demo`` scenario.

    Returns:
        The ASGI application.
    """
    config = config or SimulatorConfig()
    state = SimulatorState(config)
    prefix = config.prefix
    routes = [
        *auth_routes(state),
        *classic_routes(prefix),
        *v2_routes(prefix),
        *websocket_routes(prefix),
        *control_routes(),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(FaultMiddleware, state=state)])
    app.state.sim = state
    return app
