"""The simulator speaks the controller's whole vocabulary, in its words (issue 10)."""

from __future__ import annotations

import re
import string

import pytest

from unifi_scanner.simulator import vocabulary
from unifi_scanner.simulator.events import Lookup, event_record
from unifi_scanner.simulator.generator import _EVERY_DEVICE, _SITE
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.v2records import system_log_entry

pytestmark = pytest.mark.fixtures

SEEN_LIVE = {"EVT_AP_UpgradeFailed", "EVT_AD_ScheduleUpgradeFailedNotFound"}
SIM_KEYS = [f"EVT_{f}_{a}" for f, actions in vocabulary.KEYS.items() for a in actions]
_FORMATTER = string.Formatter()


@pytest.fixture(name="every")
def every_fixture():
    """The every-event scenario and its lookup."""
    scenario = load_scenario("every-event")
    return scenario, Lookup(scenario["devices"], scenario["clients"])


def _records(every):
    scenario, look = every
    for index, spec in enumerate(scenario["events"]):
        yield (
            spec,
            event_record(spec, scenario["site"], look, time_ms=1_000 + index, event_id=str(index)),
        )


def test_the_simulator_knows_every_catalogue_key(load_capture):
    """Its keys are the catalogue's, plus the two real controllers sent that it lacks."""
    catalogue = {e["key"] for e in load_capture("event_catalogue.json")["events"]}
    assert set(SIM_KEYS) == catalogue | SEEN_LIVE


def _expected(template: str, record: dict, family: str) -> str:
    """The catalogue's template filled with the record's values, deviations applied."""
    values = {name: record.get(name, "") for _, name, _, _ in _FORMATTER.parse(template) if name}
    text = template.format(**values)
    if family == "XG":
        text = text.replace("NeXt-Gen Gateway[", "Gateway[")
    return text.replace("was updated from", "was upgraded from")


def test_every_message_is_the_catalogue_template_filled(every, load_capture):
    """Each event's message is its catalogue template with the event's own values."""
    templates = {e["key"]: e["template"] for e in load_capture("event_catalogue.json")["events"]}
    checked = 0
    for spec, record in _records(every):
        key = spec["key"]
        template = templates.get(key)
        if (
            template is None
            or key in vocabulary.REAL_DEVIATIONS
            or key.startswith(
                (
                    "EVT_WU_",
                    "EVT_WG_Connected",
                    "EVT_WG_Disconnected",
                    "EVT_WG_Roam",
                    "EVT_LU_",
                    "EVT_LG_",
                )
            )
        ):
            continue  # client connections keep the wording of real captured events
        family = key[4:].partition("_")[0]
        assert record["msg"] == _expected(template, record, family), key
        checked += 1
    assert checked >= 130


def test_every_key_carries_its_device_by_name(every):
    """A device event carries the MAC in its family's field and the name beside it."""
    scenario, look = every
    names = {d["mac"]: d["name"] for d in scenario["devices"]}
    for spec, record in _records(every):
        if "device" not in spec or spec["key"] == "EVT_AD_ScheduleUpgradeFailedNotFound":
            continue
        family = spec["key"][4:].partition("_")[0]
        field = vocabulary.DEVICE_SUBJECTS[family][0]
        assert names[record[field]] == record[f"{field}_name"] == record[f"{field}_displayName"]
        if family in vocabulary.ALSO_GATEWAY:
            assert record["gw"] == record[field]
            assert record["gw_displayName"] == record[f"{field}_name"]
    assert look.gateway["type"] == "ugw"


def test_the_every_event_scenario_has_every_key(every):
    """Every key but the IPS alert (which comes from the scenario's IPS list) appears once."""
    scenario, _ = every
    keys = [spec["key"] for spec in scenario["events"]]
    assert sorted(keys) == sorted(k for k in SIM_KEYS if k != "EVT_IPS_IpsAlert")


def test_v2_entries_carry_every_parameter_and_no_raw_placeholder(every):
    """Each event's system-log entry names its device and fills every placeholder it uses."""
    _, look = every
    for spec, record in _records(every):
        entry = system_log_entry(record, look)
        tokens = re.findall(r"\{([A-Z_]+)\}", entry["message_raw"])
        assert set(tokens) <= set(entry["parameters"]), spec["key"]
        if "device" in spec and spec["key"] != "EVT_AD_ScheduleUpgradeFailedNotFound":
            parameters = entry["parameters"]
            device = parameters.get("DEVICE") or parameters.get("NEAREST_AP")
            assert device["name"] == spec["device"], spec["key"]


def test_the_generated_site_draws_every_key_of_its_families():
    """Busy-office's generator can send every AP, switch and gateway key and the site keys."""
    drawn = {key for key, _ in _EVERY_DEVICE}
    families = {"AP", "SW", "GW"}
    assert drawn == {k for k in SIM_KEYS if k[4:6] in families}
    assert {k[4:6] for k in _SITE} == {"AD", "PA"}
