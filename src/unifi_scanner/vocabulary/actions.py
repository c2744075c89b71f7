"""What happened: the actions of classic event keys, each with its treatment (data only).

A classic key is ``EVT_<FAMILY>_<Action>``. The action decides how the event is treated,
whatever its family: ``Lost_Contact`` means the same for an access point, a switch or a console,
so a family the catalogue does not list yet (``EVT_UX_Lost_Contact``) is still understood.
Each action names the analysis rule that reports it (``rule``), what it means in plain words
(``says``, used in timelines: "*AP-Hall* lost contact with the controller") and its severity
policy: ``base``, and ``critical`` for the devices a whole site depends on (consoles, gateways).
Actions whose rule is :data:`ROUTINE` are counted in one site-level line, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ACTIONS", "ROUTINE", "THREAT", "Action", "Policy"]

ROUTINE: Final = "site.routine"
"""The rule that counts routine activity in one site-level summary."""

THREAT: Final = "ips.*"
"""The treatment of threat alerts: the IPS rules, which split them by triage."""


@dataclass(frozen=True, slots=True)
class Policy:
    """A severity policy: ``base``, or ``critical`` for a device the whole site depends on.

    Severities are the words ``low``, ``medium`` and ``severe``.
    """

    base: str = "low"
    critical: str | None = None

    def describe(self) -> str:
        """The policy in words, for the documentation (``medium; severe for a console…``)."""
        if self.critical is None or self.critical == self.base:
            return self.base
        return f"{self.base}; {self.critical} for a console or gateway"


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One action: how every event with it is treated.

    Attributes:
        name: the part of the key after the family (``Lost_Contact``).
        rule: the id of the rule that reports it.
        says: what the subject did, after its name (``lost contact with the controller``).
        policy: its severity policy.
        client_rule: the rule when the family is a client's (``EVT_WU_Connected`` is a client
            connecting, ``EVT_SW_Connected`` a switch coming back); ``None``: ``rule``.
    """

    name: str
    rule: str
    says: str
    policy: Policy = Policy()
    client_rule: str | None = None


_LOW, _MEDIUM, _SEVERE = Policy("low"), Policy("medium"), Policy("severe")
_OUTAGE = Policy("medium", "severe")  # a console or gateway outage takes the whole site down


def _a(name: str, rule: str, says: str, policy: Policy = _LOW) -> Action:
    return Action(name=name, rule=rule, says=says, policy=policy)


def _routine(name: str, says: str) -> Action:
    return Action(name=name, rule=ROUTINE, says=says)


ACTIONS: Final[Mapping[str, Action]] = MappingProxyType(
    {
        a.name: a
        for a in (
            # Contact and adoption
            _a("Lost_Contact", "device.lost_contact", "lost contact with the controller", _OUTAGE),
            _a("EliteDeviceOffline", "device.lost_contact", "has been offline for more than 8 hours", _OUTAGE),
            Action(name="Connected", rule="device.connected", says="(re)connected to the controller", client_rule="client.connections"),
            _a("AutoReadopted", "device.readopted", "was re-adopted automatically"),
            _a("Isolated", "device.isolated", "was cut off from the wired network", _MEDIUM),
            _a("DiscoveredPending", "device.pending_adoption", "was found and waits to be adopted"),
            _a("RediscoveredPending", "device.pending_adoption", "was found again and waits to be adopted"),
            _routine("Adopted", "was adopted by an admin"),
            _routine("Deleted", "was removed by an admin"),
            _routine("Configured", "received a new configuration"),
            # Restarts
            _a("RestartedUnknown", "device.restarted_unexpectedly", "restarted unexpectedly", Policy("low", "medium")),
            _a("Restarted", "device.restarted", "was restarted by an admin"),
            _a("RestartProc", "device.process_restarted", "had a crashed program restarted"),
            _a("OutletPowerCycle", "power.outlet_cycled", "had a power outlet restarted"),
            # Firmware and configuration
            _a("Upgraded", "device.firmware_upgraded", "was updated to new firmware"),
            _a("UpgradeFailed", "device.firmware_failed", "failed to update its firmware", _MEDIUM),
            _a("FirmwareCheckFailed", "device.firmware_failed", "failed to update its firmware (the check failed)", _MEDIUM),
            _a("FirmwareDownloadFailed", "device.firmware_failed", "failed to update its firmware (the download failed)", _MEDIUM),
            _a("ScheduleUpgradeFailedNotFound", "device.firmware_failed", "missed a scheduled firmware update (device not found)", _MEDIUM),
            _routine("UpgradeScheduled", "was scheduled for a firmware update"),
            _routine("RollUpgrade", "started a rolling firmware update"),
            _a("CommitError", "device.config_failed", "could not apply its configuration", _MEDIUM),
            _a("HostKeyMismatch", "device.host_key_mismatch", "failed SSH host key verification", _MEDIUM),
            # Licences
            _a("LicenseInvalid", "device.license", "has an invalid licence", _MEDIUM),
            _a("EliteDeviceRevoke", "device.license", "lost its Elite licence"),
            _routine("LicenseValid", "has a valid licence"),
            _routine("LicenseChanged", "had its licence changed"),
            _routine("EliteDeviceChanged", "had its Elite licence updated"),
            # Heat and power
            _a("Overheat", "device.overheating", "reported overheating", _MEDIUM),
            _a("PoeOverload", "poe.overload", "overloaded Power over Ethernet on a port", _MEDIUM),
            _a("PoeDisconnect", "poe.disconnect", "cut Power over Ethernet on a port"),
            _a("RpsPortPowerDelivering", "power.rps", "is powering a device whose own power supply failed", _MEDIUM),
            _a("RpsOutOfBudget", "power.rps", "ran out of backup power budget", _MEDIUM),
            _a("RpsPortOverload", "power.rps", "saw an overload or short circuit on a port", _SEVERE),
            _a("RpsPowerDeniedByPsuOverload", "power.rps", "was denied power by an overloaded power supply", _MEDIUM),
            _a("RpsPortErrorBlocked", "power.rps", "blocked a port after a critical error", _SEVERE),
            # Wired network
            _a("LoopDetected", "network.loop", "detected a network loop", _SEVERE),
            _a("StpPortBlocking", "network.stp_blocking", "had a port blocked by the Spanning Tree Protocol"),
            _a("DetectRogueDHCP", "network.rogue_dhcp", "detected a rogue DHCP server", _SEVERE),
            _a("DhcpPoolExhausted", "dhcp.pool", "ran out of DHCP addresses", _SEVERE),
            _a("DhcpPoolNearExhausted", "dhcp.pool", "is nearly out of DHCP addresses", _MEDIUM),
            _a("NetworkAutoScaleFailed", "dhcp.pool", "ran out of DHCP addresses and could not grow the network", _SEVERE),
            _routine("NetworkAutoScaled", "grew a network's address range automatically"),
            _a("WANTransition", "wan.failover", "switched internet connection", _MEDIUM),
            # Gateway security services
            _a("IpReputationAlert", "security.ip_reputation", "saw traffic with a poorly reputed address", _MEDIUM),
            _a("IPSUpdateError", "ips.update_failed", "could not update its threat signatures", _MEDIUM),
            # Wireless
            _a("RadarDetected", "wifi.radar_detected", "detected radar and left its channel"),
            _a("PossibleInterference", "wifi.interference", "reported radio interference"),
            _a("ChannelChanged", "wifi.channel_changed", "changed its Wi-Fi channel"),
            _a("DetectRogueAP", "wifi.rogue_ap", "detected a rogue access point", _MEDIUM),
            _a("MulticastBlockNoDevice", "wifi.recommendation", "suggested a multicast setting"),
            _a("ARPCacheTimeoutNoDevice", "wifi.recommendation", "suggested an ARP cache setting"),
            _routine("MulticastBlockAutoEnabled", "turned on multicast blocking automatically"),
            _routine("No2GHzByOuiAutoEnabled", "moved fast clients to 5 GHz automatically"),
            _routine("MinRateNGAutoOptimized", "optimised its 2.4 GHz minimum rate automatically"),
            _routine("PlanFinished", "finished an automatic channel plan"),
            _routine("WiFiUXIncreased", "improved the Wi-Fi experience automatically"),
            _routine("LinkRadioChanged", "changed its link radio"),
            _a("VwireUnset", "network.wireless_uplink", "went down", _MEDIUM),
            _routine("VwireSet", "was set up"),
            # LTE backup
            _a("NotConnectedToLte", "lte.connection", "is not connected to the LTE network", _MEDIUM),
            _a("NotConnectedToLte_Alert", "lte.connection", "is not connected to the LTE network", _MEDIUM),
            _a("NotRegisteredToLte", "lte.connection", "is not registered with the LTE network", _MEDIUM),
            _a("NotRegisteredToLte_Alert", "lte.connection", "is not registered with the LTE network", _MEDIUM),
            _routine("ConnectedToLte", "connected to the LTE network"),
            _routine("RegisteredToLte", "registered with the LTE network"),
            _a("Threshold", "lte.data_limit", "used much of its LTE data allowance"),
            _a("HardLimitUsed", "lte.data_limit", "went over its LTE data limit", _MEDIUM),
            _a("HardLimitCutoff", "lte.data_limit", "was switched off for reaching its LTE data limit", _SEVERE),
            # Clients
            _a("Roam", "client.roaming", "moved to another access point"),
            _a("RoamRadio", "client.roaming", "moved to another band"),
            _a("Disconnected", "client.connections", "disconnected"),
            _routine("Blocked", "was blocked by an admin"),
            _routine("Unblocked", "was unblocked by an admin"),
            _routine("AuthorizationEnded", "was signed out of the guest portal"),
            _routine("AuthorizationEndedByQuota", "used up its guest data quota"),
            _routine("AuthedByNoAuth", "joined the guest portal"),
            _routine("AuthedByPassword", "signed in to the guest portal with the password"),
            _routine("PaymentProcessed", "paid for guest access"),
            _routine("VoucherUsed", "used a guest voucher"),
            # Admins and the controller
            _a("Login", "admin.login", "signed in"),
            _a("HotspotOpLogin", "admin.login", "signed in as hotspot operator"),
            _a("LoginFailed", "admin.login_failed", "failed to sign in"),
            _a("HDUsableSpace", "controller.storage", "is running out of disk space", _MEDIUM),
            _a("MicroSDUsableSpace", "controller.storage", "is running out of space on its microSD card", _MEDIUM),
            _a("AutoBackupFailedCloudKeySDCardNotFound", "controller.backup_failed", "skipped its automatic backup (no SD card)", _MEDIUM),
            _a("UpdateAvailable", "controller.update_available", "has a software update available"),
            _routine("GuestAuthorizedFor", "authorised a guest"),
            _routine("GuestExtended", "extended a guest's access"),
            _routine("GuestUnauthorized", "ended a guest's access"),
            _routine("PaymentRefunded", "refunded a guest payment"),
            _routine("VoucherCreated", "created guest vouchers"),
            _routine("VoucherDeleted", "deleted a guest voucher"),
            _routine("VouchersDeleted", "deleted guest vouchers"),
            # Scheduled streams
            _a("ScheduledStreamFailed", "streams.failed", "failed to run a scheduled stream", _MEDIUM),
            _a("IncorrectStreamConfiguration", "streams.failed", "has a scheduled stream that is set up wrongly", _MEDIUM),
            _a("StreamSkippedDevices", "streams.failed", "skipped devices in a scheduled stream"),
            # Threat management
            _a("IpsAlert", THREAT, "raised a threat alert"),
            # Only in the v2 system log (Network 9/10); see docs/v2-system-log.md
            _a("TrafficBlocked", "firewall.blocked", "was blocked by a firewall rule"),
            _a("HoneypotHit", "security.honeypot", "touched the gateway's honeypot", _MEDIUM),
            _a("AdminAccess", "admin.login", "signed in"),
            _routine("SettingsChanged", "changed settings"),
            _a("IspHighLatency", "wan.quality", "saw high latency on the internet line"),
            _a("IspPacketLoss", "wan.quality", "saw packet loss on the internet line"),
            _a("WanFailed", "wan.failover", "lost an internet connection", _MEDIUM),
            _a("WanFailedTemporary", "wan.failover", "briefly lost an internet connection", _MEDIUM),
            _a("WanFailedMultipleTimes", "wan.failover", "lost an internet connection several times", _MEDIUM),
            _a("FailedOverToBackup", "wan.failover", "switched to the backup internet connection", _MEDIUM),
            _a("WanRestored", "wan.failover", "got an internet connection back"),
            _a("ReturnedFromBackup", "wan.failover", "went back to the main internet connection"),
            _a("IpConflict", "client.ip_conflict", "shares its IP address with another device", _MEDIUM),
            _a("PortTransmissionErrors", "port.errors", "saw transmission errors on a port"),
            _a("RadiusServerIssue", "network.service", "could not reach the RADIUS server", _MEDIUM),
            _a("DataLimitWarning", "lte.data_limit", "went over its LTE data warning limit", _MEDIUM),
            _a("ReconnectedSeveralTimes", "device.connected", "reconnected several times", _MEDIUM),
            _a("ClientPacketLoss", "wifi.interference", "saw packet loss for its clients"),
        )
    }
)  # fmt: skip
"""Every action of the catalogue (and of real captures), by name."""
