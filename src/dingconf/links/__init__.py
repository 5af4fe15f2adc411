"""Auto-login and short links."""
