"""repository of the reporting service."""
