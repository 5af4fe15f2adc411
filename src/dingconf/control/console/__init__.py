"""The web console's API, the join page and presence."""
