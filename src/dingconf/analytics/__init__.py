"""Attendance and network analytics."""
