"""Streams out (live) and per-meeting in-meeting settings."""
