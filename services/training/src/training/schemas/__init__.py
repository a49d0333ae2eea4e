"""Request and response models of the training service."""
