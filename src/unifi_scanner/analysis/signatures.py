"""What Suricata/Emerging Threats signature families mean, in plain English (data only)."""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

__all__ = [
    "COMPROMISE_WORDS",
    "SID_FAMILIES",
    "SIGNATURE_HINTS",
    "FamilyInfo",
    "Kind",
    "advice",
    "family_info",
    "mentions_compromise",
    "refine",
    "sid_family",
]


class Kind(enum.StrEnum):
    """Broad kind of a signature family, which drives triage."""

    REPUTATION = "reputation"
    SCAN = "scan"
    THREAT = "threat"
    ATTACK = "attack"
    POLICY = "policy"
    ENGINE = "engine"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    """One family's plain-English label, meaning and two advice steps."""

    label: str
    kind: Kind
    meaning: str


_ADVICE: dict[Kind, tuple[str, str]] = {
    Kind.REPUTATION: (
        "Nothing has to be done about single sources: these block lists are updated every day.",
        (
            "Check Settings > Firewall > Port Forwarding and remove forwards you no longer need, "
            "so less of your network is visible from the internet."
        ),
    ),
    Kind.SCAN: (
        "Check Settings > Firewall > Port Forwarding and remove forwards you no longer need.",
        "Keep devices reachable from the internet (cameras, NAS, servers) on current firmware.",
    ),
    Kind.THREAT: (
        (
            "Remove unknown programs or apps from the device and run an up-to-date malware scan; "
            "if in doubt, reset it to factory settings."
        ),
        "From a different, clean device, change the passwords that were used on it.",
    ),
    Kind.ATTACK: (
        (
            "Update the software of the targeted device, and close its port forward if it is not "
            "needed."
        ),
        "Make sure Intrusion Prevention blocks (not just detects) this category.",
    ),
    Kind.POLICY: (
        "Check that the device is meant to use this service; if not, block it with a Traffic Rule.",
        "No urgent action is needed otherwise.",
    ),
    Kind.ENGINE: ("No action is needed.", "No action is needed."),
    Kind.OTHER: (
        "Look up the signature name to learn what it detects.",
        "If it keeps appearing for one device, check that device.",
    ),
}

_R, _S, _T, _A, _P = Kind.REPUTATION, Kind.SCAN, Kind.THREAT, Kind.ATTACK, Kind.POLICY

_FAMILIES: dict[str, FamilyInfo] = {
    "DROP": FamilyInfo(
        "traffic from known-bad networks (Spamhaus DROP list)",
        _R,
        "These addresses belong to networks on Spamhaus's 'Don't Route Or Peer' list: ranges "
        "run by criminals or hijacked from their owners. Traffic from them is almost always "
        "automated scanning or abuse.",
    ),
    "CINS": FamilyInfo(
        "traffic from poorly reputed addresses (CINS Army list)",
        _R,
        "The CINS Army list collects addresses that were recently seen attacking other "
        "networks. Traffic from them is usually automated probing.",
    ),
    "TOR": FamilyInfo(
        "traffic from the Tor anonymity network",
        _R,
        "The traffic came from or went to a Tor node. Tor is legal and used for privacy, but "
        "attackers also use it to hide where they are.",
    ),
    "DSHIELD": FamilyInfo(
        "traffic from top attackers (DShield list)",
        _R,
        "DShield publishes the networks that attack the most sensors on the internet. "
        "Traffic from them is usually automated probing.",
    ),
    "COMPROMISED": FamilyInfo(
        "traffic from known compromised hosts",
        _R,
        "These addresses belong to machines known to be hacked and now used to attack others.",
    ),
    "SCAN": FamilyInfo(
        "port and vulnerability scans",
        _S,
        "Someone probed your network looking for open services or known weaknesses. "
        "Automated scanners do this to every address on the internet, all day.",
    ),
    "MALWARE": FamilyInfo(
        "malware activity",
        _T,
        "The traffic matches what known malicious software sends, for example when it "
        "downloads more malware or reports back to its operators.",
    ),
    "TROJAN": FamilyInfo(
        "trojan activity",
        _T,
        "The traffic matches a trojan: malicious software hidden inside something harmless "
        "that lets an attacker control the device or steal data.",
    ),
    "MOBILE_MALWARE": FamilyInfo(
        "mobile malware activity",
        _T,
        "The traffic matches malicious apps for phones and tablets.",
    ),
    "CNC": FamilyInfo(
        "command-and-control traffic",
        _T,
        "The traffic matches a 'command-and-control' server: infected devices contact such "
        "servers to receive orders from the attacker.",
    ),
    "BOTCC": FamilyInfo(
        "botnet command-and-control traffic",
        _T,
        "The traffic went to a known botnet control server; infected devices contact such "
        "servers to receive orders.",
    ),
    "COINMINER": FamilyInfo(
        "cryptocurrency mining",
        _T,
        "The traffic matches cryptocurrency mining, which is often installed secretly by "
        "malware to use your device's power and electricity.",
    ),
    "ATTACK_RESPONSE": FamilyInfo(
        "signs of a successful attack",
        _T,
        "The traffic looks like the answer of a device that has already been broken into.",
    ),
    "EXPLOIT_KIT": FamilyInfo(
        "exploit kit activity",
        _T,
        "Exploit kits are malicious websites that try to infect visitors' browsers.",
    ),
    "PHISHING": FamilyInfo(
        "phishing",
        _T,
        "The traffic matches a phishing site that imitates a real one to steal passwords.",
    ),
    "CURRENT_EVENTS": FamilyInfo(
        "active threat campaigns",
        _T,
        "The signature tracks a currently active attack or malware campaign.",
    ),
    "WORM": FamilyInfo(
        "worm activity", _T, "The traffic matches a worm, malware that spreads by itself."
    ),
    "EXPLOIT": FamilyInfo(
        "exploit attempts",
        _A,
        "Someone tried to use a known software flaw to break into a device.",
    ),
    "WEB_SERVER": FamilyInfo(
        "attacks on web servers", _A, "Someone sent attack requests to a web server."
    ),
    "WEB_SPECIFIC_APPS": FamilyInfo(
        "attacks on web applications",
        _A,
        "Someone tried known attacks against a specific web application (routers, cameras, "
        "content management systems).",
    ),
    "WEB_CLIENT": FamilyInfo(
        "attacks on web browsers", _A, "A web page tried to attack the browser that opened it."
    ),
    "SQL": FamilyInfo("database attacks", _A, "Someone tried to attack a database service."),
    "DOS": FamilyInfo(
        "denial-of-service traffic", _A, "The traffic tries to overload a service so it stops."
    ),
    "SHELLCODE": FamilyInfo(
        "attack code in traffic", _A, "The traffic carries code typical of break-in attempts."
    ),
    "NETBIOS": FamilyInfo(
        "Windows file-sharing attacks", _A, "Someone targeted Windows file sharing (SMB)."
    ),
    "POLICY": FamilyInfo(
        "policy notices",
        _P,
        "The traffic is not an attack but worth knowing about, such as remote-access tools, "
        "file sharing or unusual software.",
    ),
    "INFO": FamilyInfo("informational notices", _P, "The traffic is noteworthy but not an attack."),
    "GAMES": FamilyInfo("gaming traffic", _P, "The traffic belongs to online games."),
    "P2P": FamilyInfo(
        "peer-to-peer file sharing", _P, "The traffic belongs to file-sharing software."
    ),
    "CHAT": FamilyInfo("chat applications", _P, "The traffic belongs to chat applications."),
    "USER_AGENTS": FamilyInfo(
        "unusual software identifiers",
        _P,
        "A program identified itself in an unusual way; often harmless, sometimes malware.",
    ),
    "DNS": FamilyInfo("unusual DNS lookups", _P, "A device looked up unusual domain names."),
    "HUNTING": FamilyInfo(
        "threat-hunting hints",
        _P,
        "Low-confidence signatures meant to help experts look for threats; often harmless.",
    ),
}

_ENGINE = FamilyInfo(
    "intrusion detection engine events",
    Kind.ENGINE,
    "The intrusion detection engine noticed malformed or unusual packets (signature IDs "
    "2200000-2299999). These describe network glitches, not attacks.",
)

_OTHER = FamilyInfo(
    "other intrusion alerts",
    Kind.OTHER,
    "The gateway's intrusion detection matched this traffic against a threat signature.",
)

_SHORT_HINT = 3

# Words that appear in controller categories (`inner_alert_category`, `catname`) when there is
# no signature name to go by.
_CATEGORY_HINTS: tuple[tuple[str, str], ...] = (
    ("trojan", "TROJAN"),
    ("command and control", "CNC"),
    ("botcc", "BOTCC"),
    ("coin", "COINMINER"),
    ("mining", "COINMINER"),
    ("malware", "MALWARE"),
    ("spamhaus", "DROP"),
    ("dshield", "DSHIELD"),
    ("ciarmy", "CINS"),
    ("compromised", "COMPROMISED"),
    ("tor", "TOR"),
    ("scan", "SCAN"),
    ("exploit", "EXPLOIT"),
    ("policy", "POLICY"),
)


# Short hints must be a whole word ("tor", not "monitor"): letters on neither side.
_WHOLE_WORD = {
    hint: re.compile(rf"(?<![a-z]){re.escape(hint)}(?![a-z])")
    for hint, _ in _CATEGORY_HINTS
    if len(hint) <= _SHORT_HINT
}


def family_info(word: str | None, categories: tuple[str, ...] = ()) -> tuple[str, FamilyInfo]:
    """Look a family word up (``DROP``), falling back to hints in the category texts.

    Args:
        word: the word after ``ET``/``ETPRO`` in the signature, or ``None``.
        categories: the controller's category texts for the alert.

    Returns:
        The family word finally used (``""`` if none) and its description.
    """
    if word == "ENGINE":
        return word, _ENGINE
    if word and word in _FAMILIES:
        return word, _FAMILIES[word]
    text = " ".join(categories).lower()
    for hint, hinted in _CATEGORY_HINTS:
        whole_word = _WHOLE_WORD.get(hint)
        if whole_word.search(text) if whole_word else (hint in text):
            return hinted, _FAMILIES[hinted]
    return word or "", _OTHER


SIGNATURE_HINTS: tuple[tuple[str, str], ...] = (
    # Reputation lists share the ET DROP family word but are different lists.
    ("dshield", "DSHIELD"),
    ("spamhaus", "DROP"),
    ("ciarmy", "CINS"),
    ("cins active threat", "CINS"),
    ("known compromised", "COMPROMISED"),
    ("known tor", "TOR"),
    ("tor exit", "TOR"),
    ("tor relay", "TOR"),
    # Compromise, whatever family word the signature was filed under (ET POLICY, ET INFO…).
    ("coin miner", "COINMINER"),
    ("coinminer", "COINMINER"),
    ("cryptocurrency miner", "COINMINER"),
    ("crypto currency mining", "COINMINER"),
    ("xmrig", "COINMINER"),
    ("stratum", "COINMINER"),
    ("c&c", "BOTCC"),
    ("command and control", "CNC"),
    ("cnc checkin", "CNC"),
)
"""Phrases in a signature's name (lower-case) that say more than its family word: ``ET DROP
Dshield Block Listed Source`` is DShield's list, not Spamhaus's; ``ET POLICY Crypto Coin Miner
Login`` is a coin miner. A hint never turns a threat family into something milder."""

COMPROMISE_WORDS: tuple[str, ...] = (
    "malware",
    "trojan",
    "ransomware",
    "backdoor",
    "botnet",
    "infostealer",
    "stealer",
    "exploit kit",
)
"""Words in a signature's name that point to a compromised device even when the signature is filed
under a milder family (``ET INFO``, ``ET HUNTING``…): from an inside host they are never low."""


@functools.lru_cache(maxsize=4096)
def mentions_compromise(signature: str) -> bool:
    """Whether a signature's name mentions compromise (:data:`COMPROMISE_WORDS`)."""
    text = signature.lower()
    return any(word in text for word in COMPROMISE_WORDS)


SID_FAMILIES: tuple[tuple[range, str], ...] = (
    (range(2_400_000, 2_401_000), "DROP"),  # ET DROP Spamhaus DROP Listed Traffic
    (range(2_402_000, 2_403_000), "DSHIELD"),  # ET DROP Dshield Block Listed Source
    (range(2_403_300, 2_404_000), "CINS"),  # ET CINS Active Threat Intelligence Poor Reputation
    (range(2_500_000, 2_501_000), "COMPROMISED"),  # ET COMPROMISED Known Compromised Host
    (range(2_520_000, 2_523_000), "TOR"),  # ET TOR Known Tor Exit / Relay Node Traffic
)
"""Emerging Threats' reputation groups by signature id, for alerts that carry no name."""


def refine(word: str | None, signature: str) -> str | None:
    """The family word a signature really belongs to, by the phrases in its name.

    Args:
        word: the word after ``ET``/``ETPRO`` (``DROP``), or ``None``.
        signature: the whole signature name.

    Returns:
        A hinted family word (:data:`SIGNATURE_HINTS`), or ``word`` unchanged.
    """
    current = _FAMILIES.get(word) if word else None
    if current is not None and current.kind is Kind.THREAT:
        return word  # a threat stays a threat
    text = signature.lower()
    for hint, hinted in SIGNATURE_HINTS:
        if hint in text:
            return hinted
    return word


def sid_family(sid: int | None) -> tuple[str, FamilyInfo] | None:
    """The reputation list a signature id belongs to (:data:`SID_FAMILIES`), if any.

    The last resort for an alert whose name and categories say nothing.
    """
    if sid is None:
        return None
    for ids, family in SID_FAMILIES:
        if sid in ids:
            return family, _FAMILIES[family]
    return None


def advice(kind: Kind) -> tuple[str, str]:
    """Two category-specific remediation steps."""
    return _ADVICE[kind]
