"""Analysis: turns a :class:`~unifi_scanner.collect.models.Snapshot` into findings."""

from unifi_scanner.analysis.activity import Activity, HourCount
from unifi_scanner.analysis.aggregate import Aggregate
from unifi_scanner.analysis.engine import Analysis, Engine
from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.analysis.ips import (
    ENGINE_SIDS,
    ETPRO_SIDS,
    Direction,
    IpsAlert,
    is_engine_signature,
    is_pro_signature,
    is_threat_event,
    parse_alert,
)
from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.names import param_text, v2_parameter
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
from unifi_scanner.analysis.threats import SourceCount, Threats

__all__ = [
    "DEFAULT_RULES",
    "ENGINE_SIDS",
    "ETPRO_SIDS",
    "FALLBACK_RULE",
    "Activity",
    "Aggregate",
    "Analysis",
    "ClientRule",
    "DeviceRule",
    "Direction",
    "Engine",
    "EventKey",
    "EventRule",
    "Finding",
    "GroupView",
    "HourCount",
    "IpsAlert",
    "Rule",
    "RuleContext",
    "Severity",
    "SourceCount",
    "Summary",
    "SummaryView",
    "Threats",
    "is_engine_signature",
    "is_pro_signature",
    "is_threat_event",
    "param_text",
    "parse_alert",
    "v2_parameter",
]
