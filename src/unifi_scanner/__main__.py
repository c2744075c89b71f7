"""``python -m unifi_scanner`` runs the command line."""

from unifi_scanner.cli import main

main()
