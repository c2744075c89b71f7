"""ControllerClient against a scripted controller (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner.controller import ControllerClient, Flavour
from unifi_scanner.errors import (
    AuthenticationError,
    ConfigError,
    ControllerResponseError,
    ControllerUnreachableError,
    EndpointNotFoundError,
    LoginRateLimitedError,
    MfaRequiredError,
)

DEVICES = "/proxy/network/api/s/default/stat/device"


async def test_unifi_os_login_detects_flavour_and_sends_csrf_and_cookie(fake, make_client):
    """UniFi OS: GET / 200, login at /api/auth/login, then prefixed calls carry CSRF and TOKEN."""
    fake.add("GET", DEVICES, httpx.Response(200, json=fake.envelope([{"mac": "AA"}])))
    client = make_client(port=443)

    devices = await client.devices()

    assert devices == [{"mac": "AA"}]
    assert client.flavour is Flavour.UNIFI_OS
    login = fake.sent("POST", "/api/auth/login")[0]
    assert fake.body(login) == {"username": "admin", "password": "pw", "rememberMe": True}
    call = fake.sent("GET", DEVICES)[0]
    assert call.headers["X-CSRF-Token"] == "csrf-login-1"
    assert "TOKEN=jwt-1" in call.headers["Cookie"]


async def test_legacy_login_uses_unprefixed_paths(fake, make_client):
    """Legacy: GET / 302 means /api/login and classic paths without /proxy/network."""
    fake.flavour = Flavour.LEGACY
    fake.add("GET", "/api/s/default/stat/sta", httpx.Response(200, json=fake.envelope([])))
    client = make_client(port=8443)

    assert await client.clients() == []
    assert client.flavour is Flavour.LEGACY
    assert fake.sent("POST", "/api/login")
    call = fake.sent("GET", "/api/s/default/stat/sta")[0]
    assert "unifises=sess-1" in call.headers["Cookie"]
    assert "X-CSRF-Token" not in call.headers


async def test_rotated_csrf_token_is_sent_next(fake, make_client):
    """A response carrying X-Updated-CSRF-Token replaces the token for the next request."""
    fake.add(
        "GET",
        DEVICES,
        httpx.Response(200, json=fake.envelope([]), headers={"X-Updated-CSRF-Token": "rotated"}),
        httpx.Response(200, json=fake.envelope([])),
    )
    client = make_client()

    await client.devices()
    await client.devices()

    sent = fake.sent("GET", DEVICES)
    assert sent[0].headers["X-CSRF-Token"] == "csrf-login-1"
    assert sent[1].headers["X-CSRF-Token"] == "rotated"


async def test_relogin_once_on_401_then_retry_succeeds(fake, make_client, load_capture):
    """An expired session (401 LoginRequired) logs in again once and retries the call once."""
    expired = load_capture("error_responses.json")["legacy_login_required"]
    fake.add(
        "GET",
        DEVICES,
        httpx.Response(expired["status"], json=expired["body"]),
        httpx.Response(200, json=fake.envelope([{"mac": "bb"}])),
    )
    client = make_client()

    assert await client.devices() == [{"mac": "bb"}]
    assert fake.logins == 2
    assert fake.sent("GET", DEVICES)[1].headers["X-CSRF-Token"] == "csrf-login-2"


async def test_second_401_after_relogin_is_authentication_error(fake, make_client):
    """If the call still answers 401 after one re-login, it fails with AuthenticationError."""
    fake.add("GET", DEVICES, httpx.Response(401, json={"error": {"code": 401}}))
    client = make_client()

    with pytest.raises(AuthenticationError) as info:
        await client.devices()

    assert fake.logins == 2
    assert info.value.status == 401
    assert info.value.endpoint == DEVICES


async def test_v2_login_required_body_triggers_relogin(fake, make_client, load_capture):
    """A v2 errorCode body saying api.err.LoginRequired also logs in again."""
    reply = load_capture("error_responses.json")["v2_error_login_required"]
    path = "/proxy/network/v2/api/site/default/system-log/all"
    fake.add(
        "POST",
        path,
        httpx.Response(reply["status"], json=reply["body"]),
        httpx.Response(200, json={"data": [], "total_page_count": 0}),
    )
    client = make_client()

    page = await client.system_log(timestamp_from=1, timestamp_to=2)

    assert page.items == ()
    assert fake.logins == 2


@pytest.mark.parametrize(
    ("case", "flavour", "expected"),
    [
        ("legacy_invalid_credentials", Flavour.LEGACY, AuthenticationError),
        ("unifios_invalid_credentials", Flavour.UNIFI_OS, AuthenticationError),
        ("unifios_sso_mfa_required", Flavour.UNIFI_OS, MfaRequiredError),
        ("legacy_local_2fa_required", Flavour.LEGACY, MfaRequiredError),
        ("unifios_login_rate_limited", Flavour.UNIFI_OS, LoginRateLimitedError),
    ],
)
async def test_login_failures_map_to_error_classes(  # noqa: PLR0917 - fixtures + params
    fake, make_client, load_capture, case, flavour, expected
):
    """Each real login failure body maps to its exception class, once, with no retry.

    The rate limit asks for a wait longer than the client's bound here, so it is not retried.
    """
    reply = load_capture("error_responses.json")[case]
    fake.flavour = flavour
    login = "/api/auth/login" if flavour is Flavour.UNIFI_OS else "/api/login"
    fake.add(
        "POST",
        login,
        httpx.Response(reply["status"], json=reply["body"], headers={"Retry-After": "30"}),
    )
    client = make_client(flavour=flavour, max_retry_after_s=10.0)

    with pytest.raises(expected) as info:
        await client.sites()

    assert type(info.value) is expected
    assert info.value.endpoint == login
    assert len(fake.sent("POST", login)) == 1
    if expected is LoginRateLimitedError:
        assert info.value.retry_after == 30.0


@pytest.mark.parametrize(
    ("headers", "sent", "says"),
    [
        pytest.param({"Retry-After": "30"}, 3, "still rate-limited", id="within-the-bound"),
        pytest.param({"Retry-After": "61"}, 1, "asked us to wait 61 s", id="beyond-the-bound"),
        pytest.param({}, 1, "rate-limited our logins (HTTP 429", id="no-retry-after"),
    ],
)
async def test_login_rate_limit_is_retried_only_within_the_bound(  # noqa: PLR0917
    fake, make_client, load_capture, headers, sent, says
):
    """A 429 login is retried only when its Retry-After is within the 60 s bound (#11)."""
    reply = load_capture("error_responses.json")["unifios_login_rate_limited"]
    fake.add("POST", "/api/auth/login", httpx.Response(429, json=reply["body"], headers=headers))
    client = make_client(flavour=Flavour.UNIFI_OS)

    with pytest.raises(LoginRateLimitedError) as info:
        await client.sites()

    assert len(fake.sent("POST", "/api/auth/login")) == sent
    assert says in str(info.value)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("legacy_no_permission", ControllerResponseError),
        ("v2_error", ControllerResponseError),
    ],
)
async def test_data_error_bodies_map_to_response_error(
    fake, make_client, load_capture, case, expected
):
    """A data call's error body becomes ControllerResponseError naming the endpoint."""
    reply = load_capture("error_responses.json")[case]
    fake.add("GET", DEVICES, httpx.Response(reply["status"], json=reply["body"]))
    client = make_client()

    with pytest.raises(expected) as info:
        await client.devices()

    assert type(info.value) is expected
    assert info.value.endpoint == DEVICES
    assert info.value.status == reply["status"]


async def test_404_is_endpoint_not_found_chained_from_httpx(fake, make_client):
    """A 404 raises EndpointNotFoundError with endpoint and status, chained from httpx."""
    client = make_client()

    with pytest.raises(EndpointNotFoundError) as info:
        await client.ips_events(start_ms=0, end_ms=1)

    assert info.value.status == 404
    assert info.value.endpoint == "/proxy/network/api/s/default/stat/ips/event"
    assert isinstance(info.value.__cause__, httpx.HTTPStatusError)


async def test_400_invalid_object_is_endpoint_not_found(fake, make_client):
    """HTTP 400 with api.err.InvalidObject means the controller lacks the endpoint."""
    body = {"meta": {"rc": "error", "msg": "api.err.InvalidObject"}, "data": []}
    fake.add("GET", DEVICES, httpx.Response(400, json=body))

    with pytest.raises(EndpointNotFoundError):
        await make_client().devices()


async def test_malformed_json_names_the_endpoint(fake, make_client):
    """A body that is not JSON raises ControllerResponseError naming the endpoint."""
    fake.add(
        "GET",
        DEVICES,
        httpx.Response(200, content=b"{not json", headers={"Content-Type": "application/json"}),
    )

    with pytest.raises(ControllerResponseError, match="stat/device") as info:
        await make_client().devices()

    assert info.value.endpoint == DEVICES


async def test_unexpected_shape_names_the_endpoint(fake, make_client):
    """JSON without the classic envelope raises ControllerResponseError naming the endpoint."""
    fake.add("GET", DEVICES, httpx.Response(200, json=["no", "envelope"]))

    with pytest.raises(ControllerResponseError, match="unexpected shape") as info:
        await make_client().devices()

    assert info.value.endpoint == DEVICES


@pytest.mark.parametrize(
    "transient",
    [
        httpx.Response(503, text="unavailable"),
        httpx.Response(502),
        httpx.Response(
            200, text="Login Failed: Host starting up", headers={"Content-Type": "text/html"}
        ),
        httpx.Response(429, json={}, headers={"Retry-After": "2"}),
    ],
)
async def test_transient_replies_are_retried_then_succeed(fake, make_client, transient):
    """502/503, a text/html starting-up reply and a data 429 are retried; then the call works."""
    fake.add("GET", DEVICES, transient, httpx.Response(200, json=fake.envelope([{"mac": "cc"}])))

    assert await make_client().devices() == [{"mac": "cc"}]
    assert len(fake.sent("GET", DEVICES)) == 2


async def test_persistent_503_becomes_unreachable_after_attempts(fake, make_client):
    """When every attempt answers 503 the call raises ControllerUnreachableError."""
    fake.add("GET", DEVICES, httpx.Response(503))

    with pytest.raises(ControllerUnreachableError) as info:
        await make_client().devices()

    assert info.value.status == 503
    assert len(fake.sent("GET", DEVICES)) == 3


async def test_connection_error_becomes_unreachable_with_cause(fake, make_client):
    """Connection errors are retried and then raised as ControllerUnreachableError from httpx."""

    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    fake.add("GET", DEVICES, refuse)

    with pytest.raises(ControllerUnreachableError) as info:
        await make_client().devices()

    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(fake.sent("GET", DEVICES)) == 3


async def test_api_key_skips_login_and_sends_header(fake, make_client):
    """With an API key no login happens and every call carries X-API-KEY."""
    fake.add("GET", DEVICES, httpx.Response(200, json=fake.envelope([])))
    client = make_client(username=None, password=None, api_key=SecretStr("k3y"))

    await client.devices()

    assert fake.logins == 0
    assert fake.sent("GET", DEVICES)[0].headers["X-API-KEY"] == "k3y"


async def test_api_key_401_does_not_relogin(fake, make_client):
    """With an API key a 401 is final: AuthenticationError, no login attempt."""
    fake.add("GET", DEVICES, httpx.Response(401, json={}))

    with pytest.raises(AuthenticationError):
        await make_client(username=None, password=None, api_key=SecretStr("k")).devices()

    assert fake.logins == 0


def test_missing_credentials_is_config_error():
    """A client with neither password nor API key is refused at construction."""
    with pytest.raises(ConfigError):
        ControllerClient(httpx.AsyncClient(), host="h", username="admin")


async def test_port_detection_takes_first_port_that_answers(fake):
    """Port auto-detection skips ports that refuse connections and returns the first answer."""

    def handler(request):
        if (request.url.port or 443) == 443:  # httpx drops the default port
            raise httpx.ConnectError("refused", request=request)
        return fake.handler(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        assert await ControllerClient.detect_port(http, "controller.test") == 8443


async def test_port_detection_fails_when_nothing_answers():
    """When no candidate port answers, detection raises ControllerUnreachableError."""

    def handler(request):
        raise httpx.ConnectTimeout("timeout", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(ControllerUnreachableError, match="443, 8443, 11443"):
            await ControllerClient.detect_port(http, "controller.test")


async def test_unknown_port_is_detected_on_first_call(fake, make_client):
    """A client built with port=None probes the ports before logging in."""
    fake.add("GET", DEVICES, httpx.Response(200, json=fake.envelope([])))
    client = make_client(port=None)

    await client.devices()

    assert client.port == 443
    assert (fake.requests[-1].url.port or 443) == 443


async def test_events_page_carries_meta_count_and_body(fake, make_client):
    """stat/event is a POST with _sort/within/_start/_limit; meta.count becomes Page.total."""
    path = "/proxy/network/api/s/default/stat/event"
    fake.add("POST", path, httpx.Response(200, json=fake.envelope([{"_id": "1"}], count=4818)))

    page = await make_client().events(within_hours=6, start=3000, limit=3000)

    assert page.total == 4818
    assert page.items == ({"_id": "1"},)
    body = fake.body(fake.sent("POST", path)[0])
    assert body == {"_sort": "-time", "type": None, "_start": 3000, "_limit": 3000, "within": 6}


async def test_traffic_flows_fall_back_to_older_payload(fake, make_client):
    """traffic-flows answering 400 to the current payload is retried with limit/offset/timeRange."""
    path = "/proxy/network/v2/api/site/default/traffic-flows"
    fake.add(
        "POST",
        path,
        httpx.Response(400, json={"errorCode": 400, "message": "bad"}),
        httpx.Response(200, json={"data": [{"id": "f1"}], "has_next": False}),
    )
    client = make_client()

    page = await client.traffic_flows(
        timestamp_from=0, timestamp_to=3_600_000 * 24, page_number=1, page_size=50
    )

    assert page.items == ({"id": "f1"},)
    assert page.has_next is False
    first, second = (fake.body(r) for r in fake.sent("POST", path))
    assert first["policy_type"] == ["INTRUSION_PREVENTION"]
    assert second == {"limit": 50, "offset": 50, "timeRange": "24h"}


async def test_alarms_ask_for_unarchived(fake, make_client):
    """alarms() sends archived=false and returns the items."""
    path = "/proxy/network/api/s/default/list/alarm"
    fake.add("GET", path, httpx.Response(200, json=fake.envelope([{"_id": "a"}])))

    assert await make_client().alarms() == [{"_id": "a"}]
    assert fake.sent("GET", path)[0].url.params["archived"] == "false"


async def test_context_exit_logs_out(fake, make_client):
    """Leaving the async context logs out once (the session was used)."""
    fake.add("GET", DEVICES, httpx.Response(200, json=fake.envelope([])))

    async with make_client() as client:
        await client.devices()

    assert len(fake.sent("POST", "/api/auth/logout")) == 1
    assert client.csrf_token is None


async def test_flavour_detection_refuses_odd_answer(fake, make_client):
    """GET / answering neither 2xx nor 3xx cannot tell the flavour: ControllerResponseError."""
    fake.add("GET", "/", httpx.Response(500))

    with pytest.raises(ControllerResponseError, match="flavour") as info:
        await make_client().devices()

    assert info.value.status == 500


async def test_logout_failure_is_swallowed(fake, make_client):
    """A logout that fails is logged, not raised, and the session is forgotten."""
    fake.add("GET", DEVICES, httpx.Response(200, json=fake.envelope([])))
    fake.add("POST", "/api/auth/logout", httpx.Response(503))
    client = make_client()
    await client.devices()

    await client.aclose()

    assert client.csrf_token is None
    assert len(fake.sent("POST", "/api/auth/logout")) == 1


async def test_sysinfo_without_items_is_response_error(fake, make_client):
    """stat/sysinfo answering an empty list is an unexpected shape naming the endpoint."""
    path = "/proxy/network/api/s/default/stat/sysinfo"
    fake.add("GET", path, httpx.Response(200, json=fake.envelope([])))

    with pytest.raises(ControllerResponseError, match="no items") as info:
        await make_client().sysinfo()

    assert info.value.endpoint == path


async def test_v2_bare_list_and_non_object_items(fake, make_client):
    """A v2 bare list is one page; items that are not objects are dropped."""
    path = "/proxy/network/v2/api/site/default/system-log/critical"
    fake.add("POST", path, httpx.Response(200, json=[{"id": "a"}, "junk", 3]))

    page = await make_client().system_log(
        "critical", timestamp_from=0, timestamp_to=1, categories=None, severities=None
    )

    assert page.items == ({"id": "a"},)
    assert page.page_count == 1
    assert fake.body(fake.sent("POST", path)[0]) == {
        "timestampFrom": 0,
        "timestampTo": 1,
        "pageNumber": 0,
        "pageSize": 1000,
    }


async def test_v2_object_without_data_is_response_error(fake, make_client):
    """A v2 reply that is neither a list nor an object with data is an unexpected shape."""
    path = "/proxy/network/v2/api/site/default/traffic-flows"
    fake.add("POST", path, httpx.Response(200, json={"flows": []}))

    with pytest.raises(ControllerResponseError, match="unexpected shape"):
        await make_client().traffic_flows(timestamp_from=0, timestamp_to=1)


async def test_traffic_flows_404_does_not_try_older_form(fake, make_client):
    """A missing traffic-flows endpoint raises EndpointNotFoundError after one request."""
    path = "/proxy/network/v2/api/site/default/traffic-flows"

    with pytest.raises(EndpointNotFoundError):
        await make_client().traffic_flows(timestamp_from=0, timestamp_to=1)

    assert len(fake.sent("POST", path)) == 1
