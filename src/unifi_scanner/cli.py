"""The ``unifi-scanner`` command line.

Exit status: 0 ok, 1 the scan (or check) failed, 2 bad configuration or usage, 3 the report was
delivered but is incomplete (a feed could not be read; the next report brings the rest), 4 another
scan was using the state file and this one did nothing.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unifi_scanner import app as composition
from unifi_scanner.__about__ import __version__
from unifi_scanner._untrusted import plain
from unifi_scanner.config import load_settings, redacted, secret_values
from unifi_scanner.errors import ConfigError, ScanBusyError, ScannerError
from unifi_scanner.logging import configure_logging
from unifi_scanner.reports import coverage_lines

if TYPE_CHECKING:
    from collections.abc import Sequence

    from unifi_scanner.config import Settings

__all__ = ["cli", "main"]

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_INCOMPLETE, EXIT_BUSY = 0, 1, 2, 3, 4

cli = typer.Typer(
    name="unifi-scanner",
    help="Plain-English security and health reports for a UniFi network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Markup off: controller strings (site names, error bodies) must never be read as Rich markup.
_out = Console(highlight=False, soft_wrap=True, markup=False)
_err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def _safe(text: object) -> str:
    """Untrusted text for the terminal: no escape sequences or other control characters."""
    return plain(str(text))


def _styled(label: str, style: str, text: object) -> Text:
    return Text.assemble((label, style), " ", _safe(text))


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="YAML configuration file (default: $UNIFI_CONFIG). Environment variables win over it.",
        show_default=False,
    ),
]
Flavour = Literal["unifi-os", "legacy"]
_FORMAT_ALIASES = {"md": "markdown", "txt": "text", "htm": "html"}


def _version(value: bool) -> None:
    if value:
        _out.print(f"unifi-scanner {__version__}")
        raise typer.Exit(EXIT_OK)


@cli.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Plain-English security and health reports for a UniFi network."""


def _settings(config: Path | None, **overrides: object) -> Settings:
    """Load settings or exit 2 with a one-screen message naming each bad field."""
    try:
        settings = load_settings(config)
        if overrides:
            settings = settings.model_copy(update=overrides)
    except ConfigError as err:
        _err.print(_styled("Configuration error", "bold red", f"\n{err}"))
        raise typer.Exit(EXIT_CONFIG) from None
    configure_logging(
        level=settings.log_level, fmt=settings.log_format, secrets=secret_values(settings)
    )
    return settings


def _fail(err: ScannerError) -> typer.Exit:
    _err.print(_styled("Error:", "bold red", err))
    if isinstance(err, ScanBusyError):
        return typer.Exit(EXIT_BUSY)
    return typer.Exit(EXIT_CONFIG if isinstance(err, ConfigError) else EXIT_FAILED)


def _print_outcome(outcome: composition.ScanOutcome) -> None:
    summary = outcome.report.summary
    _out.print(
        Text.assemble(
            "Site ",
            (_safe(outcome.report.site.name), "bold"),
            f": {summary.severe} severe, {summary.medium} medium, {summary.low} low",
            ("" if outcome.complete else " (INCOMPLETE report)", "bold yellow"),
        )
    )
    for sentence in coverage_lines(outcome.report):
        if sentence.kind != "caught-up":
            _out.print(f"  {_safe(sentence.text)}")
    for path in outcome.files:
        _out.print(f"  wrote {_safe(path)}")
    for line in outcome.problems:
        _err.print(_styled("warning:", "yellow", line))


def _exit_status(outcomes: Sequence[composition.ScanOutcome]) -> int:
    """1 when something failed, else 3 when a report is incomplete, else 0."""
    if any(outcome.problems for outcome in outcomes):
        return EXIT_FAILED
    if not all(outcome.complete for outcome in outcomes):
        return EXIT_INCOMPLETE
    return EXIT_OK


@cli.command()
def run(config: ConfigOption = None) -> None:
    """Scan the controller once now, write and deliver the report, then exit."""
    settings = _settings(config)
    try:
        outcomes = asyncio.run(composition.run_once(settings))
    except ScannerError as err:
        raise _fail(err) from None
    for outcome in outcomes:
        _print_outcome(outcome)
    status = _exit_status(outcomes)
    if status != EXIT_OK:
        raise typer.Exit(status)


@cli.command()
def serve(config: ConfigOption = None) -> None:
    """Scan on the cron schedule in UNIFI_SCHEDULE until stopped (Ctrl-C or SIGTERM)."""
    settings = _settings(config)
    if settings.schedule is None:
        _err.print(
            "Configuration error\nschedule: `serve` needs UNIFI_SCHEDULE (a cron expression such "
            "as '0 7 * * *'); use `unifi-scanner run` for a single scan"
        )
        raise typer.Exit(EXIT_CONFIG)
    try:
        asyncio.run(composition.serve(settings))
    except ScannerError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        _err.print("stopped")


@cli.command()
def demo(
    out: Annotated[Path, typer.Option(help="Directory for the reports.")] = Path("reports"),
    scenario: Annotated[str, typer.Option(help="Simulator scenario.")] = "demo",
    flavour: Annotated[Flavour, typer.Option(help="Controller flavour to simulate.")] = "unifi-os",
    network: Annotated[int, typer.Option(help="Network application generation: 9 or 10.")] = 9,
    fmt: Annotated[
        list[str] | None,
        typer.Option("--format", help="Report formats (repeat): text, json, markdown, html."),
    ] = None,
) -> None:
    """Scan the built-in simulated controller over loopback and write its reports.

    Needs no configuration and no network beyond 127.0.0.1.
    """
    formats = tuple(fmt) if fmt else ("text", "json", "markdown", "html")
    settings = _settings(None, output_dir=out, report_formats=formats)
    try:
        outcome = asyncio.run(
            composition.run_demo(settings, scenario=scenario, flavour=flavour, network=network)
        )
    except ScannerError as err:
        raise _fail(err) from None
    _print_outcome(outcome)
    status = _exit_status([outcome])
    if status != EXIT_OK:
        raise typer.Exit(status)


@cli.command()
def simulate(  # noqa: PLR0917 - typer maps each parameter to an option
    host: Annotated[
        str, typer.Option(help="Address to listen on (not loopback: needs --allow-remote).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 0,
    scenario: Annotated[str, typer.Option(help="Scenario to serve.")] = "demo",
    flavour: Annotated[Flavour, typer.Option(help="Controller flavour.")] = "unifi-os",
    network: Annotated[int, typer.Option(help="Network application generation: 9 or 10.")] = 9,
    tls: Annotated[bool, typer.Option(help="Serve HTTPS with a throw-away CA.")] = True,
    username: Annotated[str | None, typer.Option(help="Login name (default: admin).")] = None,
    password: Annotated[
        str | None, typer.Option(help="Login password (default: the documented test one).")
    ] = None,
    devices: Annotated[int | None, typer.Option(help="Generated site: number of devices.")] = None,
    clients: Annotated[int | None, typer.Option(help="Generated site: number of clients.")] = None,
    events_per_day: Annotated[
        int | None, typer.Option(help="Generated site: events per day.")
    ] = None,
    days: Annotated[float | None, typer.Option(help="Generated site: days of events.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated site.")] = 1,
    allow_remote: Annotated[
        bool, typer.Option(help="Allow --host to name a non-loopback address.")
    ] = False,
    cloudflare: Annotated[
        bool, typer.Option(help="Also serve the local Cloudflare API (its demo scenario).")
    ] = False,
    abuseipdb: Annotated[
        bool, typer.Option(help="Also serve the local AbuseIPDB API (threat intelligence).")
    ] = False,
) -> None:
    """Run the simulated UniFi controller in the foreground until Ctrl-C.

    Any of --devices, --clients, --events-per-day, --days serves a generated site;
    --cloudflare and --abuseipdb also serve the local Cloudflare and AbuseIPDB APIs.
    """
    configure_logging(level="INFO", fmt="console")
    try:
        asyncio.run(
            composition.simulate(
                host=host,
                port=port,
                scenario=scenario,
                flavour=flavour,
                network=network,
                tls=tls,
                announce=_out.print,
                username=username,
                password=password,
                devices=devices,
                clients=clients,
                events_per_day=events_per_day,
                days=days,
                seed=seed,
                allow_remote=allow_remote,
                cloudflare=cloudflare,
                abuseipdb=abuseipdb,
            )
        )
    except ScannerError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        _err.print("stopped")


@cli.command()
def check(config: ConfigOption = None) -> None:
    """Check that the controller can be reached and logged in to, and which endpoints answer."""
    settings = _settings(config)
    try:
        result = asyncio.run(composition.check(settings))
    except ScannerError as err:
        raise _fail(err) from None
    _out.print(f"Controller: {_safe(result.base_url)}")
    _out.print(f"Flavour:    {_safe(result.flavour)}")
    _out.print(f"Version:    {_safe(result.version or 'unknown')}")
    _out.print(f"Sites:      {_safe(', '.join(result.sites) or 'none')}")
    table = Table("endpoint", "answer", title="Endpoints")
    for endpoint, answer in result.endpoints:
        table.add_row(_safe(endpoint), _safe(answer))
    _out.print(table)
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


@cli.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """Validate the configuration and print it, secrets redacted. Runs nothing."""
    settings = _settings(config)
    _out.print_json(json.dumps(redacted(settings), default=str))


@cli.command()
def analyze(
    files: Annotated[
        list[Path], typer.Argument(help="Exported controller JSON files.", exists=True)
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="text, json, markdown (md) or html.")
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--out", "--output", "-o", help="Write here instead of stdout."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Analyse exported controller JSON offline and print or write the report."""
    settings = _settings(config)
    try:
        text = composition.analyze_files(files, settings, fmt=_FORMAT_ALIASES.get(fmt, fmt))
    except ScannerError as err:
        raise _fail(err) from None
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        _out.print(f"wrote {output}")


@cli.command()
def integrations(config: ConfigOption = None) -> None:
    """List integrations: configured or not, last status and circuit-breaker state."""
    settings = _settings(config)
    try:
        rows = composition.integrations_status(settings)
    except ScannerError as err:
        raise _fail(err) from None
    if not rows:
        _out.print("No integrations are built in yet.")
        return
    table = Table("integration", "configured", "last status", "last success", "breaker")
    for row in rows:
        table.add_row(*(_safe(cell) for cell in row))
    _out.print(table)


@cli.command()
def ack(  # noqa: PLR0917 - typer maps each parameter to an option
    fingerprint: Annotated[
        str | None,
        typer.Argument(help="The finding's fingerprint, as a report shows it.", show_default=False),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Until this date (its end) or date and time, in UNIFI_TIMEZONE; default: "
            "until the finding's severity changes.",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why (shown in the report).")] = "",
    list_: Annotated[
        bool, typer.Option("--list", help="List the acknowledgements and exit.")
    ] = False,
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the acknowledgement of FINGERPRINT.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Acknowledge a finding: later reports list it apart, quietly, until it changes."""
    settings = _settings(config)
    try:
        if list_:
            _print_acknowledgements(settings)
            return
        if fingerprint is None:
            raise ConfigError("give the FINGERPRINT of a finding (or --list)")
        if remove:
            gone = composition.unacknowledge(settings, fingerprint)
            _out.print(
                f"removed the acknowledgement of {_safe(fingerprint)}"
                if gone
                else f"{_safe(fingerprint)} was not acknowledged"
            )
            return
        moment = None if until is None else composition.parse_until(until, settings.timezone)
        done = composition.acknowledge(settings, fingerprint, until=moment, note=note)
    except ScannerError as err:
        raise _fail(err) from None
    quiet = (
        "until its severity changes"
        if done.until is None
        else f"until {done.until:%Y-%m-%d %H:%M} UTC"
    )
    _out.print(f"acknowledged {_safe(done.title or fingerprint)} ({done.severity}) {quiet}")


def _print_acknowledgements(settings: Settings) -> None:
    found = composition.acknowledgements(settings)
    if not found:
        _out.print("No finding is acknowledged.")
        return
    for item in found:  # plain lines: a fingerprint is copied whole, never wrapped in a cell
        until = (
            "until its severity changes"
            if item.until is None
            else f"until {item.until:%Y-%m-%d %H:%M} UTC"
        )
        _out.print(_safe(item.fingerprint), soft_wrap=True)
        _out.print(f"  {_safe(item.title or '(no title)')} ({item.severity}), {until}")
        if item.note:
            _out.print(f"  note: {_safe(item.note)}")


def main() -> None:
    """Entry point of the ``unifi-scanner`` console script."""
    cli()
