"""controller models package."""
