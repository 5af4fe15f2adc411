"""Instant meetings: create, close and QueryConferenceInfo."""
