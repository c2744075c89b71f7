"""Short chat messages for Slack, Discord and Microsoft Teams webhooks.

A chat message is a summary, not the report: the subject line (site and severity counts), the
period, and the most severe findings. Controller strings are untrusted, so each format escapes
what its service would otherwise interpret (Slack ``<…>`` links and mentions, Discord mentions).
"""

from __future__ import annotations

import enum
import re
from datetime import UTC
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from unifi_scanner._untrusted import one_line
from unifi_scanner.delivery.smtp import subject_line
from unifi_scanner.reports import coverage_lines

if TYPE_CHECKING:
    from unifi_scanner.reports import Report

__all__ = ["ChatFormat", "chat_payload", "detect_format", "summary_lines"]

#: How many findings a chat message lists.
TOP_FINDINGS = 5
_DISCORD_LIMIT = 2000
_SLACK_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Markdown that Discord and Teams render: escaped in controller text so a hostname like
# "[Reset your password](https://evil)" stays text instead of becoming a link.
_MARKDOWN = re.compile(r"([\\`*_\[\]()<>|~])")


class ChatFormat(enum.StrEnum):
    """The body a webhook receives: the whole JSON report, or a chat service's message."""

    AUTO = "auto"
    GENERIC = "generic"
    SLACK = "slack"
    DISCORD = "discord"
    TEAMS = "teams"


def detect_format(url: str) -> ChatFormat:
    """Tell a chat service's incoming-webhook URL by its host and path; anything else is generic.

    Args:
        url: the webhook URL.

    Returns:
        ``SLACK`` for ``hooks.slack.com/services/…``, ``DISCORD`` for
        ``discord(app).com/api/webhooks/…``, ``TEAMS`` for ``*.webhook.office.com`` and
        ``*.logic.azure.com`` (Workflows), otherwise ``GENERIC``.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "hooks.slack.com" and parts.path.startswith("/services/"):
        return ChatFormat.SLACK
    if host in {"discord.com", "discordapp.com"} and parts.path.startswith("/api/webhooks/"):
        return ChatFormat.DISCORD
    if host.endswith((".webhook.office.com", ".logic.azure.com")):
        return ChatFormat.TEAMS
    return ChatFormat.GENERIC


def _clean(text: str) -> str:
    return one_line(text)


def _markdown_clean(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", _clean(text))


def summary_lines(
    report: Report, *, limit: int = TOP_FINDINGS, markdown: bool = False
) -> tuple[str, list[str]]:
    """Return the headline and the body lines of a chat summary of ``report``.

    Args:
        report: the report.
        limit: how many findings to list (most severe first, as the report orders them).
        markdown: escape Markdown in controller text (for services that render it).

    Returns:
        The headline (the e-mail subject line) and the lines under it: the period, one line
        per listed finding, and "… and N more" when some are left out.
    """
    start = report.period.start.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    end = report.period.end.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    lines = [f"Period: {start} to {end} UTC"]
    clean = _markdown_clean if markdown else _clean
    lines += [clean(line.text) for line in coverage_lines(report) if line.kind != "caught-up"]
    for finding in report.findings[:limit]:
        line = f"{finding.severity.upper()}: {clean(finding.title)}"
        if finding.subject:
            line += f" ({clean(finding.subject)})"
        if finding.count > 1:
            line += f" x{finding.count}"
        lines.append(line)
    hidden = len(report.findings) - limit
    if hidden > 0:
        lines.append(f"... and {hidden} more")
    headline = subject_line(report)
    return (_MARKDOWN.sub(r"\\\1", headline) if markdown else headline), lines


def _slack(headline: str, lines: list[str]) -> dict[str, Any]:
    escaped = [line.translate(_SLACK_ESCAPES) for line in lines]
    text = "\n".join([f"*{headline.translate(_SLACK_ESCAPES)}*", *escaped])
    return {"text": text}


def _discord(headline: str, lines: list[str]) -> dict[str, Any]:
    text = "\n".join([f"**{headline}**", *lines])
    if len(text) > _DISCORD_LIMIT:
        text = text[: _DISCORD_LIMIT - 3] + "..."
    return {"content": text, "allowed_mentions": {"parse": []}}


def _teams(headline: str, lines: list[str]) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": headline, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    body += [{"type": "TextBlock", "text": line, "wrap": True} for line in lines]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def chat_payload(chat_format: ChatFormat, report: Report) -> dict[str, Any]:
    """Return the JSON body of a chat message summarising ``report``.

    Args:
        chat_format: ``SLACK``, ``DISCORD`` or ``TEAMS``.
        report: the report.

    Returns:
        Slack: ``{"text": …}`` (mrkdwn); Discord: ``{"content": …}`` (≤ 2000 characters, no
        mentions); Teams: a message with one Adaptive Card.

    Raises:
        ValueError: ``chat_format`` is not a chat service.
    """
    headline, lines = summary_lines(
        report, markdown=chat_format in {ChatFormat.DISCORD, ChatFormat.TEAMS}
    )
    if chat_format is ChatFormat.SLACK:
        return _slack(headline, lines)
    if chat_format is ChatFormat.DISCORD:
        return _discord(headline, lines)
    if chat_format is ChatFormat.TEAMS:
        return _teams(headline, lines)
    raise ValueError(f"{chat_format} is not a chat format")
