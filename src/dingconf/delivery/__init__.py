"""Delivery adapters: read the event outbox and send (Stream-mode sessions, HTTP push)."""
