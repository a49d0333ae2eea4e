"""Request and response bodies of the notification service."""
