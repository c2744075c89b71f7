"""Version of the package, read by hatchling."""

__version__ = "0.1.0"
