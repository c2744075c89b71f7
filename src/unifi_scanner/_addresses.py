"""Whether an IP address is inside the network or out on the internet: one answer for all stages.

Private to the package; normalisation (which side of an IPS alert is the client) and analysis
(which way the alerting traffic went) both ask this module, so they can never disagree.
Built on the standard library's :mod:`ipaddress`, with our own idea of *inside*:

* **inside**: RFC 1918 (``10/8``, ``172.16/12``, ``192.168/16``), carrier-grade NAT
  (``100.64/10``, RFC 6598: VPN overlays and ISP-side NAT), loopback, link-local, IPv6
  unique-local (``fc00::/7``), multicast and the limited broadcast (delivered on the local
  network only), and IPv4-mapped IPv6 forms of these;
* **unknown**: not an address at all, or the unspecified address (``0.0.0.0``, ``::``);
* **outside**: everything else, *including* the ranges :mod:`ipaddress` calls private but that
  are never a home or office LAN: documentation (``192.0.2/24``, ``198.51.100/24``,
  ``203.0.113/24``), benchmarking (``198.18/15``), reserved (``240/4``) and the like. An alert
  from such an address came from beyond the gateway.

Anonymised octets (``54.36.xxx.xxx`` in shared captures) read as ``0``.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
from typing import Final

__all__ = ["Scope", "canonical", "is_inside", "scope"]


class Scope(enum.StrEnum):
    """Where an address is, seen from the site's gateway."""

    INSIDE = "inside"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"


_INSIDE_NETWORKS: Final = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "224.0.0.0/4",
        "255.255.255.255/32",
        "::1/128",
        "fe80::/10",
        "fc00::/7",
        "ff00::/8",
    )
)
_UNSPECIFIED: Final = frozenset({ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("::")})  # noqa: S104 - compared, not bound
_ANONYMISED: Final = re.compile(r"(?i)\bx+\b")
# The first octets of every inside IPv4 range: any other dotted quad is outside at once.
_INSIDE_FIRST_OCTETS: Final = frozenset(
    {"10", "172", "192", "100", "127", "169", "255", "0", *(str(n) for n in range(224, 240))}
)
_OCTET: Final = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4: Final = re.compile(rf"({_OCTET})\.{_OCTET}\.{_OCTET}\.{_OCTET}", re.ASCII)
_MEMORY_LIMIT: Final = 65_536
_memory: dict[str, Scope] = {}


def scope(ip: object) -> Scope:
    """Where ``ip`` is: inside the network, outside (the internet) or unknown.

    Addresses seen first are remembered (a site's WAN address and inside hosts recur); once the
    memory is full, new ones are worked out each time rather than evicting old ones.

    Args:
        ip: an address as text; anything else is :attr:`Scope.UNKNOWN`.

    Returns:
        The address's scope.
    """
    if not isinstance(ip, str) or not ip:
        return Scope.UNKNOWN
    found = _memory.get(ip)
    if found is not None:
        return found
    match = _IPV4.fullmatch(ip)
    if match is not None and match.group(1) not in _INSIDE_FIRST_OCTETS:
        found = Scope.OUTSIDE  # a plain dotted quad outside every inside range: no parsing
    else:
        found = _scope_of(ip)
    if len(_memory) < _MEMORY_LIMIT:
        _memory[ip] = found
    return found


def canonical(ip: object) -> str | None:
    """One spelling per address (``2001:DB8:0::5`` → ``2001:db8::5``, ``::ffff:1.2.3.4`` → v4).

    Returns:
        The address as :mod:`ipaddress` writes it (an IPv6 zone id dropped), or ``None`` for
        text that is not a whole address (``54.36.xxx.xxx``, a name, empty).
    """
    if not isinstance(ip, str) or not ip:
        return None
    if _IPV4.fullmatch(ip):
        return ip  # already the one spelling (the common case: no parsing)
    return _canonical(ip)


@functools.lru_cache(maxsize=4096)
def _canonical(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def is_inside(ip: object) -> bool:
    """Whether ``ip`` is an address inside the network (see :func:`scope`)."""
    if isinstance(ip, str):
        first, dot, _ = ip.partition(".")
        if dot and first.isdigit() and first not in _INSIDE_FIRST_OCTETS:
            return False  # outside, or no address at all: not inside either way (no parsing)
    return scope(ip) is Scope.INSIDE


@functools.lru_cache(maxsize=4096)
def _scope_of(text: str) -> Scope:
    candidate = _ANONYMISED.sub("0", text.strip())
    try:
        address = ipaddress.ip_address(candidate.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return Scope.UNKNOWN
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _UNSPECIFIED:
        return Scope.UNKNOWN
    for network in _INSIDE_NETWORKS:
        if network.version == address.version and address in network:
            return Scope.INSIDE
    return Scope.OUTSIDE


def _forget() -> None:
    """Clear the memory (for tests)."""
    _memory.clear()
    _scope_of.cache_clear()
    _canonical.cache_clear()
