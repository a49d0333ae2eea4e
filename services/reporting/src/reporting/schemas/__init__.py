"""schemas of the reporting service."""
