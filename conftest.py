"""Registers the project's test fixtures for every suite (see kinerja_testing and kinerja_testing.browser)."""

pytest_plugins = ["kinerja_testing", "kinerja_testing.browser"]
