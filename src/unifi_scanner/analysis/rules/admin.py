"""Admin and controller rules.

Sign-ins, failed sign-ins, the controller's storage, backups and updates, scheduled streams.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import param_text, v2_parameter
from unifi_scanner.analysis.rule import EventRule
from unifi_scanner.analysis.rules._common import at_least, policy_severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["ADMIN_RULES", "admin_name"]

# Real events write an admin as ``Admin[name]`` (with padding) in their ``admin`` field.
_WRAPPED = re.compile(r"^\s*Admin\[\s*(?P<name>.*?)\s*\]\s*$")


def admin_name(event: Event) -> str | None:
    """The admin an event names: ``admin`` (``Admin[anna]`` unwrapped) or a v2 ``ADMIN``."""
    text = param_text(event, "admin") or v2_parameter(event, "ADMIN")
    if text is None:
        return None
    wrapped = _WRAPPED.match(text)
    return (wrapped.group("name") or text) if wrapped else text


def _login_subject(event: Event, _ctx: RuleContext) -> str:
    return admin_name(event) or param_text(event, "ip") or "(no name)"


_NO_ADDRESS = "an address the controller did not record"  # catalogue LoginFailed has none


def _login_tally(event: Event, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    yield ("address", param_text(event, "ip") or v2_parameter(event, "IP") or _NO_ADDRESS)


ADMIN_LOGIN_FAILED = EventRule(
    id="admin.login_failed",
    vocabulary=True,
    subject=_login_subject,
    tally=_login_tally,
    escalate=at_least((5, Severity.MEDIUM), (20, Severity.SEVERE)),
    title="{count} failed admin login(s) as {subject}",
    explanation=(
        "Someone tried to sign in to the UniFi controller as {subject} with a wrong password "
        "{times}, from {address_list}. Many failures in a row can mean someone is guessing "
        "the password (a brute-force attack)."
    ),
    remediation=(
        (
            "If these were not you or a colleague, change the admin password now and use a long, "
            "unique one."
        ),
        "Turn on two-factor authentication for every admin account.",
        (
            "Make sure the controller's login page is not reachable from the internet "
            "(no port forward to it; use the UniFi remote access or a VPN instead)."
        ),
    ),
)

ADMIN_LOGIN = EventRule(
    id="admin.login",
    vocabulary=True,
    subject=_login_subject,
    tally=_login_tally,
    title="Admin {subject} signed in {times}",
    explanation=(
        "The administrator account {subject} signed in to the controller {times}, "
        "from {address_list}. Check that these sign-ins were expected."
    ),
)


def _space_fields(event: Event, _ctx: RuleContext) -> Mapping[str, object]:
    free, total = param_text(event, "usable_bytes"), param_text(event, "total_bytes")
    entry = vocabulary.lookup(event.key)
    where = "microSD card" if entry is not None and "MicroSD" in entry.action.name else "disk"
    return {"where": where, "space": f" ({free} of {total} free)" if free and total else ""}


CONTROLLER_STORAGE = EventRule(
    id="controller.storage",
    vocabulary=True,
    severity=policy_severity,
    subject=lambda _event, _ctx: "the controller",
    fields=_space_fields,
    title="The controller's {where} is nearly full",
    explanation=(
        "The UniFi controller reported {times} that its {where} is nearly full{space}. When it "
        "is full the controller stops saving statistics and backups, and can stop working."
    ),
    remediation=(
        "Lower the data retention (Settings > System > Data Retention) and remove old backups.",
        "Check what else fills the storage (camera recordings on a console, large logs).",
    ),
)

CONTROLLER_BACKUP_FAILED = EventRule(
    id="controller.backup_failed",
    vocabulary=True,
    severity=policy_severity,
    subject=lambda _event, _ctx: "the controller",
    title="Automatic backups of the controller are not being made",
    explanation=(
        "The controller skipped its automatic backup {times} because its SD card is missing. "
        "Without a backup, a failed controller means setting up the whole network again."
    ),
    remediation=(
        "Insert an SD card in the Cloud Key, or turn on cloud backups in the UniFi settings.",
        "Download a backup now (Settings > System > Backups) and keep it somewhere safe.",
    ),
)


def _version_fields(event: Event, _ctx: RuleContext) -> Mapping[str, object]:
    return {"version": param_text(event, "version") or "a newer version"}


CONTROLLER_UPDATE = EventRule(
    id="controller.update_available",
    vocabulary=True,
    subject=lambda _event, _ctx: "the controller",
    fields=_version_fields,
    title="A software update ({version}) is available for the controller",
    explanation=(
        "Version {version} of the UniFi Network application is available. Updates fix "
        "security problems and bugs."
    ),
    remediation=("Read the release notes, then update the controller at a quiet time.",),
)


def _stream_key(event: Event, _ctx: RuleContext) -> str:
    return param_text(event, "name") or "a scheduled stream"


STREAMS_FAILED = EventRule(
    id="streams.failed",
    vocabulary=True,
    severity=policy_severity,
    subject=_stream_key,
    title="The scheduled stream {subject} did not run as planned {times}",
    explanation=(
        "The scheduled stream {subject} failed, is set up wrongly, or skipped devices "
        "({times}); announcements or music may not have played where planned."
    ),
    remediation=("Open the schedule of {subject} in the UniFi app and check its devices.",),
)

ADMIN_RULES = (
    ADMIN_LOGIN_FAILED,
    ADMIN_LOGIN,
    CONTROLLER_STORAGE,
    CONTROLLER_BACKUP_FAILED,
    CONTROLLER_UPDATE,
    STREAMS_FAILED,
)
