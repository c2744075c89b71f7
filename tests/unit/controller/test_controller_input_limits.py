"""Controller answers over the input limits fail their endpoint cleanly; big bodies stay unread."""

from __future__ import annotations

import base64
import gzip
import json

import httpx
import pytest

from unifi_scanner._json import CONTROLLER_ANSWER, JsonLimits
from unifi_scanner.controller import _http
from unifi_scanner.controller._http import csrf_from_jwt
from unifi_scanner.errors import ControllerResponseError, InputLimitError

DEVICES = "/proxy/network/api/s/default/stat/device"


class Chunks(httpx.AsyncByteStream):
    """A body sent in chunks, counting how many were read."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk = chunk
        self.count = count
        self.read = 0

    async def __aiter__(self):
        """Yield the chunks one by one."""
        for _ in range(self.count):
            self.read += 1
            yield self.chunk


def _deep(depth: int) -> bytes:
    return b'{"meta":{"rc":"ok"},"data":[' + b"[" * depth + b"]" * depth + b"]}"


async def test_an_answer_nested_too_deep_fails_its_endpoint(fake, make_client):
    """Regression (#11): an answer nested 1,000 deep fails naming its endpoint and the limit."""
    fake.add("GET", DEVICES, httpx.Response(200, content=_deep(1_000)))

    with pytest.raises(ControllerResponseError) as info:
        await make_client().devices()

    assert str(info.value) == f"{DEVICES} answered a body nested deeper than the limit of 64 levels"
    assert (info.value.endpoint, info.value.status) == (DEVICES, None)
    assert isinstance(info.value.__cause__, InputLimitError)


async def test_an_answer_at_the_depth_limit_is_read(fake, make_client):
    """The envelope counts: 62 levels inside ``data`` make 64 in all, and the answer is read."""
    at_limit = _deep(62).replace(b'"data":[', b'"data":[{},', 1)
    fake.add(
        "GET",
        DEVICES,
        httpx.Response(200, content=at_limit),
        httpx.Response(200, content=_deep(63)),
    )
    assert await make_client().devices() == [{}]
    with pytest.raises(ControllerResponseError, match="deeper than the limit of 64"):
        await make_client().devices()


async def test_an_announced_body_over_the_size_limit_is_not_read(fake, make_client):
    """A Content-Length over the limit is refused before a byte of the body is read."""
    body = Chunks(b"[", 10)
    over = str(CONTROLLER_ANSWER.max_bytes + 1)
    fake.add("GET", DEVICES, httpx.Response(200, headers={"Content-Length": over}, stream=body))

    with pytest.raises(ControllerResponseError, match="larger than the limit of 64 MiB"):
        await make_client().devices()

    assert body.read == 0
    assert len(fake.sent("GET", DEVICES)) == 1, "not retried"


async def test_a_streamed_body_is_cut_off_at_the_size_limit(fake, make_client, monkeypatch):
    """Without Content-Length, reading stops at the first chunk past the limit."""
    monkeypatch.setattr(_http, "CONTROLLER_ANSWER", JsonLimits(max_bytes=100, max_items=10))
    body = Chunks(b"x" * 40, 1_000)
    fake.add("GET", DEVICES, httpx.Response(200, stream=body))

    with pytest.raises(ControllerResponseError, match=r"stat/device answered a body larger"):
        await make_client().devices()

    assert body.read == 3


async def test_a_compressed_answer_is_decompressed_and_read(fake, make_client):
    """A gzip body is decompressed while read; the answer keeps its data."""
    raw = json.dumps(fake.envelope([{"mac": "AA"}])).encode()
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    fake.add("GET", DEVICES, httpx.Response(200, content=gzip.compress(raw), headers=headers))

    assert await make_client().devices() == [{"mac": "AA"}]


def test_a_jwt_nested_too_deep_gives_no_csrf_token():
    """The UniFi OS TOKEN payload is JSON from outside too: too deep, it is ignored."""
    payload = base64.urlsafe_b64encode(b'{"a":' * 5_000 + b"1" + b"}" * 5_000).decode()
    assert csrf_from_jwt(f"header.{payload.rstrip('=')}.signature") is None
