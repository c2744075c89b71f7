"""The UniFi Network REST client: one typed method per endpoint the scanner reads.

Every method returns raw payloads (TypedDicts from :mod:`.models`); turning them into domain
models is :mod:`unifi_scanner.collect`'s job. Replies of an unexpected shape raise
:class:`~unifi_scanner.errors.ControllerResponseError` naming the endpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

import structlog

from unifi_scanner.controller import endpoints
from unifi_scanner.controller.page import Page
from unifi_scanner.controller.session import ControllerSession
from unifi_scanner.errors import ControllerResponseError, EndpointNotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from unifi_scanner.controller.flavour import Flavour
    from unifi_scanner.controller.models import (
        AlarmPayload,
        ClientPayload,
        DevicePayload,
        EventPayload,
        HealthPayload,
        IpsEventPayload,
        SettingPayload,
        SitePayload,
        SysinfoPayload,
        SystemLogPayload,
        TrafficFlowPayload,
    )

__all__ = ["SYSTEM_LOG_CATEGORIES", "SYSTEM_LOG_SEVERITIES", "ControllerClient"]

_log = structlog.get_logger(__name__)

SYSTEM_LOG_CATEGORIES: Final = (
    "SECURITY",
    "UNIFI_DEVICES",
    "SOFTWARE_UPDATES",
    "VPN",
    "POWER",
    "UNIFI_ETHERNET_PORTS",
    "CLIENT_DEVICES",
    "UNKNOWN",
    "AUDIT",
    "INTERNET_AND_WAN",
)
"""Categories Network 10.x accepts (``MONITORING``/``SYSTEM`` answer 400)."""

SYSTEM_LOG_SEVERITIES: Final = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")
_FLOW_FORMAT_REJECTED: Final = frozenset({400, 405, 422})
_HOUR_MS: Final = 3_600_000
_TIME_RANGES: Final = ((_HOUR_MS, "1h"), (24 * _HOUR_MS, "24h"), (7 * 24 * _HOUR_MS, "7d"))


def _objects(items: object, endpoint: str) -> list[Any]:
    if not isinstance(items, list):
        raise ControllerResponseError(
            f"{endpoint} answered an unexpected shape (no list of items)", endpoint=endpoint
        )
    kept = [item for item in items if isinstance(item, dict)]
    if len(kept) != len(items):
        _log.warning(
            "dropped items that are not objects", endpoint=endpoint, dropped=len(items) - len(kept)
        )
    return kept


def _classic(body: object, endpoint: str) -> tuple[list[Any], int | None]:
    """Return ``data`` and ``meta.count`` of a classic ``{"meta":…, "data":[…]}`` envelope."""
    if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
        raise ControllerResponseError(
            f"{endpoint} answered an unexpected shape (no classic envelope)", endpoint=endpoint
        )
    count = body["meta"].get("count")
    total = count if isinstance(count, int) and not isinstance(count, bool) else None
    return _objects(body.get("data"), endpoint), total


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _v2_page(body: object, endpoint: str) -> Page[Any]:
    """Read a v2 reply: a bare list, or an object with ``data`` and paging fields."""
    if isinstance(body, list):
        return Page(items=tuple(_objects(body, endpoint)), total=len(body), page_count=1)
    if not isinstance(body, dict) or "data" not in body:
        raise ControllerResponseError(
            f"{endpoint} answered an unexpected shape (no v2 data)", endpoint=endpoint
        )
    has_next = body.get("has_next")
    return Page(
        items=tuple(_objects(body["data"], endpoint)),
        total=_int(body.get("total_element_count")),
        page_number=_int(body.get("page_number")),
        page_count=_int(body.get("total_page_count")),
        has_next=has_next if isinstance(has_next, bool) else None,
    )


def _time_range(span_ms: int) -> str:
    return next((name for limit, name in _TIME_RANGES if span_ms <= limit), "30d")


class ControllerClient(ControllerSession):
    """Async client for one UniFi Network controller (UniFi OS console or legacy).

    Args:
        http: the shared ``httpx.AsyncClient`` (TLS set up by ``unifi_scanner.app``); never closed.
        host: controller host name or IP.
        port: controller port; ``None`` probes 443, 8443 and 11443 on first use.
        site: default site short name (``default``).
        flavour: UniFi OS or legacy; ``None`` detects it with ``GET /``.
        username: a local (non-SSO) account, with ``password``.
        password: its password.
        api_key: an ``X-API-KEY`` (Network 9+ on UniFi OS) instead of a login.
        scheme: ``https`` (``http`` only for in-process tests).
        retry_attempts: attempts for transient failures (connection errors, 502/503/504…).
        retry_timeout_s: give up retrying a call after this long.
        max_retry_after_s: upper bound on a honoured ``Retry-After``.

    Use as ``async with ControllerClient(...) as client:``; leaving logs out.
    """

    def _classic_path(self, site: str | None, path: str) -> str:
        return endpoints.classic(self._need_flavour(), site or self.site, path)

    def _v2_path(self, site: str | None, path: str) -> str:
        return endpoints.v2(self._need_flavour(), site or self.site, path)

    def _need_flavour(self) -> Flavour:
        flavour = self.flavour
        if flavour is None:  # pragma: no cover - every public call resolves it first
            raise ControllerResponseError("controller flavour is not known yet")
        return flavour

    async def _get_classic(
        self, site: str | None, path: str, *, params: dict[str, str] | None = None
    ) -> list[Any]:
        await self._ensure_flavour()
        endpoint = self._classic_path(site, path)
        return _classic(await self.request("GET", endpoint, params=params), endpoint)[0]

    async def sites(self) -> list[SitePayload]:
        """``GET api/self/sites``: the sites this account may see."""
        endpoint = endpoints.site_path(await self._ensure_flavour(), "api/self/sites")
        return cast("list[SitePayload]", _classic(await self.request("GET", endpoint), endpoint)[0])

    async def sysinfo(self, *, site: str | None = None) -> SysinfoPayload:
        """``stat/sysinfo``: the controller version, hostname, update flag."""
        items = await self._get_classic(site, "stat/sysinfo")
        if not items:
            endpoint = self._classic_path(site, "stat/sysinfo")
            raise ControllerResponseError(f"{endpoint} answered no items", endpoint=endpoint)
        return cast("SysinfoPayload", items[0])

    async def health(self, *, site: str | None = None) -> list[HealthPayload]:
        """``stat/health``: one entry per subsystem."""
        return cast("list[HealthPayload]", await self._get_classic(site, "stat/health"))

    async def devices(self, *, site: str | None = None) -> list[DevicePayload]:
        """``stat/device``: every adopted device with its stats."""
        return cast("list[DevicePayload]", await self._get_classic(site, "stat/device"))

    async def clients(self, *, site: str | None = None) -> list[ClientPayload]:
        """``stat/sta``: the clients online now."""
        return cast("list[ClientPayload]", await self._get_classic(site, "stat/sta"))

    async def settings(self, *, site: str | None = None) -> list[SettingPayload]:
        """``get/setting``: every settings section (the ``ips`` one has ``ips_mode``)."""
        return cast("list[SettingPayload]", await self._get_classic(site, "get/setting"))

    async def alarms(
        self, *, archived: bool | None = False, site: str | None = None
    ) -> list[AlarmPayload]:
        """``list/alarm``: alarms; ``archived=None`` asks for all of them."""
        params = None if archived is None else {"archived": str(archived).lower()}
        return cast(
            "list[AlarmPayload]", await self._get_classic(site, "list/alarm", params=params)
        )

    async def events(
        self,
        *,
        within_hours: int | None = 24,
        start: int = 0,
        limit: int = 3000,
        start_ms: int | None = None,
        end_ms: int | None = None,
        site: str | None = None,
    ) -> Page[EventPayload]:
        """``POST stat/event``: one page of events, newest first.

        Args:
            within_hours: how far back, in hours (the controller counts from its own now).
            start: offset of the first item (``_start``).
            limit: page size (``_limit``).
            start_ms: optional lower time bound, epoch ms.
            end_ms: optional upper time bound, epoch ms.
            site: site short name; the client's site by default.

        Returns:
            The page; ``total`` is ``meta.count`` when the controller truncated the reply.
        """
        await self._ensure_flavour()
        body: dict[str, Any] = {"_sort": "-time", "type": None, "_start": start, "_limit": limit}
        if within_hours is not None:
            body["within"] = within_hours
        if start_ms is not None:
            body["start"] = start_ms
        if end_ms is not None:
            body["end"] = end_ms
        endpoint = self._classic_path(site, "stat/event")
        items, total = _classic(await self.request("POST", endpoint, json_body=body), endpoint)
        return Page(items=tuple(cast("list[EventPayload]", items)), total=total)

    async def ips_events(
        self, *, start_ms: int, end_ms: int, limit: int = 10000, site: str | None = None
    ) -> list[IpsEventPayload]:
        """``POST stat/ips/event``: legacy IDS/IPS alerts between two epoch-ms times."""
        await self._ensure_flavour()
        endpoint = self._classic_path(site, "stat/ips/event")
        body = {"start": start_ms, "end": end_ms, "_limit": limit}
        items, _ = _classic(await self.request("POST", endpoint, json_body=body), endpoint)
        return cast("list[IpsEventPayload]", items)

    async def system_log(
        self,
        class_: str = "all",
        *,
        timestamp_from: int,
        timestamp_to: int,
        page_number: int = 0,
        page_size: int = 1000,
        categories: Sequence[str] | None = SYSTEM_LOG_CATEGORIES,
        severities: Sequence[str] | None = SYSTEM_LOG_SEVERITIES,
        site: str | None = None,
    ) -> Page[SystemLogPayload]:
        """``POST v2 system-log/{class_}``: one page of system-log entries (Network 9/10+).

        Args:
            class_: ``all``, ``critical``, ``threat-alert``, ``device-alert``…
            timestamp_from: lower bound, epoch ms.
            timestamp_to: upper bound, epoch ms.
            page_number: 0-based page.
            page_size: entries per page.
            categories: categories to ask for; ``None`` leaves the filter out.
            severities: severities to ask for; ``None`` leaves the filter out.
            site: site short name; the client's site by default.
        """
        await self._ensure_flavour()
        endpoint = self._v2_path(site, f"system-log/{class_}")
        body: dict[str, Any] = {
            "timestampFrom": timestamp_from,
            "timestampTo": timestamp_to,
            "pageNumber": page_number,
            "pageSize": page_size,
        }
        if categories is not None:
            body["categories"] = list(categories)
        if severities is not None:
            body["severities"] = list(severities)
        return cast(
            "Page[SystemLogPayload]",
            _v2_page(await self.request("POST", endpoint, json_body=body), endpoint),
        )

    async def traffic_flows(
        self,
        *,
        timestamp_from: int,
        timestamp_to: int,
        page_number: int = 0,
        page_size: int = 100,
        policy_types: Sequence[str] = ("INTRUSION_PREVENTION",),
        site: str | None = None,
    ) -> Page[TrafficFlowPayload]:
        """``POST v2 traffic-flows``: one page of flows (IPS alerts on Network 10.x).

        Sends the current payload first; when the controller rejects its format (400, 405,
        422) sends the older ``{"limit","offset","timeRange"}`` form instead and keeps using it.
        """
        await self._ensure_flavour()
        endpoint = self._v2_path(site, "traffic-flows")
        if not self._flows_old_form:
            body: dict[str, Any] = {
                "timestampFrom": timestamp_from,
                "timestampTo": timestamp_to,
                "pageNumber": page_number,
                "pageSize": min(page_size, 100),
                "skip_count": False,
                "policy_type": list(policy_types),
                "action": [],
                "risk": [],
                "direction": [],
                "protocol": [],
                "service": [],
                "source_host": [],
                "destination_host": [],
                "search_text": "",
            }
            try:
                reply = await self.request("POST", endpoint, json_body=body)
            except ControllerResponseError as err:
                if (
                    isinstance(err, EndpointNotFoundError)
                    or err.status not in _FLOW_FORMAT_REJECTED
                ):
                    raise
                _log.info(
                    "traffic-flows rejected the payload, trying the older form", status=err.status
                )
                self._flows_old_form = True
            else:
                return cast("Page[TrafficFlowPayload]", _v2_page(reply, endpoint))
        old = {
            "limit": page_size,
            "offset": page_number * page_size,
            "timeRange": _time_range(timestamp_to - timestamp_from),
        }
        reply = await self.request("POST", endpoint, json_body=old)
        return cast("Page[TrafficFlowPayload]", _v2_page(reply, endpoint))
