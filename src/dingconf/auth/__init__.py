"""Organisations, apps and access tokens (oauth2_1.0)."""
