"""Booked (scheduled) meetings and their settings."""
