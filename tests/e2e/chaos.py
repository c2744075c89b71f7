"""The chaos rig (#11): many scans over successive windows while a seeded plan breaks things.

A generated site's events are a pure function of (seed, index), so the events of any period are
known exactly. :func:`plan` turns a seed into one step per scan, each with its faults:
controller errors (5xx, 429, malformed and truncated JSON, session expiry, CSRF rotation, a
paging cut, a hang past the scan deadline), a scanner killed with SIGKILL while collecting or
while delivering, a delivery channel down for a few scans, two scanners started at once. Every
required kind of fault appears at least once whatever the seed.

:class:`Chaos` runs the plan: a simulated controller (TLS) whose clock follows the plan, a
webhook receiver, an SMTP server, and each scan as its own process (``chaos_child.py``) on one
state file, the clock an hour later each time. Two calm scans end it. :meth:`Chaos.verdict`
then checks the promises against the ground truth and returns every broken one in words.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import random
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Self

from aiosmtpd.smtp import SMTP
from pydantic import SecretStr

from unifi_scanner.collect import event_from_classic
from unifi_scanner.config import Settings
from unifi_scanner.simulator import EndpointFault, Faults, SimulatorServer, generated_config

from .rig import Finished, Hook, cli_env, finish, occurrence, until

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["REQUIRED", "Chaos", "Step", "plan"]

#: The end of the last window; the plan's scans lead up to it, an hour apart.
END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
STEP = timedelta(hours=1)
#: Every plan holds each of these at least once.
REQUIRED = (
    "5xx",
    "429",
    "malformed-json",
    "truncated-json",
    "session-expiry",
    "csrf-rotation",
    "paging-cut",
    "hang",
    "kill-collect",
    "kill-deliver",
    "webhook-down",
    "smtp-down",
    "twin",
)
#: At most one of these per scan.
_ALONE = frozenset({"hang", "kill-collect", "kill-deliver", "twin"})
_CONTROLLER = ("5xx", "429", "malformed-json", "truncated-json", "session-expiry", "csrf-rotation")
_ENDPOINTS = (
    "stat/event",
    "system-log/all",
    "traffic-flows",
    "stat/ips/event",
    "list/alarm",
    "stat/device",
    "stat/sta",
    "stat/health",
    "stat/sysinfo",
    "self/sites",
)
_CHILD = Path(__file__).with_name("chaos_child.py")


@dataclass(frozen=True, slots=True)
class Step:
    """One scan of the plan.

    Attributes:
        number: 1 for the first scan.
        total: how many scans the plan has.
        kinds: the kinds of fault it holds (names of :data:`REQUIRED`).
        faults: the controller's fault rules during the scan.
        webhook_down: the webhook answers 503.
        smtp_down: the SMTP server answers 451 to every message.
    """

    number: int
    total: int
    kinds: tuple[str, ...] = ()
    faults: tuple[EndpointFault, ...] = ()
    webhook_down: bool = False
    smtp_down: bool = False

    @property
    def at(self) -> datetime:
        """The scanner's clock for this scan (the plan's last scan is at :data:`END`)."""
        return END - STEP * (self.total - self.number)

    def describe(self) -> str:
        """One line for the printed plan."""
        parts = list(self.kinds)
        if self.webhook_down:
            parts.append("webhook answers 503")
        if self.smtp_down:
            parts.append("SMTP answers 451")
        return f"scan {self.number:2d} at {self.at:%d %H:%M}: {', '.join(parts) or 'calm'}"


def _rule(rng: random.Random, kind: str) -> tuple[EndpointFault, ...]:  # noqa: PLR0911 - a table
    endpoint = rng.choice(_ENDPOINTS)
    match kind:
        case "5xx":
            status = rng.choice(("500", "502", "503"))
            return (EndpointFault(kind=status, endpoint=endpoint, times=rng.choice((1, 3, None))),)
        case "429":
            return (EndpointFault(kind="429", endpoint=endpoint, seconds=0.01, times=2),)
        case "malformed-json" | "truncated-json":
            return (EndpointFault(kind=kind, endpoint=endpoint, times=rng.choice((1, None))),)
        case "session-expiry":
            return (EndpointFault(kind=kind, endpoint=endpoint, times=rng.choice((1, 2, None))),)
        case "csrf-rotation":
            return (EndpointFault(kind=kind, every=rng.choice((2, 3))),)
        case "paging-cut":  # stat/event down, system-log cut after its first page of 1,000
            return (
                EndpointFault(kind="502", endpoint="stat/event"),
                EndpointFault(kind="500", endpoint="system-log/all", after=1),
            )
        case "hang":  # held past the scan deadline
            where = rng.choice(("stat/event", "traffic-flows", "stat/sta"))
            return (EndpointFault(kind="hang", endpoint=where, times=1),)
        case "kill-collect":  # held until the scanner is killed
            return (EndpointFault(kind="hang", endpoint="stat/device", times=1),)
    return ()


def plan(seed: int, scans: int) -> list[Step]:
    """The seeded plan: ``scans`` steps holding every kind of :data:`REQUIRED` at least once.

    Raises:
        ValueError: too few scans to hold every kind.
    """
    if scans < len(REQUIRED) + 2:
        raise ValueError(f"a plan needs at least {len(REQUIRED) + 2} scans")
    rng = random.Random(seed)  # noqa: S311 - a reproducible plan, not a secret
    kinds: list[set[str]] = [set() for _ in range(scans)]
    alone_slots = rng.sample(range(1, scans), len(_ALONE))  # the first scan is never alone
    for slot, kind in zip(alone_slots, sorted(_ALONE), strict=True):
        kinds[slot].add(kind)
    for kind in sorted(set(REQUIRED) - _ALONE):
        kinds[rng.randrange(scans)].add(kind)
    for step in kinds:  # and more, at random
        if not step & _ALONE and rng.random() < 0.5:
            step.add(rng.choice(_CONTROLLER))
    steps = []
    webhook_down = smtp_down = 0
    for index, chosen in enumerate(kinds):
        if "webhook-down" in chosen:
            webhook_down = rng.randint(1, 3)
        if "smtp-down" in chosen:
            smtp_down = rng.randint(1, 2)
        faults = tuple(rule for kind in sorted(chosen) for rule in _rule(rng, kind))
        holding = "kill-deliver" in chosen
        steps.append(
            Step(
                number=index + 1,
                total=scans,
                kinds=tuple(sorted(chosen)),
                faults=faults,
                webhook_down=webhook_down > 0 and not holding,
                smtp_down=smtp_down > 0,
            )
        )
        webhook_down, smtp_down = max(0, webhook_down - 1), max(0, smtp_down - 1)
    return steps


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps messages, or refuses them for now when ``down``."""

    down: bool = False
    messages: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802, ARG002
        """Keep the message (aiosmtpd's hook)."""
        if self.down:
            return "451 4.3.0 Mail server busy, try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK queued"


@dataclass
class Clock:
    """The simulator's clock, moved by the plan."""

    at: datetime = END

    def __call__(self) -> datetime:
        """The time now."""
        return self.at


@dataclass
class Chaos:
    """Runs a seeded plan against the simulator; :meth:`verdict` says what broke.

    Args:
        seed: the plan's and the generated site's seed.
        scans: how many scans the plan has (two calm ones follow).
        directory: where the state file, reports and ledger go.
        events_per_day: how busy the generated site is.
    """

    seed: int
    scans: int
    directory: Path
    events_per_day: int = 48_000
    steps: list[Step] = field(default_factory=list)
    exits: list[tuple[int, ...]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    clock: Clock = field(default_factory=Clock)
    hook: Hook = field(default_factory=Hook)
    mailbox: Mailbox = field(default_factory=Mailbox)
    _simulator: SimulatorServer | None = None
    _smtp: asyncio.Server | None = None

    @property
    def start(self) -> datetime:
        """The start of the first window: the ground truth begins here."""
        return END - STEP * self.scans

    async def __aenter__(self) -> Self:
        """Start the simulator, the webhook receiver and the SMTP server."""
        days = self.scans / 24 + 0.25
        config = generated_config(
            events_per_day=self.events_per_day, days=days, seed=self.seed, now=self.clock
        )
        self._simulator = SimulatorServer(config, tls=True)
        await self._simulator.__aenter__()
        await self.hook.start()
        loop = asyncio.get_running_loop()
        self._smtp = await loop.create_server(
            lambda: SMTP(self.mailbox, hostname="127.0.0.1"), "127.0.0.1", 0
        )
        for name in ("ledger", "reports"):
            (self.directory / name).mkdir(parents=True, exist_ok=True)
        self.steps = plan(self.seed, self.scans)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop everything."""
        if self._smtp is not None:
            self._smtp.close()
            await self._smtp.wait_closed()
        await self.hook.stop()
        if self._simulator is not None:
            self._simulator.state.book.release()
            await self._simulator.__aexit__(exc_type, exc, traceback)

    @property
    def simulator(self) -> SimulatorServer:
        """The running simulator."""
        assert self._simulator is not None
        return self._simulator

    def settings(self) -> Settings:
        """What every scan is configured with (the same state file, all three channels)."""
        sim = self.simulator
        return Settings(
            host=sim.host,
            port=sim.port,
            username=sim.config.username,
            password=SecretStr(sim.config.password),
            ca_bundle=sim.ca_pem_path,
            state_path=self.directory / "state.sqlite3",
            output_dir=self.directory / "reports",
            report_formats=("json",),
        )

    @property
    def _deadline_s(self) -> int:
        return max(4, self.events_per_day // 10_000)

    def _env(self) -> dict[str, str]:
        assert self._smtp is not None
        smtp_port = self._smtp.sockets[0].getsockname()[1]
        return cli_env(
            self.settings(),
            UNIFI_INITIAL_LOOKBACK_HOURS="1",
            UNIFI_MAX_CATCHUP_HOURS=str(self.scans + 24),
            # long enough for a catch-up scan of the busiest plan; a held request outlives it
            UNIFI_SCAN_DEADLINE_S=str(self._deadline_s),
            UNIFI_TIMEOUT_S=str(self._deadline_s + 10),
            UNIFI_LOG_LEVEL="WARNING",
            UNIFI_WEBHOOK_URLS=self.hook.url,
            UNIFI_WEBHOOK_FORMAT="generic",
            UNIFI_WEBHOOK_TIMEOUT_S="3",
            UNIFI_WEBHOOK_ATTEMPTS="2",
            UNIFI_SMTP_HOST="127.0.0.1",
            UNIFI_SMTP_PORT=str(smtp_port),
            UNIFI_SMTP_SENDER="scanner@example.org",
            UNIFI_SMTP_RECIPIENTS="owner@example.org",
            UNIFI_SMTP_STARTTLS="false",
        )

    async def _scan(self, at: datetime) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            str(_CHILD),
            at.isoformat(),
            str(self.directory / "ledger"),
            env=self._env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def _run_step(self, step: Step) -> tuple[Finished, ...]:
        book = self.simulator.state.book
        self.clock.at = step.at
        self.simulator.state.faults = Faults(endpoints=step.faults)
        self.mailbox.down = step.smtp_down
        self.hook.mode = "down" if step.webhook_down else "ok"
        self.hook.received = asyncio.Event()
        if "kill-deliver" in step.kinds:
            self.hook.mode = "hold"
        processes = [await self._scan(step.at)]
        if "twin" in step.kinds:
            processes.append(await self._scan(step.at))
        victim = processes[0]
        if "kill-collect" in step.kinds:
            await until(lambda: book.held >= 1 or victim.returncode is not None, timeout_s=120)
            if victim.returncode is None:
                victim.send_signal(signal.SIGKILL)
        if "kill-deliver" in step.kinds:
            # the scan may end before it delivers (a failed scan): then there is nothing to kill
            got = self.hook.received
            await until(lambda: got.is_set() or victim.returncode is not None, timeout_s=120)
            if victim.returncode is None:
                victim.send_signal(signal.SIGKILL)
        done = tuple([await finish(p, timeout_s=120) for p in processes])
        book.release()  # whatever a killed or timed-out scan left held
        self.hook.release()
        return done

    async def run(self) -> None:
        """Run every step of the plan, then two calm scans at :data:`END`."""
        calm = [Step(number=self.scans, total=self.scans)] * 2
        for step in [*self.steps, *calm]:
            started = time.perf_counter()
            done = await self._run_step(step)
            self.seconds.append(time.perf_counter() - started)
            self.exits.append(tuple(d.returncode for d in done))
            self.errors += [
                f"{step.describe()}: {line}"
                for d in done
                for line in d.stderr.splitlines()
                if "Traceback" in line
            ]

    # --- the verdict -------------------------------------------------------------------------

    def ground_truth(self) -> list[str]:
        """Every occurrence of the covered period, from the simulator's own data."""
        feed = self.simulator.state.site.event_feed()
        low, high = int(self.start.timestamp() * 1000), int(END.timestamp() * 1000) - 1
        events = (event_from_classic(record) for record in feed.window(low, high))
        return [occurrence(e) for e in events if self.start <= e.time < END]

    def verdict(self) -> list[str]:
        """Every broken promise, in words (empty when all held)."""
        broken: list[str] = [f"a scan crashed: {line}" for line in self.errors]
        reports = self.directory / "reports"
        files = [json.loads(p.read_text(encoding="utf-8")) for p in reports.glob("*.json")]
        delivered = [document["report_id"] for document in files]
        ids = set(delivered)
        if len(ids) != len(delivered):
            broken.append("a report was written to files more than once")
        broken += self._events_once(ids)
        broken += self._channel("webhook", self._webhook_copies(), ids)
        broken += self._channel("e-mail", self._mail_copies(), ids)
        broken += self._state()
        if self.exits[-1] != (0,):
            broken.append(f"the last calm scan exited {self.exits[-1]}")
        return broken

    def _events_once(self, ids: set[str]) -> list[str]:
        truth = self.ground_truth()
        reported: list[str] = []
        for report_id in ids:
            ledger = self.directory / "ledger" / f"{report_id}.json"
            if not ledger.exists():
                return [f"delivered report {report_id} has no ledger"]
            reported += json.loads(ledger.read_text(encoding="utf-8"))
        broken = []
        counts: dict[str, int] = {}
        for item in reported:
            counts[item] = counts.get(item, 0) + 1
        twice = sorted(item for item, n in counts.items() if n > 1)
        lost = sorted(set(truth) - set(counts))
        extra = sorted(set(counts) - set(truth))
        if len(truth) != len(set(truth)):
            broken.append("the ground truth has two events alike (the check would be blind)")
        if twice:
            broken.append(f"{len(twice)} events were reported more than once, e.g. {twice[:3]}")
        if lost:
            broken.append(f"{len(lost)} of {len(truth)} events were never reported: {lost[:3]}")
        if extra:
            broken.append(f"{len(extra)} reported events are not in the period: {extra[:3]}")
        return broken

    def _webhook_copies(self) -> dict[str, set[bytes]]:
        copies: dict[str, set[bytes]] = {}
        for post in self.hook.posts:
            copies.setdefault(post.key or "", set()).add(post.body)
        return copies

    def _mail_copies(self) -> dict[str, set[bytes]]:
        copies: dict[str, set[bytes]] = {}
        for message in self.mailbox.messages:
            message_id = str(message["Message-ID"])
            report_id = message_id.removeprefix("<report-").partition("@")[0]
            body = message.get_body(("plain",))
            text = body.get_content().encode() if body is not None else b""
            copies.setdefault(report_id, set()).add(text)
        return copies

    @staticmethod
    def _channel(name: str, copies: dict[str, set[bytes]], ids: set[str]) -> list[str]:
        broken = []
        if set(copies) != ids:
            missing, unknown = sorted(ids - set(copies)), sorted(set(copies) - ids)
            broken.append(f"{name}: reports missing {missing[:3]}, unknown {unknown[:3]}")
        differing = sorted(key for key, bodies in copies.items() if len(bodies) > 1)
        if differing:
            broken.append(f"{name}: one report id arrived with different content: {differing}")
        return broken

    def _state(self) -> list[str]:
        connection = sqlite3.connect(self.directory / "state.sqlite3")
        try:
            broken = []
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                broken.append("the state store is damaged")
            pending = connection.execute(
                "SELECT key FROM record WHERE namespace = 'outbox' AND value LIKE ?",
                ('%"status": "pending"%',),
            ).fetchall()
            if pending:
                broken.append(f"reports still wait in the outbox: {pending}")
            ends = {row[0] for row in connection.execute("SELECT complete_until FROM source_mark")}
            if ends != {END.isoformat(timespec="microseconds")}:
                broken.append(f"the feeds' marks are {sorted(ends)}, not all {END}")
            return broken
        finally:
            connection.close()

    def story(self) -> str:
        """The plan with each scan's exit statuses, to print when something broke."""
        lines = [f"seed {self.seed}, {self.scans} scans (+2 calm)"]
        steps = [*self.steps, None, None]
        for step, exits, seconds in zip(steps, self.exits, self.seconds, strict=False):
            text = step.describe() if step is not None else "calm scan"
            lines.append(f"  {text} -> exit {', '.join(map(str, exits))} ({seconds:.1f} s)")
        return "\n".join(lines)
