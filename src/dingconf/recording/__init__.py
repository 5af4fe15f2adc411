"""Cloud recording and its files."""
