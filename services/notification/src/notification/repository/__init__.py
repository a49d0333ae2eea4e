"""The notification service's own collections (indexes listed in the service README)."""
