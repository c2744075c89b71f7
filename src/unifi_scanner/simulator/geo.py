"""Geo blocks for public IPs, as the controller attaches them to IPS alerts (our own values)."""

from __future__ import annotations

from typing import Any

__all__ = ["geo_block"]

_COUNTRIES: dict[str, tuple[str, str, str, str, float, float]] = {
    "NL": ("EU", "NLD", "Netherlands", "Amsterdam", 52.37, 4.89),
    "DE": ("EU", "DEU", "Germany", "Berlin", 52.52, 13.40),
    "SE": ("EU", "SWE", "Sweden", "Stockholm", 59.33, 18.07),
    "RU": ("EU", "RUS", "Russia", "Moscow", 55.75, 37.62),
    "CN": ("AS", "CHN", "China", "Beijing", 39.90, 116.40),
    "US": ("NA", "USA", "United States", "Ashburn", 39.04, -77.49),
    "BR": ("SA", "BRA", "Brazil", "Sao Paulo", -23.55, -46.63),
    "VN": ("AS", "VNM", "Vietnam", "Hanoi", 21.03, 105.85),
}


def geo_block(country: str, asn: str) -> dict[str, Any]:
    """The geo object for an IP in ``country`` announced by ``asn``.

    Args:
        country: ISO 3166 alpha-2 code (one of the few the simulator knows; others fall back to NL).
        asn: ``"AS64500 Example Transit"``.

    Returns:
        The union of the geo keys seen on real alerts.
    """
    continent, code3, name, city, lat, lon = _COUNTRIES.get(country, _COUNTRIES["NL"])
    number, _, organisation = asn.removeprefix("AS").partition(" ")
    return {
        "continent_code": continent,
        "country_code": country if country in _COUNTRIES else "NL",
        "country_code3": code3,
        "country_name": name,
        "region": "01",
        "city": city,
        "postal_code": "",
        "latitude": lat,
        "longitude": lon,
        "dma_code": 0,
        "area_code": 0,
        "asn": int(number) if number.isdigit() else 0,
        "organization": organisation,
    }
