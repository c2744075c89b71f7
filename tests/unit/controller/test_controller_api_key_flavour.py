"""An API key is a UniFi OS feature: on a legacy controller it fails at once, clearly."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from unifi_scanner.controller import Flavour
from unifi_scanner.errors import AuthenticationError


async def test_api_key_on_legacy_controller_fails_before_any_data_call(fake, make_client):
    """A detected legacy controller with only an API key raises AuthenticationError, no retries."""
    fake.flavour = Flavour.LEGACY
    client = make_client(username=None, password=None, api_key=SecretStr("key"))

    with pytest.raises(AuthenticationError, match="only on UniFi OS") as info:
        await client.devices()

    assert info.value.endpoint == "/"
    assert [r.url.path for r in fake.requests] == ["/"]
