"""The end-to-end rig: settings pointing at a simulated controller on a real TLS socket."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from unifi_scanner.config import Settings
from unifi_scanner.simulator import SimulatorConfig, SimulatorServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

FROZEN = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def frozen_now() -> datetime:
    """The frozen clock every e2e scan and simulator shares."""
    return FROZEN


@pytest.fixture(name="sim_config")
def sim_config_fixture() -> SimulatorConfig:
    """The simulator's configuration; override by parametrizing ``sim_config``."""
    return SimulatorConfig(now=frozen_now)


@pytest.fixture(name="simulator")
async def simulator_fixture(sim_config: SimulatorConfig) -> AsyncIterator[SimulatorServer]:
    """A simulated controller over HTTPS on 127.0.0.1 with a throw-away CA."""
    async with SimulatorServer(sim_config, tls=True) as server:
        yield server


@pytest.fixture(name="settings")
def settings_fixture(
    simulator: SimulatorServer, sim_config: SimulatorConfig, tmp_path: Path
) -> Settings:
    """Settings for scanning the simulator, verifying TLS with its CA, state and reports in tmp."""
    return Settings(
        host=simulator.host,
        port=simulator.port,
        username=sim_config.username,
        password=SecretStr(sim_config.password),
        ca_bundle=simulator.ca_pem_path,
        state_path=tmp_path / "state.sqlite3",
        output_dir=tmp_path / "reports",
        report_formats=("text", "json", "markdown", "html"),
        timezone="UTC",  # the machine's zone by default: pinned so reports read the same anywhere
    )
