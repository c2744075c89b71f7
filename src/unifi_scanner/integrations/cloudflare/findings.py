"""Findings from the Cloudflare section's data: tunnels down, WAF spikes and sources, DNS threats.

They are computed from the section data alone (JSON-compatible), so what a finding says is
exactly what the section shows.
"""

from __future__ import annotations

from datetime import datetime
from statistics import median
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.integrations.render import defang

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Mapping

    from unifi_scanner.config import CloudflareSettings

__all__ = ["MAX_SOURCE_FINDINGS", "findings_of", "spikes"]

MAX_SOURCE_FINDINGS: Final = 5
_MIN_SPIKE_HOURS: Final = 6


def _when(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def spikes(
    hourly: Mapping[str, Counter[datetime]],
    covered: Mapping[str, tuple[datetime, datetime]],
    settings: CloudflareSettings,
) -> list[dict[str, Any]]:
    """Return the hours whose stopped requests spiked, per zone.

    An hour spikes when it has at least ``spike_min`` stopped requests and ``spike_factor``
    times the zone's usual hour: the median of its other hours that had any (quiet nights do
    not make every busy hour a spike). Only zones read completely over at least six hours
    (``covered``) are judged: a cut or clamped reading has no fair usual hour.

    Args:
        hourly: stopped requests per zone and hour.
        covered: per zone, the period read completely.
        settings: the thresholds.

    Returns:
        ``[{zone, hour, count, usual}]``, the largest first.
    """
    found: list[dict[str, Any]] = []
    for zone, counts in hourly.items():
        span = covered.get(zone)
        if span is None or (span[1] - span[0]).total_seconds() < _MIN_SPIKE_HOURS * 3600:
            continue
        peak_hour, peak = max(counts.items(), key=lambda item: (item[1], item[0]))
        rest = [count for hour, count in counts.items() if hour != peak_hour and count]
        usual = median(rest) if rest else 0
        if peak >= settings.spike_min and peak >= settings.spike_factor * max(usual, 1):
            found.append(
                {"zone": zone, "hour": peak_hour.isoformat(), "count": peak, "usual": usual}
            )
    return sorted(found, key=lambda s: -s["count"])


def _tunnel_findings(tunnels: list[Mapping[str, Any]]) -> list[Finding]:
    found: list[Finding] = []
    for tunnel in tunnels:
        status, name = tunnel.get("status"), str(tunnel.get("name"))
        key = str(tunnel.get("id") or name)
        since = _when(tunnel.get("since"))
        since_text = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
        if status == "down":
            found.append(
                Finding(
                    rule="cloudflare.tunnel_down",
                    severity=Severity.SEVERE,
                    title=f"Cloudflare Tunnel {name} is down{since_text}",
                    explanation=(
                        f"The tunnel {name} has no connection to Cloudflare: every website or "
                        "service published through it is unreachable from the internet. "
                        "Usually the cloudflared connector stopped, lost its network, or its "
                        "machine is off."
                    ),
                    remediation=(
                        "Check the machine that runs cloudflared for this tunnel is on and online.",
                        (
                            "Restart the connector (`systemctl restart cloudflared` or its "
                            "container) and read its log for the reason."
                        ),
                        (
                            "If the tunnel is no longer used, delete it in Zero Trust → Networks "
                            "→ Tunnels so it stops showing as down."
                        ),
                    ),
                    subject=name,
                    key=key,
                    last_seen=since,
                    evidence=(f"Cloudflare reports status 'down'{since_text}.",),
                )
            )
        elif status == "degraded":
            colos = ", ".join(tunnel.get("colos") or []) or "none"
            found.append(
                Finding(
                    rule="cloudflare.tunnel_degraded",
                    severity=Severity.MEDIUM,
                    title=f"Cloudflare Tunnel {name} is degraded",
                    explanation=(
                        f"The tunnel {name} still serves traffic, but with fewer connections "
                        f"than it should ({tunnel.get('connections', 0)} to data centres "
                        f"{colos}); one more failure takes what it publishes offline."
                    ),
                    remediation=(
                        "Read the cloudflared log on the connector for connection errors.",
                        (
                            "Check the connector's internet link and that outbound port 7844 is "
                            "open (UniFi firewall rules included)."
                        ),
                        "Run a second connector (replica) for the tunnel on another machine.",
                    ),
                    subject=name,
                    key=key,
                    evidence=(
                        (
                            f"{tunnel.get('connectors', 0)} connector(s), "
                            f"{tunnel.get('connections', 0)} connection(s), "
                            f"{tunnel.get('pending_reconnect', 0)} waiting to reconnect."
                        ),
                    ),
                )
            )
    return found


def _source_findings(waf: Mapping[str, Any], threshold: int) -> list[Finding]:
    found: list[Finding] = []
    for source in waf.get("top_sources") or []:
        for zone, count in (source.get("zones") or {}).items():
            if count < threshold or len(found) >= MAX_SOURCE_FINDINGS:
                continue
            ip = str(source.get("ip"))
            who = ", ".join(x for x in (source.get("country"), source.get("asn")) if x)
            who = f" ({who})" if who else ""
            path = source.get("top_path") or "/"
            found.append(
                Finding(
                    rule="cloudflare.waf_source",
                    severity=Severity.MEDIUM,
                    title=f"{ip}{who} hammered {zone}: {count} requests stopped by Cloudflare",
                    explanation=(
                        f"One address sent {count} requests to {zone} that Cloudflare's "
                        f"firewall blocked or challenged, most of them to {path}. That is a "
                        "tool trying your site on purpose (password guessing, a vulnerability "
                        "scan), not a visitor. Cloudflare stopped these requests; what matters "
                        "is that nothing reaches your server around Cloudflare."
                    ),
                    remediation=(
                        (
                            f"Block {ip} for the zone (Security → WAF → Tools → IP Access Rules) "
                            "or add a rate-limiting rule for the path it targets."
                        ),
                        (
                            f"Make sure {path} is not reachable directly on your public IP (only "
                            "through Cloudflare, or only through a tunnel)."
                        ),
                        "Check the origin's logs for the same address.",
                    ),
                    subject=f"{ip} on {zone}",
                    count=count,
                    evidence=(
                        (
                            f"{count} of its {source.get('total', count)} requests to {zone} "
                            "were stopped."
                        ),
                    ),
                )
            )
    return found


def _spike_findings(waf: Mapping[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    for spike in waf.get("spikes") or []:
        hour = _when(spike.get("hour"))
        at = f" at {hour:%Y-%m-%d %H}:00 UTC" if hour else ""
        zone = spike.get("zone")
        found.append(
            Finding(
                rule="cloudflare.waf_spike",
                severity=Severity.MEDIUM,
                title=f"Cloudflare stopped a spike of requests to {zone}{at}",
                explanation=(
                    f"In one hour Cloudflare blocked or challenged {spike.get('count')} "
                    f"requests to {zone}, where a usual hour has about {spike.get('usual'):g}. "
                    "A burst like this is an attack or a bot campaign aimed at the site."
                ),
                remediation=(
                    "Look at the top sources and paths below for what the burst went after.",
                    (
                        "If it keeps coming, add a rate-limiting rule for that path, or turn on "
                        "Bot Fight Mode for the zone."
                    ),
                ),
                subject=f"{zone}{at}",
                key=str(zone),
                count=int(spike.get("count") or 0),
                first_seen=hour,
                last_seen=hour,
            )
        )
    return found


def _dns_findings(dns: Mapping[str, Any]) -> list[Finding]:
    threats = dns.get("threats") or []
    if not threats:
        return []
    total = sum(int(t.get("count") or 0) for t in threats)
    by_location: dict[str, list[str]] = {}
    for threat in threats:
        by_location.setdefault(str(threat.get("location")), []).append(
            f"{threat.get('category')} ({threat.get('count')})"
        )
    where = "; ".join(f"{loc}: {', '.join(cats)}" for loc, cats in by_location.items())
    domains = ", ".join(defang(str(d.get("domain"))) for d in (dns.get("threat_domains") or [])[:3])
    places = ", ".join(by_location)
    return [
        Finding(
            rule="cloudflare.dns_threats",
            severity=Severity.MEDIUM,
            title=f"Cloudflare Gateway blocked {total} look-ups of harmful domains from {places}",
            explanation=(
                "Devices behind these locations asked for domains Cloudflare classes as "
                f"malware, phishing or command and control ({where}). Gateway blocked them, "
                "but a device that keeps asking is usually infected or was sent a phishing "
                "link."
            ),
            remediation=(
                f"Find which device asked (Zero Trust → Logs → Gateway → DNS, domains {domains}).",
                "Scan that device for malware, and check the browser extensions on it.",
                "If a person clicked a phishing link, change the password they may have typed.",
            ),
            subject=f"DNS threats ({places})",
            key="Gateway DNS",
            count=total,
            evidence=tuple(
                f"{t.get('count')} blocked: {t.get('category')} at {t.get('location')}"
                for t in threats
            ),
        )
    ]


def findings_of(data: Mapping[str, Any], settings: CloudflareSettings) -> tuple[Finding, ...]:
    """Return the findings the section's data calls for.

    Args:
        data: the section data.
        settings: the thresholds.

    Returns:
        Tunnels down (severe) or degraded, WAF sources and spikes, DNS threats (medium).
    """
    waf = data.get("waf") or {}
    return (
        *_tunnel_findings((data.get("tunnels") or {}).get("tunnels") or []),
        *_spike_findings(waf),
        *_source_findings(waf, settings.source_threshold),
        *_dns_findings(data.get("dns") or {}),
    )
