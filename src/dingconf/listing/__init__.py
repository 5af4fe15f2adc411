"""Listings: meetings by room code, an organisation's meetings, history."""
