"""The composition root: the only package that builds concrete objects from :class:`Settings`.

One scan: collect from the controller and run the integrations at the same moment, analyse,
build the report, render it once per format, deliver it, then remember the window and the
reported ids (only when delivery worked, so a failed run leaves its window to the next one).

Modules: ``wiring`` (concrete objects from Settings), ``scan`` (``run_once``), ``service``
(``serve``), ``demo`` (``run_demo``, ``simulate``), ``probe`` (``check``) and ``offline``
(``analyze_files``, ``integrations_status``), ``ack`` (``acknowledge``, ``acknowledgements``,
``unacknowledge``).
"""

from unifi_scanner.app.ack import acknowledge, acknowledgements, parse_until, unacknowledge
from unifi_scanner.app.demo import run_demo, simulate
from unifi_scanner.app.offline import analyze_files, integrations_status
from unifi_scanner.app.probe import CheckResult, check
from unifi_scanner.app.scan import CLOCK_SKEW as CLOCK_SKEW
from unifi_scanner.app.scan import SEEN_RETENTION_DAYS as SEEN_RETENTION_DAYS
from unifi_scanner.app.scan import ScanOutcome, run_once
from unifi_scanner.app.service import serve
from unifi_scanner.app.wiring import utc_now

__all__ = [
    "CheckResult",
    "ScanOutcome",
    "acknowledge",
    "acknowledgements",
    "analyze_files",
    "check",
    "integrations_status",
    "parse_until",
    "run_demo",
    "run_once",
    "serve",
    "simulate",
    "unacknowledge",
    "utc_now",
]
