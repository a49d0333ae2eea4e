"""Notification use cases."""
