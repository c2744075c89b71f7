"""One view of an IPS alert, whatever shape it came in, and its triage.

Three shapes reach the rules: classic ``EVT_IPS_IpsAlert`` items (``stat/event``,
``stat/ips/event``, ``list/alarm``) with ``inner_alert_*`` fields; v2 ``traffic-flows`` flows with
an ``ips`` object; and v2 ``system-log`` threat entries (``THREAT_BLOCKED_V3``) whose parameters
are ``{"SRC_IP": {"name": …}}`` objects.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import msgspec

from unifi_scanner._addresses import Scope, scope
from unifi_scanner.analysis.signatures import FamilyInfo, Kind, family_info, refine, sid_family
from unifi_scanner.collect.models import EventSource
from unifi_scanner.collect.normalize import as_str, mac_id

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.collect.models import Event

__all__ = [
    "ENGINE_SIDS",
    "ETPRO_SIDS",
    "UNNAMED",
    "Direction",
    "IpsAlert",
    "Triage",
    "is_engine_signature",
    "is_pro_signature",
    "is_threat_event",
    "parse_alert",
]

UNNAMED: Final = "an unnamed signature"
"""The signature of an alert that names none (v2 system-log rows carry no signature)."""
ENGINE_SIDS: Final = range(2_200_000, 2_300_000)
"""Suricata's own engine events (decoder and stream anomalies): not threats."""
ETPRO_SIDS: Final = range(2_800_000, 2_900_000)
"""The paid Proofpoint ET PRO set (CyberSecure)."""


def _named(signature: str) -> str | None:
    """What a signature's name says of its set: ``pro``, ``engine`` or nothing."""
    head = signature.lstrip()[:8].upper()
    if head.startswith("ETPRO"):
        return "pro"
    if head.startswith("SURICATA"):
        return "engine"
    return None


def is_pro_signature(signature: str, sid: int | None) -> bool:
    """Whether a signature is Proofpoint ET PRO (CyberSecure): its name, else its id.

    The name wins (a renumbered ``ETPRO`` rule is still ET PRO); the one test for the
    analysis' badge and the CyberSecure section.
    """
    named = _named(signature)
    return named == "pro" or (named is None and sid is not None and sid in ETPRO_SIDS)


def is_engine_signature(signature: str, sid: int | None) -> bool:
    """Whether a signature is a Suricata engine event (not a threat): its name, else its id."""
    named = _named(signature)
    return named == "engine" or (named is None and sid is not None and sid in ENGINE_SIDS)


_CACHE_LIMIT = 65_536
_FAMILY_CACHE: dict[tuple[str, int | None, tuple[str, ...] | None], tuple[str, FamilyInfo]] = {}

_FAMILY_RE = re.compile(r"^(ETPRO|ET|GPL|SURICATA)\s+([A-Z][A-Z0-9_]*)")
_SIGNATURE_IN_TEXT = re.compile(r"Signature\s+(.+?)(?:\.\s+From:|$)")
_BLOCKED_WORDS = frozenset({"blocked", "block", "drop", "dropped", "reject", "rejected", "deny"})
_DIRECTIONS = {
    "incoming": "inbound",
    "inbound": "inbound",
    "in": "inbound",
    "outgoing": "outbound",
    "outbound": "outbound",
    "out": "outbound",
    "internal": "internal",
    "local": "internal",
}


class Direction(enum.StrEnum):
    """Which way the alerting traffic went."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"
    UNKNOWN = "unknown"


class Triage(enum.StrEnum):
    """Where an alert lands; each value is handled by one rule in ``rules/security.py``."""

    ENGINE = "engine"
    INSIDE_THREAT = "inside_threat"
    INBOUND_BLOCKED = "inbound_blocked"
    INBOUND_DETECTED = "inbound_detected"
    INSIDE_OTHER = "inside_other"


class IpsAlert(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The fields triage and the texts need (a struct: one is built per alert)."""

    signature: str
    signature_id: int | None
    family: str
    info: FamilyInfo
    category: str
    blocked: bool
    direction: Direction
    src_ip: str | None
    dst_ip: str | None
    src_mac: str | None
    src_name: str | None
    src_country: str | None
    src_asn: str | None
    is_pro: bool
    """Whether the signature is from the paid ET PRO set."""
    triage: Triage
    """Which bucket the alert falls into (one rule in ``rules/security.py`` each)."""


_INSIDE: Final = frozenset({Direction.OUTBOUND, Direction.INTERNAL})


def _triage(kind: Kind, direction: Direction, *, blocked: bool) -> Triage:
    if kind is Kind.ENGINE:
        return Triage.ENGINE
    if direction in _INSIDE:
        return Triage.INSIDE_THREAT if kind is Kind.THREAT else Triage.INSIDE_OTHER
    return Triage.INBOUND_BLOCKED if blocked else Triage.INBOUND_DETECTED


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


_BY_SCOPES: Final = {
    (Scope.OUTSIDE, Scope.INSIDE): Direction.INBOUND,
    (Scope.OUTSIDE, Scope.OUTSIDE): Direction.INBOUND,
    (Scope.INSIDE, Scope.OUTSIDE): Direction.OUTBOUND,
    (Scope.INSIDE, Scope.INSIDE): Direction.INTERNAL,
}


def _direction(src: str | None, dst: str | None, hint: object) -> Direction:
    src_scope, dst_scope = scope(src), scope(dst)
    found = _BY_SCOPES.get((src_scope, dst_scope))
    if found is not None:
        return found
    if isinstance(hint, str) and hint.lower() in _DIRECTIONS:
        return Direction(_DIRECTIONS[hint.lower()])
    if src_scope is Scope.OUTSIDE:
        return Direction.INBOUND
    if src_scope is Scope.INSIDE:
        return Direction.OUTBOUND
    return Direction.UNKNOWN


_LOG_NAMES: Final = frozenset(
    {
        "SIGNATURE",
        "SIGNATURE_ID",
        "CATEGORY",
        "SRC_IP",
        "DST_IP",
        "SRC_MAC",
        "SRC_CLIENT",
        "CLIENT",
        "SRC_COUNTRY",
    }
)


def _log_values(params: Mapping[str, Any]) -> dict[str, str]:
    """The v2 system-log parameters an alert needs, as text.

    They are flat or under ``parameters`` (a flat one wins), a string or a ``{name, ip…}``
    object. Only the names present are read: an entry carries a few of them.
    """
    found: dict[str, str] = {}
    nested = params.get("parameters")
    for source in (nested, params) if isinstance(nested, dict) else (params,):
        for name in _LOG_NAMES.intersection(source):
            text = _log_text(source[name])
            if text:
                found[name] = text
    return found


def _log_text(value: object) -> str | None:
    if isinstance(value, dict):
        for field in ("ip", "name", "target_id", "id"):
            text = as_str(value.get(field))
            if text:
                return text
        return None
    return as_str(value)


_IPS_SUBCATEGORIES: Final = frozenset({"SECURITY_INTRUSION_PREVENTION"})


def is_threat_event(event: Event) -> bool:
    """Whether an event is any of the three IPS/threat shapes.

    A v2 system-log entry is an IPS alert only by its key (``THREAT_*``) or its IPS
    subcategory: the same ``SECURITY`` category also holds firewall-policy blocks
    (``TRAFFIC_BLOCKED_*``, ``SECURITY_FIREWALL``) and honeypot hits, which are not IPS.
    """
    key = event.key
    if key == "EVT_IPS_IpsAlert":
        return True
    source = event.source
    if source is EventSource.SYSTEM_LOG:
        return key.startswith("THREAT_") or (event.subsystem or "") in _IPS_SUBCATEGORIES
    if source is EventSource.TRAFFIC_FLOW and isinstance(event.params.get("ips"), dict):
        return True
    return key.startswith("THREAT_")


def _categories(catname: object, *extra: object) -> tuple[str, ...]:
    """The non-empty category texts: ``catname`` (one or a list) first, then ``extra``."""
    items = catname if isinstance(catname, list | tuple) else (catname,)
    return tuple(text for item in (*items, *extra) if (text := as_str(item)))


def parse_alert(event: Event) -> IpsAlert:
    """Read an IPS alert out of any of the three shapes.

    Args:
        event: a normalised event for which :func:`is_threat_event` holds.

    Returns:
        The alert's signature, family, action, direction and endpoints.
    """
    params = event.params
    # Classic items, and v2 flows the normaliser gave the classic names (it parsed their
    # advanced_information already), read the classic fields.
    if "inner_alert_signature" in params or event.key == "EVT_IPS_IpsAlert":
        return _from_classic(event, params)
    ips = params.get("ips")
    if isinstance(ips, dict):
        return _from_flow(event, params, ips)
    return _from_log(event, params)


def _from_classic(event: Event, params: Mapping[str, Any]) -> IpsAlert:
    get = params.get
    catname = get("catname")
    what = _what(
        (
            get("inner_alert_signature"),
            get("inner_alert_signature_id"),
            get("inner_alert_category"),
            tuple(catname) if isinstance(catname, list) else catname,
            get("inner_alert_action"),
        ),
        event.message,
    )
    src_name, country = _source_facts(_dict(get("source")))  # a v2 flow's, when it is one
    return _alert(
        what,
        src_ip=as_str(get("src_ip")),
        dst_ip=as_str(get("dest_ip")),
        src_mac=as_str(get("src_mac")),
        src_name=src_name,
        country=as_str(get("srcipCountry")) or country,
        asn=as_str(get("srcipASN")),
        direction_hint=get("direction"),
    )


def _source_facts(source: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """A v2 flow source's client name and region (or country)."""
    if not source:
        return None, None
    return as_str(source.get("client_name")), (
        as_str(source.get("region")) or as_str(source.get("country"))
    )


def _from_flow(event: Event, params: Mapping[str, Any], ips: Mapping[str, Any]) -> IpsAlert:
    source = _dict(params.get("source"))
    dest = _dict(params.get("destination"))
    info_text = as_str(ips.get("advanced_information")) or event.message
    category = as_str(ips.get("category_name")) or as_str(ips.get("ips_category")) or ""
    src_name, country = _source_facts(source)
    return _alert(
        _make_what(
            _signature(as_str(ips.get("signature")), info_text),
            _int(ips.get("signature_id")),
            (category,) if category else (),
            as_str(params.get("action")),
        ),
        src_ip=as_str(source.get("ip")),
        dst_ip=as_str(dest.get("ip")),
        src_mac=as_str(source.get("mac")),
        src_name=src_name,
        country=country,
        asn=None,
        direction_hint=params.get("direction"),
    )


class _End(NamedTuple):
    """One end of a v2 threat entry.

    Its address, MAC and name, and whether the controller recognised it as one of the site's
    clients or devices.
    """

    ip: str | None
    mac: str | None
    name: str | None
    known: bool


def _log_end(parameters: Mapping[str, Any], side: str) -> _End:
    """``SRC``/``DST``: a known client (``SRC_CLIENT``) or device (``SRC_DEVICE``), else an IP."""
    for kind in ("CLIENT", "DEVICE"):
        value = parameters.get(f"{side}_{kind}")
        if isinstance(value, dict):
            mac = (
                mac_id(value.get("mac"))
                or mac_id(value.get("id"))
                or mac_id(value.get("target_id"))
            )
            name = as_str(value.get("name")) or as_str(value.get("hostname"))
            return _End(as_str(value.get("ip")), mac, name, known=True)
    return _End(_log_text(parameters.get(f"{side}_IP")), None, None, known=False)


def _suffix_direction(key: str, src: _End, dst: _End) -> Direction | None:
    """Which way the traffic went, from what the key's suffix says the controller recognised.

    ``_KNOWN_SOURCE_CLIENT``: the source is one of the site's clients. It outranks the
    addresses: a known client is inside whatever its address looks like.
    """
    if "UNKNOWN_SOURCE" in key:
        return Direction.INBOUND
    if "KNOWN_SOURCE_AND_DESTINATION" in key or (src.known and dst.known):
        return Direction.INTERNAL
    if "KNOWN_SOURCE" in key or src.known:
        return Direction.INTERNAL if scope(dst.ip) is Scope.INSIDE else Direction.OUTBOUND
    if "KNOWN_DESTINATION" in key or dst.known:
        return Direction.INTERNAL if scope(src.ip) is Scope.INSIDE else Direction.INBOUND
    return None


def _from_log(event: Event, params: Mapping[str, Any]) -> IpsAlert:
    key = event.key.upper()
    log = _log_values(params)
    nested = params.get("parameters")
    parameters: Mapping[str, Any] = nested if isinstance(nested, dict) else params
    src, dst = _log_end(parameters, "SRC"), _log_end(parameters, "DST")
    signature = _signature(log.get("SIGNATURE"), event.message)
    src_ip = src.ip or log.get("SRC_IP") or as_str(params.get("src_ip"))
    dst_ip = dst.ip or log.get("DST_IP") or as_str(params.get("dest_ip"))
    return _alert(
        _make_what(
            signature,
            _int(log.get("SIGNATURE_ID")),
            # hints come from the category, the signature and the message template, not the
            # names and addresses filled into it (a device called "Tor-Router" says nothing
            # about the alert); the template repeats, so the family cache hits
            _categories(
                params.get("catname"),
                log.get("CATEGORY"),
                signature,
                _template(params) or event.message,
            ),
            "blocked" if "BLOCK" in key else as_str(params.get("action")),
        ),
        src_ip=src_ip,
        dst_ip=dst_ip,
        src_mac=src.mac or log.get("SRC_MAC"),
        src_name=src.name or log.get("CLIENT"),
        country=log.get("SRC_COUNTRY"),
        asn=None,
        direction_hint=params.get("direction"),
        direction=_suffix_direction(key, src, dst),
    )


class _What(NamedTuple):
    """What an alert is, apart from who sent it: few distinct values recur, so it is cached."""

    signature: str
    sid: int | None
    family: str
    info: FamilyInfo
    category: str
    blocked: bool
    pro: bool


_RawWhat = tuple[object, object, object, object, object]


_PLAIN = frozenset({str, int, type(None)})  # no two values of these types compare equal


def _what(fields: _RawWhat, message: str) -> _What:
    """A classic alert's :class:`_What` from its raw fields.

    ``fields`` are the signature, signature id, category, ``catname`` and action; the message
    is read only when there is no signature text. Raw fields of plain types (text, integers,
    none) key a cache directly; others (``1.0`` equals ``1`` and ``True``) are converted first,
    and :func:`_make_what` caches on the converted values.
    """
    plain = _PLAIN
    signature, sid, category, catname, action = fields
    if (
        type(signature) in plain
        and type(sid) in plain
        and type(category) in plain
        and type(catname) in plain
        and type(action) in plain
    ):
        return _cached_what(fields, "" if signature else message)
    return _convert_what(fields, message)


def _convert_what(fields: _RawWhat, message: str) -> _What:
    signature, sid, category, catname, action = fields
    categories = _categories(catname, category)
    return _make_what(_signature(as_str(signature), message), _int(sid), categories, as_str(action))


_cached_what = functools.lru_cache(maxsize=4096)(_convert_what)


@functools.lru_cache(maxsize=4096)
def _make_what(
    signature: str, sid: int | None, categories: tuple[str, ...], action: str | None
) -> _What:
    family, info = _family(signature, sid, categories)
    return _What(
        signature=signature or UNNAMED,
        sid=sid,
        family=family,
        info=info,
        category=categories[0] if categories else "",  # every item is a non-empty text
        blocked=(action or "").lower() in _BLOCKED_WORDS,
        pro=is_pro_signature(signature, sid),
    )


def _template(params: Mapping[str, Any]) -> str | None:
    return as_str(params.get("message_raw")) or as_str(params.get("title_raw"))


def _signature(given: str | None, text: str) -> str:
    if given:
        return given.strip()
    if not text or "Signature" not in text:  # a substring test before the costlier search
        return ""
    match = _SIGNATURE_IN_TEXT.search(text)
    return match.group(1).strip() if match else ""


def _family(signature: str, sid: int | None, categories: tuple[str, ...]) -> tuple[str, FamilyInfo]:
    """The family label and its description; cached, since few signatures recur often.

    The category texts only matter when the signature names no known family, so the cache is
    keyed by signature alone whenever it can be.
    """
    found = _FAMILY_CACHE.get((signature, sid, None))  # the family came from the name
    if found is None:
        found = _FAMILY_CACHE.get((signature, sid, categories))  # ...or from these texts
    if found is not None:
        return found
    match = _FAMILY_RE.match(signature)
    family = f"{match.group(1)} {match.group(2)}" if match else ""
    word: str | None = refine(match.group(2) if match else None, signature)
    if is_engine_signature(signature, sid):
        word = "ENGINE"
    _, info = family_info(word, ())
    cache_key: tuple[str, int | None, tuple[str, ...] | None] = (signature, sid, None)
    if info.kind is Kind.OTHER:  # no family by name: the categories decide, else the id
        _, info = family_info(word, categories)
        if info.kind is Kind.OTHER and (listed := sid_family(sid)) is not None:
            _, info = listed
        cache_key = (signature, sid, categories)
    found = (family or "IPS", info)
    if len(_FAMILY_CACHE) >= _CACHE_LIMIT:
        _FAMILY_CACHE.clear()
    _FAMILY_CACHE[cache_key] = found
    return found


def _alert(
    what: _What,
    *,
    src_ip: str | None,
    dst_ip: str | None,
    src_mac: str | None,
    src_name: str | None,
    country: str | None,
    asn: str | None,
    direction_hint: object,
    direction: Direction | None = None,
) -> IpsAlert:
    if direction is None:
        direction = _direction(src_ip, dst_ip, direction_hint)
    return IpsAlert(
        signature=what.signature,
        signature_id=what.sid,
        family=what.family,
        info=what.info,
        category=what.category,
        blocked=what.blocked,
        direction=direction,
        src_ip=src_ip,
        dst_ip=dst_ip,
        src_mac=src_mac.lower() if src_mac else None,
        src_name=src_name,
        src_country=country,
        src_asn=asn,
        is_pro=what.pro,
        triage=_triage(what.info.kind, direction, blocked=what.blocked),
    )
