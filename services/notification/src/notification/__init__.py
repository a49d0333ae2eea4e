"""Notification service: inbox, email, webhooks and live push, in Bahasa Indonesia."""
