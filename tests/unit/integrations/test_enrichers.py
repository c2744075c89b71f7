"""Enrichers under the runner: the same rules as sources (timeouts, breakers, fallbacks, status)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.errors import IntegrationTransientError
from unifi_scanner.integrations import (
    BreakerState,
    EnrichContext,
    Enricher,
    FindingNote,
    Integration,
    IntegrationRegistry,
    IntegrationResult,
    IntegrationRunner,
    IntegrationStatus,
    RetryPolicy,
    apply_notes,
)
from unifi_scanner.testing import MemoryStateStore, fake_integration_class, run_with_clock

SNAPSHOT = Snapshot(
    site=Site(id="s", name="default", description="Default"),
    controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
    window=Window(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 1, 12, tzinfo=UTC)),
)
FINDING = Finding(
    rule="ips.inbound_blocked",
    severity=Severity.LOW,
    title="Blocked scans",
    explanation="Scans were blocked.",
    subject="Port scans",
    badges=("blocked",),
)


class FakeEnricher:
    """An enricher whose behaviour each test sets: a result, an error, a delay, nothing."""

    name: ClassVar[str] = "fake_enricher"
    display_name: ClassVar[str] = "Fake enricher"

    def __init__(self, settings: object = None, **behaviour: Any) -> None:
        self.settings = settings
        self.behaviour = behaviour
        self.calls: list[tuple[Snapshot, tuple[Finding, ...]]] = []
        self.contexts: list[EnrichContext] = []

    def is_configured(self) -> bool:
        return True

    def validate_config(self) -> str | None:
        return None

    async def enrich(
        self, snapshot: Snapshot, findings: tuple[Finding, ...], context: EnrichContext
    ) -> IntegrationResult | None:
        self.calls.append((snapshot, findings))
        self.contexts.append(context)
        if delay := self.behaviour.get("delay_s"):
            await asyncio.sleep(delay)
        errors = self.behaviour.get("errors")
        if errors:
            raise errors.pop(0)
        if self.behaviour.get("nothing"):
            return None
        note = FindingNote(
            fingerprint=FINDING.fingerprint,
            badges=("CyberSecure",),
            evidence=("caught by ET PRO",),
            severity=self.behaviour.get("raise_to"),
            reason="the address is known for abuse",
        )
        return IntegrationResult(
            name=self.name, success=True, data={"seen": len(findings)}, notes=(note,)
        )


def _runner(store, clock, *integrations, **kwargs):
    return IntegrationRunner(
        integrations,
        store=store,
        now=clock.now,
        retry=RetryPolicy(attempts=2, wait_initial_s=0.1, wait_jitter_s=0.0),
        **kwargs,
    )


def test_an_enricher_gets_the_snapshot_and_findings_and_its_notes_apply(store, clock):
    """enrich() sees the site's data; its notes add a badge and evidence to the named finding."""
    enricher = FakeEnricher()
    runner = _runner(store, clock, enricher)
    results = run_with_clock(runner.enrich(SNAPSHOT, (FINDING,)), clock)
    assert enricher.calls == [(SNAPSHOT, (FINDING,))]
    (section,) = results.sections
    assert (section.name, section.status, section.data) == (
        "fake_enricher",
        IntegrationStatus.OK,
        {"seen": 1},
    )
    (noted,) = apply_notes((FINDING,), results.notes)
    assert noted.badges == ("blocked", "CyberSecure")
    assert noted.evidence == ("caught by ET PRO",)
    assert noted.severity is Severity.LOW


def test_a_note_raises_severity_never_lowers_it_and_says_why():
    """A note to severe raises a low finding with its reason; a note to low leaves a severe one."""
    up = FindingNote(fingerprint=FINDING.fingerprint, severity=Severity.SEVERE, reason="why")
    (raised,) = apply_notes((FINDING,), (up,))
    assert raised.severity is Severity.SEVERE
    assert raised.evidence == ("why",)
    high = Finding(
        rule=FINDING.rule,
        severity=Severity.SEVERE,
        title="t",
        explanation="e",
        subject=FINDING.subject,
    )
    down = FindingNote(fingerprint=FINDING.fingerprint, severity=Severity.LOW, reason="no")
    (kept,) = apply_notes((high,), (down,))
    assert kept.severity is Severity.SEVERE
    assert kept.evidence == ()


def test_a_note_about_a_finding_that_is_not_there_is_dropped():
    """A note for another subject changes nothing."""
    other = FindingNote(fingerprint=f"{FINDING.rule}:someone else", badges=("x",))
    assert apply_notes((FINDING,), (other,)) == (FINDING,)


def test_nothing_to_say_is_no_section(store, clock):
    """An enricher that returns None adds no section and no status row."""
    runner = _runner(store, clock, FakeEnricher(nothing=True))
    results = run_with_clock(runner.enrich(SNAPSHOT, ()), clock)
    assert results.sections == ()
    assert results.notes == ()


def test_sources_and_enrichers_each_run_in_their_own_phase(store, clock):
    """run() runs only sources; enrich() only enrichers; neither sees the other's section."""
    source = fake_integration_class("source", data={"n": 1})(None)
    enricher = FakeEnricher()
    assert isinstance(source, Integration)
    assert isinstance(enricher, Enricher)
    assert not isinstance(enricher, Integration)
    runner = _runner(store, clock, source, enricher)
    sources = run_with_clock(runner.run(), clock)
    assert [s.name for s in sources.sections] == ["source"]
    assert enricher.calls == []
    enriched = run_with_clock(runner.enrich(SNAPSHOT, ()), clock)
    assert [s.name for s in enriched.sections] == ["fake_enricher"]
    merged = sources.merged(enriched)
    assert [s.name for s in merged.sections] == ["source", "fake_enricher"]


def test_a_transient_error_is_retried_then_a_failing_enricher_falls_back_with_its_age(store, clock):
    """A transient error is retried; failing runs show the last good data, then open the breaker."""
    first = FakeEnricher(errors=[IntegrationTransientError("flaky", integration="fake_enricher")])
    runner = _runner(store, clock, first)
    results = run_with_clock(runner.enrich(SNAPSHOT, (FINDING,)), clock)
    assert results.sections[0].status is IntegrationStatus.OK
    assert len(first.calls) == 2
    statuses = []
    for _ in range(4):  # fail_max is 3 by default
        clock.advance(600)
        failing = FakeEnricher(errors=[ValueError("broken")] * 2)
        runner = _runner(store, clock, failing, settings=None)
        section = run_with_clock(runner.enrich(SNAPSHOT, (FINDING,)), clock).sections[0]
        statuses.append((section.status, section.breaker_state))
        assert section.data == {"seen": 1}, "the last good data"
        assert (section.error_message or "").startswith("data from ")
    assert statuses[0] == (IntegrationStatus.FAILED, BreakerState.CLOSED)
    assert statuses[2] == (IntegrationStatus.FAILED, BreakerState.OPEN)
    assert statuses[3] == (IntegrationStatus.CIRCUIT_OPEN, BreakerState.OPEN)


def test_a_hanging_enricher_is_cut_by_its_timeout_and_the_report_goes_on(store, clock):
    """An enricher that never answers: a timeout section, no notes applied."""
    runner = _runner(store, clock, FakeEnricher(delay_s=10_000.0), deadline_s=120.0)
    results = run_with_clock(runner.enrich(SNAPSHOT, (FINDING,)), clock)
    (section,) = results.sections
    assert section.status is IntegrationStatus.TIMEOUT
    assert results.notes == ()


def test_the_registry_accepts_enrichers_and_refuses_what_is_neither(clock):
    """An Enricher class registers and is selected; an object with neither method is refused."""

    class Neither:
        name = "neither"

        def __init__(self, settings: object) -> None:
            pass

        def is_configured(self) -> bool:
            return True

        def validate_config(self) -> str | None:
            return None

    registry = IntegrationRegistry([FakeEnricher, Neither])
    selection = registry.select(None)  # type: ignore[arg-type]
    assert [i.name for i in selection.configured] == ["fake_enricher"]
    (skipped,) = selection.skipped
    assert skipped.name == "neither"
    assert "neither the Integration nor the Enricher protocol" in skipped.reason


@pytest.mark.parametrize("phase", ["run", "enrich"])
def test_an_enricher_run_by_run_is_never_called(store, clock, phase):
    """run() leaves enrichers alone whatever their number; enrich() leaves sources alone."""
    source = fake_integration_class("source", data={"n": 1})(None)
    enricher = FakeEnricher()
    runner = _runner(store, clock, source, enricher)
    coro = runner.run() if phase == "run" else runner.enrich(SNAPSHOT, ())
    results = run_with_clock(coro, clock)
    assert len(results.sections) == 1
    assert (enricher.calls == []) is (phase == "run")


def test_the_context_brings_the_sources_and_a_cache_that_survives_the_run(store, clock):
    """The sources' sections arrive; what the cache keeps is there next run, until too old."""
    from datetime import timedelta

    from unifi_scanner.integrations import IntegrationResults, IntegrationSection

    sources = IntegrationResults(
        (
            IntegrationSection(
                name="cf", display_name="CF", success=True, status=IntegrationStatus.OK
            ),
        )
    )
    enricher = FakeEnricher()
    run_with_clock(_runner(store, clock, enricher).enrich(SNAPSHOT, (), sources), clock)
    (context,) = enricher.contexts
    assert context.sources is sources
    context.cache.put("192.0.2.45", {"score": 100})
    later = FakeEnricher()
    clock.advance(3600)
    run_with_clock(_runner(store, clock, later).enrich(SNAPSHOT, ()), clock)
    cache = later.contexts[0].cache
    assert cache.get("192.0.2.45", timedelta(hours=2)) == {"score": 100}
    assert cache.get("192.0.2.45", timedelta(minutes=30)) is None
    assert cache.prune(timedelta(minutes=30)) == 1
    assert cache.get("192.0.2.45", timedelta(hours=2)) is None


def _site(name: str) -> Snapshot:
    return Snapshot(
        site=Site(id=name, name=name, description=name.title()),
        controller=SNAPSHOT.controller,
        window=SNAPSHOT.window,
    )


class PerSite:
    """An enricher that says which site it saw, and fails on the sites it is told to."""

    name: ClassVar[str] = "per_site"
    display_name: ClassVar[str] = "Per site"

    def __init__(self, settings: object = None, fail: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.fail = set(fail)

    def is_configured(self) -> bool:
        return True

    def validate_config(self) -> str | None:
        return None

    async def enrich(
        self,
        snapshot: Snapshot,
        findings: tuple[Finding, ...],  # noqa: ARG002 (the protocol's)
        context: EnrichContext,  # noqa: ARG002 (the protocol's)
    ) -> IntegrationResult:
        if snapshot.site.name in self.fail:
            raise ValueError("broken")
        return IntegrationResult(name=self.name, success=True, data={"site": snapshot.site.name})


def test_a_failing_site_never_shows_another_sites_data(store, clock):
    """Last good data is kept per site: branch's failure does not show hq's data as its own."""

    async def scan(fail: tuple[str, ...]) -> list[Any]:
        runner = _runner(store, clock, PerSite(fail=fail))
        return [(await runner.enrich(_site(s), ())).sections[0] for s in ("hq", "branch")]

    hq, branch = run_with_clock(scan(()), clock)
    assert (hq.data, branch.data) == ({"site": "hq"}, {"site": "branch"})
    clock.advance(600)
    hq, branch = run_with_clock(scan(("branch",)), clock)
    assert hq.status is IntegrationStatus.OK
    assert branch.status is IntegrationStatus.FAILED
    assert branch.data == {"site": "branch"}, "branch's own last good data"


def test_a_site_without_good_data_of_its_own_shows_none(store, clock):
    """Site hq answered, branch never did: branch's failed section has no data, not hq's."""
    runner = _runner(store, clock, PerSite(fail=("branch",)))

    async def only_hq_good() -> Any:
        await runner.enrich(_site("hq"), ())
        return (await runner.enrich(_site("branch"), ())).sections[0]

    section = run_with_clock(only_hq_good(), clock)
    assert section.data == {}, "no data of its own: none shown, not hq's"
    assert "no earlier data available" in (section.error_message or "")


def test_the_breaker_counts_runs_per_site_not_sites_per_run(store, clock):
    """One scan of four failing sites is one failure each: no breaker opens."""

    async def scan() -> list[Any]:
        runner = _runner(store, clock, PerSite(fail=("a", "b", "c", "d")))
        return [(await runner.enrich(_site(s), ())).sections[0] for s in "abcd"]

    sections = run_with_clock(scan(), clock)
    assert {s.breaker_state for s in sections} == {BreakerState.CLOSED}
    for _ in range(2):  # fail_max is 3: the third scan opens every site's breaker
        clock.advance(600)
        sections = run_with_clock(scan(), clock)
    assert {s.breaker_state for s in sections} == {BreakerState.OPEN}


def test_the_status_table_has_a_row_per_site_for_an_enricher(store, clock):
    """`unifi-scanner integrations` shows each site's run of an enricher."""
    from unifi_scanner.integrations import integration_status

    async def scan() -> None:
        runner = _runner(store, clock, PerSite(fail=("branch",)))
        for name in ("hq", "branch"):
            await runner.enrich(_site(name), ())

    run_with_clock(scan(), clock)
    rows = {row.name: row for row in integration_status(store, IntegrationRegistry([PerSite]))}
    assert set(rows) == {"per_site@hq", "per_site@branch"}
    assert rows["per_site@hq"].status is IntegrationStatus.OK
    assert rows["per_site@branch"].status is IntegrationStatus.FAILED
    assert rows["per_site@branch"].display_name == "Per site (branch)"
    assert rows["per_site@branch"].failed_runs == 1


def test_the_two_argument_enrich_of_the_issue_works(store, clock):
    """enrich(snapshot, findings), without the context, is called that way and works."""

    class Short:
        name: ClassVar[str] = "short"
        display_name: ClassVar[str] = "Short"

        def __init__(self, settings: object = None) -> None:
            pass

        def is_configured(self) -> bool:
            return True

        def validate_config(self) -> str | None:
            return None

        async def enrich(
            self,
            snapshot: Snapshot,  # noqa: ARG002 (the protocol's)
            findings: tuple[Finding, ...],
        ) -> IntegrationResult:
            return IntegrationResult(name="short", success=True, data={"n": len(findings)})

    (short,) = IntegrationRegistry([Short]).select(None).configured  # type: ignore[arg-type]
    runner = IntegrationRunner([short], store=store, now=clock.now)
    (section,) = run_with_clock(runner.enrich(SNAPSHOT, (FINDING,)), clock).sections
    assert (section.status, section.data) == (IntegrationStatus.OK, {"n": 1})


def test_caches_can_live_apart_from_the_runs_state(store, clock):
    """cache_store keeps the caches; status, breakers and last good data stay in store."""
    from unifi_scanner.integrations.records import STATUS_NAMESPACE

    caches = MemoryStateStore()
    enricher = FakeEnricher()
    runner = IntegrationRunner([enricher], store=store, now=clock.now, cache_store=caches)
    run_with_clock(runner.enrich(SNAPSHOT, ()), clock)
    enricher.contexts[0].cache.put("k", {"v": 1})
    assert list(store.records(STATUS_NAMESPACE)) == ["fake_enricher@default"]
    assert caches.records(STATUS_NAMESPACE) == {}
    assert any("fake_enricher" in ns for ns in caches._records)
