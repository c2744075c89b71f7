"""One answer to "is this address inside the network?" for normalisation and analysis (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner import _addresses
from unifi_scanner._addresses import Scope, is_inside, scope
from unifi_scanner.analysis.ips import parse_alert
from unifi_scanner.collect.normalize import event_from_ips

SCOPES = [
    ("10.1.2.3", Scope.INSIDE),
    ("172.16.0.1", Scope.INSIDE),
    ("172.31.255.255", Scope.INSIDE),
    ("172.32.0.1", Scope.OUTSIDE),
    ("192.168.0.1", Scope.INSIDE),
    ("100.64.1.1", Scope.INSIDE),  # carrier-grade NAT (VPN overlays): inside
    ("100.128.0.1", Scope.OUTSIDE),
    ("127.0.0.1", Scope.INSIDE),
    ("169.254.3.3", Scope.INSIDE),
    ("224.0.0.251", Scope.INSIDE),  # mDNS multicast stays on the LAN
    ("255.255.255.255", Scope.INSIDE),
    ("198.51.100.7", Scope.OUTSIDE),  # documentation: ipaddress calls it private, it is not a LAN
    ("192.0.2.1", Scope.OUTSIDE),
    ("203.0.113.40", Scope.OUTSIDE),
    ("198.18.0.1", Scope.OUTSIDE),  # benchmarking
    ("240.0.0.1", Scope.OUTSIDE),  # reserved
    ("8.8.8.8", Scope.OUTSIDE),
    ("192.169.0.1", Scope.OUTSIDE),
    ("54.36.xxx.xxx", Scope.OUTSIDE),  # anonymised octets read as 0
    ("192.168.xxx.xxx", Scope.INSIDE),
    ("fd00::5", Scope.INSIDE),
    ("fe80::1%eth0", Scope.INSIDE),
    ("::ffff:192.168.1.5", Scope.INSIDE),
    ("::ffff:8.8.8.8", Scope.OUTSIDE),
    ("2a00:1450::1", Scope.OUTSIDE),
    ("2001:db8::1", Scope.OUTSIDE),
    ("0.0.0.0", Scope.UNKNOWN),  # noqa: S104 - an address under test
    ("::", Scope.UNKNOWN),
    ("300.1.2.3", Scope.UNKNOWN),
    ("1.2.3", Scope.UNKNOWN),
    ("not an ip", Scope.UNKNOWN),
    ("", Scope.UNKNOWN),
    (None, Scope.UNKNOWN),
    (17, Scope.UNKNOWN),
]


@pytest.fixture(autouse=True)
def _fresh_memory():
    """Each test starts with nothing remembered."""
    _addresses._forget()
    yield
    _addresses._forget()


@pytest.mark.parametrize(("ip", "expected"), SCOPES)
def test_scope_table(ip, expected):
    """Each edge case has the scope the module docstring promises."""
    assert scope(ip) is expected
    assert is_inside(ip) is (expected is Scope.INSIDE)


@pytest.mark.parametrize(("ip", "expected"), [(ip, s) for ip, s in SCOPES if isinstance(ip, str)])
def test_normaliser_and_analysis_agree(ip, expected):
    """The MAC the normaliser calls the client is on the side analysis calls inside."""
    item = {
        "_id": "a",
        "time": int(datetime(2026, 1, 5, tzinfo=UTC).timestamp() * 1000),
        "src_ip": ip,
        "dest_ip": "8.8.8.8",
        "src_mac": "00:00:00:00:00:01",
        "inner_alert_signature": "ET SCAN something",
    }
    event = event_from_ips(item)
    direction = parse_alert(event).direction.value
    assert (event.client_mac == "00:00:00:00:00:01") is (expected is Scope.INSIDE)
    assert (direction == "outbound") is (expected is Scope.INSIDE)


def test_memory_is_bounded_and_answers_stay_right(monkeypatch):
    """Past its limit the memory stops growing; new addresses are still answered correctly."""
    monkeypatch.setattr(_addresses, "_MEMORY_LIMIT", 2)
    answers = [scope(ip) for ip in ("10.0.0.1", "8.8.8.8", "192.168.1.1", "1.1.1.1")]
    assert answers == [Scope.INSIDE, Scope.OUTSIDE, Scope.INSIDE, Scope.OUTSIDE]
    assert len(_addresses._memory) == 2
