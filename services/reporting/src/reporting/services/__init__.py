"""services of the reporting service."""
