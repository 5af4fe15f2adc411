"""Shared foundations: errors and their catalogue, shared records, clock, config,
ids, secrets, paging."""
