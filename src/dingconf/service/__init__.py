"""The domain: tokens and scopes, provisioning, meetings and participants. No HTTP, no SQL."""
