"""Use cases of the training service."""
