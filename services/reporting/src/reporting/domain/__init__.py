"""domain of the reporting service."""
