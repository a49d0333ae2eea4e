"""Registers the project's test fixtures for every suite (see kinerja_testing)."""

pytest_plugins = ["kinerja_testing"]
