"""Analysis: turns a :class:`~unifi_scanner.collect.models.Snapshot` into findings."""

from unifi_scanner.analysis.aggregate import Aggregate
from unifi_scanner.analysis.engine import Engine
from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.rule import (
    ClientRule,
    DeviceRule,
    EventRule,
    GroupView,
    Rule,
    RuleContext,
    Summary,
    SummaryView,
)
from unifi_scanner.analysis.rules import DEFAULT_RULES, FALLBACK_RULE

__all__ = [
    "DEFAULT_RULES",
    "FALLBACK_RULE",
    "Aggregate",
    "ClientRule",
    "DeviceRule",
    "Engine",
    "EventKey",
    "EventRule",
    "Finding",
    "GroupView",
    "Rule",
    "RuleContext",
    "Severity",
    "Summary",
    "SummaryView",
]
