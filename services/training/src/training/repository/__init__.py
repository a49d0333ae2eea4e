"""Persistence of the training service: its own MongoDB collections."""
