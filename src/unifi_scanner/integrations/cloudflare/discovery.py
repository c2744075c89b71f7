"""Which accounts and zones one run reads: the token's check, then what the token sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from unifi_scanner.errors import IntegrationMisconfiguredError
from unifi_scanner.integrations.cloudflare.client import NAME, MissingPermissionError

if TYPE_CHECKING:
    from unifi_scanner.config import CloudflareSettings
    from unifi_scanner.integrations.cloudflare.client import CloudflareApi

__all__ = ["MAX_ACCOUNTS", "MAX_ZONES", "Account", "Scope", "Zone", "discover"]

MAX_ACCOUNTS: Final = 10
MAX_ZONES: Final = 50
_TOKEN_CHECK: Final = "the token check"  # noqa: S105 (a label, not a secret)


@dataclass(frozen=True, slots=True)
class Account:
    """A Cloudflare account (Zero Trust DNS and tunnels belong to one)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Zone:
    """A Cloudflare zone (a domain; WAF events belong to one)."""

    id: str
    name: str
    plan: str


@dataclass(frozen=True, slots=True)
class Scope:
    """What one run reads, and what it could not find.

    Attributes:
        accounts: the accounts (at most :data:`MAX_ACCOUNTS`).
        zones: the zones (at most :data:`MAX_ZONES`).
        missing: configured zones the token does not see.
        notes: what people should know (more zones than read, …).
    """

    accounts: tuple[Account, ...]
    zones: tuple[Zone, ...]
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


async def _check_token(api: CloudflareApi, account_id: str | None) -> None:
    """Verify the token: a user token at ``/user``, an account-owned one at its account.

    Account-owned tokens get 401 from ``/user/tokens/verify``; without a configured account
    there is nowhere else to ask, so the calls that follow decide.
    """
    try:
        with api.errors("permission to verify itself", _TOKEN_CHECK):
            verified = await api.sdk.user.tokens.verify()
    except IntegrationMisconfiguredError:
        if account_id is None:
            return
        with api.errors("permission to verify itself", _TOKEN_CHECK):
            verified = await api.sdk.accounts.tokens.verify(  # type: ignore[assignment]
                account_id=account_id
            )
    status = getattr(verified, "status", None)
    if status is not None and status != "active":
        raise IntegrationMisconfiguredError(
            f"Cloudflare says the API token is {status}; create a new one", integration=NAME
        )


async def _accounts(api: CloudflareApi, settings: CloudflareSettings) -> list[Account]:
    seen: list[Account] = []
    try:
        with api.errors("Account Settings Read", "listing accounts"):
            async for account in api.sdk.accounts.list(per_page=50):
                seen.append(Account(account.id, account.name or account.id))
                if len(seen) > MAX_ACCOUNTS:
                    break
    except MissingPermissionError:
        if settings.account_id is None:
            raise
    if settings.account_id is None:
        return seen
    named = next((a for a in seen if a.id == settings.account_id), None)
    if named is None and seen and len(seen) <= MAX_ACCOUNTS:
        raise IntegrationMisconfiguredError(
            f"the Cloudflare API token does not see the account {settings.account_id}; check "
            "UNIFI_CLOUDFLARE_ACCOUNT_ID (it sees: "
            + ", ".join(f"{a.name} {a.id}" for a in seen)
            + ")",
            integration=NAME,
        )
    return [named or Account(settings.account_id, settings.account_id)]


async def _zones(
    api: CloudflareApi, settings: CloudflareSettings, accounts: list[Account]
) -> tuple[list[Zone], list[str], list[str]]:
    wanted = settings.zones
    found: list[Zone] = []
    notes: list[str] = []
    kwargs: dict[str, object] = {"per_page": 50}
    if settings.account_id is not None:
        kwargs["account"] = {"id": settings.account_id}
    with api.errors("Zone Read", "listing zones"):
        async for zone in api.sdk.zones.list(**kwargs):  # type: ignore[arg-type]
            if wanted and zone.id.lower() not in wanted and zone.name.lower() not in wanted:
                continue
            plan = getattr(getattr(zone, "plan", None), "name", None) or "unknown plan"
            found.append(Zone(zone.id, zone.name, plan))
            if len(found) > MAX_ZONES:
                break
    if len(found) > MAX_ZONES:
        found = found[:MAX_ZONES]
        notes.append(
            f"The token sees more than {MAX_ZONES} zones; the first {MAX_ZONES} were read "
            "(list the ones that matter in UNIFI_CLOUDFLARE_ZONES)."
        )
    missing: list[str] = []
    if wanted:
        have = {z.id.lower() for z in found} | {z.name.lower() for z in found}
        missing = [item for item in wanted if item not in have]
    if not accounts and not found:
        raise IntegrationMisconfiguredError(
            "the Cloudflare API token sees no account and no zone; give it access to them",
            integration=NAME,
        )
    return found, missing, notes


async def discover(api: CloudflareApi, settings: CloudflareSettings) -> Scope:
    """Check the token, then find the accounts and zones to read.

    Args:
        api: the run's API.
        settings: the Cloudflare settings (account id and zones, when given).

    Returns:
        The run's scope.

    Raises:
        IntegrationMisconfiguredError: the token is refused, or sees nothing.
    """
    await _check_token(api, settings.account_id)
    accounts = await _accounts(api, settings)
    notes: list[str] = []
    if len(accounts) > MAX_ACCOUNTS:
        accounts = accounts[:MAX_ACCOUNTS]
        notes.append(
            f"The token sees more than {MAX_ACCOUNTS} accounts; the first {MAX_ACCOUNTS} were "
            "read (set UNIFI_CLOUDFLARE_ACCOUNT_ID)."
        )
    zones, missing, zone_notes = await _zones(api, settings, accounts)
    return Scope(tuple(accounts), tuple(zones), tuple(missing), (*notes, *zone_notes))
