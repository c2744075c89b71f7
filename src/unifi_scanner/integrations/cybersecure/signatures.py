"""Which rule set an IPS signature comes from, told by its id and its name.

Ranges from the signature id allocation the rule publishers share (``docs/integrations/
cybersecure.md`` lists them): ET PRO, the paid Proofpoint set that comes with CyberSecure, is
2,800,000-2,899,999 (and names starting ``ETPRO``); ET OPEN, the free set every gateway loads,
is 2,000,000-2,103,999 and 2,400,000-2,609,999; 2,200,000-2,299,999 are Suricata's own engine
events (decoder and stream anomalies), which are not threats.
"""

from __future__ import annotations

import enum
from typing import Final

from unifi_scanner.analysis import is_engine_signature, is_pro_signature

__all__ = ["SignatureSource", "source_of"]


class SignatureSource(enum.StrEnum):
    """The rule set behind one alert."""

    ET_PRO = "ET PRO"
    ET_OPEN = "ET OPEN"
    ENGINE = "Suricata engine event"
    HUNTING = "community hunting rules"
    ET_OTHER = "Emerging Threats (other range)"
    LOCAL = "local rule"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def threat(self) -> bool:
        """False for engine events: decoder and stream anomalies, not attacks."""
        return self is not SignatureSource.ENGINE


_RANGES: Final = (
    (range(2_000_000, 2_104_000), SignatureSource.ET_OPEN),
    (range(2_400_000, 2_610_000), SignatureSource.ET_OPEN),
    (range(2_610_000, 2_630_000), SignatureSource.HUNTING),
    (range(2_700_000, 2_800_000), SignatureSource.ET_OTHER),
    (range(1_000_000, 2_000_000), SignatureSource.LOCAL),
)
_PREFIXES: Final = (
    ("ET ", SignatureSource.ET_OPEN),
    ("GPL ", SignatureSource.ET_OPEN),
)


def source_of(sid: int | None, name: str | None) -> SignatureSource:
    """Return the rule set of a signature.

    ET PRO and engine events are told as the analysis tells them
    (:func:`~unifi_scanner.analysis.is_pro_signature`, ``is_engine_signature``: an ``ETPRO`` or
    ``SURICATA`` name wins over the id); otherwise the id decides, and a name only when there is
    no id.

    Args:
        sid: the signature id, if the alert carries one.
        name: the signature's name (``ET SCAN …``), if any.

    Returns:
        The source; ``UNKNOWN`` when neither says.
    """
    text = (name or "").strip().upper()
    if is_pro_signature(text, sid):
        return SignatureSource.ET_PRO
    if is_engine_signature(text, sid):
        return SignatureSource.ENGINE
    if sid is not None:
        for ids, source in _RANGES:
            if sid in ids:
                return source
        return SignatureSource.OTHER
    for prefix, source in _PREFIXES:
        if text.startswith(prefix):
            return source
    return SignatureSource.UNKNOWN
