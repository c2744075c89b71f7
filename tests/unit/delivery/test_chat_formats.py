"""Chat summaries for Slack, Discord and Teams, and picking the format by URL."""

from __future__ import annotations

import dataclasses
import json

import pytest

from unifi_scanner.config import WebhookSettings
from unifi_scanner.delivery import ChatFormat, chat_payload, detect_format


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hooks.slack.com/services/T/B/x", ChatFormat.SLACK),
        ("https://hooks.slack.com/triggers/T/1/x", ChatFormat.GENERIC),
        ("https://discord.com/api/webhooks/1/x", ChatFormat.DISCORD),
        ("https://discordapp.com/api/webhooks/1/x", ChatFormat.DISCORD),
        ("https://acme.webhook.office.com/webhookb2/x", ChatFormat.TEAMS),
        ("https://prod-01.westeurope.logic.azure.com/workflows/x", ChatFormat.TEAMS),
        ("https://example.org/discord.com/api/webhooks/", ChatFormat.GENERIC),
    ],
)
def test_detect_format_by_host_and_path(url, expected):
    """Only the services' own hosts (and paths) select a chat format."""
    assert detect_format(url) is expected


def test_discord_lists_top_findings_without_mentions(busy_report):
    """Discord gets the headline, the period, the top 5 findings, the rest counted; no pings."""
    body = chat_payload(ChatFormat.DISCORD, busy_report)
    assert body["allowed_mentions"] == {"parse": []}
    lines = body["content"].splitlines()
    assert lines[0] == r"**\[UniFi Scanner\] Home: 2 severe, 2 medium, 3 low**"
    assert lines[1] == "Period: 2026-11-25 06:00 to 2026-11-26 06:00 UTC"
    assert lines[2] == r"SEVERE: Problem \<2\> & more (AP-2) x2"
    assert lines[3] == r"SEVERE: Problem \<1\> & more (AP-1)"
    assert len(lines) == 2 + 5 + 1
    assert lines[-1] == "... and 2 more"


def test_discord_content_is_capped(busy_report):
    """Discord content never exceeds its 2000-character limit."""
    long = tuple(dataclasses.replace(f, title="t" * 900) for f in busy_report.findings)
    body = chat_payload(ChatFormat.DISCORD, dataclasses.replace(busy_report, findings=long))
    assert len(body["content"]) == 2000
    assert body["content"].endswith("...")


def test_teams_posts_an_adaptive_card(busy_report):
    """Teams gets a message with one Adaptive Card whose text blocks hold the summary."""
    body = chat_payload(ChatFormat.TEAMS, busy_report)
    (attachment,) = body["attachments"]
    assert body["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    texts = [block["text"] for block in card["body"]]
    assert texts[0] == r"\[UniFi Scanner\] Home: 2 severe, 2 medium, 3 low"
    assert card["body"][0]["weight"] == "Bolder"
    assert r"LOW: Problem \<7\> & more (AP-7) x7" in texts


def test_empty_report_says_no_problems(report):
    """A report without findings says so and lists only the period."""
    body = chat_payload(ChatFormat.SLACK, report)
    assert body["text"].splitlines() == [
        "*[UniFi Scanner] Home: no problems found*",
        "Period: 2026-11-25 06:00 to 2026-11-26 06:00 UTC",
    ]


def test_generic_is_not_a_chat_format(report):
    """Asking for a chat payload in the generic format is a programming error."""
    with pytest.raises(ValueError, match="not a chat format"):
        chat_payload(ChatFormat.GENERIC, report)


def test_webhook_settings_defaults_and_format():
    """Webhook settings default to auto format, 4 attempts, 60 s Retry-After; format is lowered."""
    settings = WebhookSettings(urls=("https://a.example/x",), format="SLACK")
    assert settings.format == "slack"
    assert WebhookSettings(urls=("https://a.example/x",)).format == "auto"
    assert settings.attempts == 4
    assert settings.max_retry_after_s == 60.0


@pytest.mark.parametrize("fmt", [ChatFormat.DISCORD, ChatFormat.TEAMS])
def test_controller_text_cannot_become_a_link(busy_report, fmt):
    """A hostile client name stays text in services that render Markdown."""
    hostile = "[Reset your password](https://evil.example)"
    findings = tuple(dataclasses.replace(f, subject=hostile) for f in busy_report.findings)
    body = chat_payload(fmt, dataclasses.replace(busy_report, findings=findings))
    assert "[Reset your password](" not in json.dumps(body)
