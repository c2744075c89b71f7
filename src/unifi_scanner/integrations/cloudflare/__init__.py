"""Cloudflare: WAF and firewall events, Zero Trust Gateway DNS blocks and tunnel health.

The first built-in integration, and the model for the next ones: ``integration`` (the class the
registry builds), ``client`` (the SDK and what its errors mean), one module per part
(``waf``, ``dns``, ``tunnels``), ``findings`` (from the section data) and ``render`` (the
section in every format). Settings: :class:`unifi_scanner.config.CloudflareSettings`.
See ``docs/integrations/cloudflare.md``.
"""

from __future__ import annotations

from unifi_scanner.integrations.cloudflare.integration import CloudflareIntegration
from unifi_scanner.integrations.cloudflare.render import CloudflareSectionRenderer

__all__ = ["CloudflareIntegration", "CloudflareSectionRenderer"]
