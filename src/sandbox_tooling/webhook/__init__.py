"""Webhooks: endpoints an org registers, and signed deliveries of its events."""
