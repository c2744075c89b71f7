"""Cron schedules for ``unifi-scanner serve``."""

from unifi_scanner.schedule.cron import build_trigger, next_runs, serve_forever

__all__ = ["build_trigger", "next_runs", "serve_forever"]
