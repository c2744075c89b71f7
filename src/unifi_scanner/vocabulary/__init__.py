"""The controller's vocabulary: every event key it is known to send, and what each one means.

One table, as data, shared by normalisation (which payload fields name the subject, which v2
names have a classic twin) and analysis (which rule reports a key, at what severity). A classic
key ``EVT_<family>_<action>`` is understood by its family (:mod:`.families`) and its action
(:mod:`.actions`), so a key no catalogue lists yet, but whose family or action is known, is
still understood; v2 system-log names are in :mod:`.v2`. ``docs/rules.md`` lists every key with
its family, treatment and severity (:mod:`.table`), and a test checks that list against this
package.
"""

from __future__ import annotations

from unifi_scanner.vocabulary.actions import ACTIONS, ROUTINE, THREAT, Action, Policy
from unifi_scanner.vocabulary.families import (
    DEVICE_TYPES,
    FAMILIES,
    GENERIC_DEVICE,
    MODEL_PREFIXES,
    Actor,
    DeviceType,
    Family,
    device_type,
    family,
    family_of_model,
)
from unifi_scanner.vocabulary.keys import CATALOGUE, CLASSIC_KEYS, SEEN
from unifi_scanner.vocabulary.lookup import DEVICE_FIELDS, Entry, device_fields, lookup, split_key
from unifi_scanner.vocabulary.table import markdown_table, write_into
from unifi_scanner.vocabulary.v2 import DEVICE_FAMILY, V2_NAMES, V2_PREFIXES, V2Name, bare_name

__all__ = [
    "ACTIONS",
    "CATALOGUE",
    "CLASSIC_KEYS",
    "DEVICE_FAMILY",
    "DEVICE_FIELDS",
    "DEVICE_TYPES",
    "FAMILIES",
    "GENERIC_DEVICE",
    "MODEL_PREFIXES",
    "ROUTINE",
    "SEEN",
    "THREAT",
    "V2_NAMES",
    "V2_PREFIXES",
    "Action",
    "Actor",
    "DeviceType",
    "Entry",
    "Family",
    "Policy",
    "V2Name",
    "bare_name",
    "device_fields",
    "device_type",
    "family",
    "family_of_model",
    "lookup",
    "markdown_table",
    "split_key",
    "write_into",
]
