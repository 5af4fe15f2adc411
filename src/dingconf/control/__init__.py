"""The /_dingconf control plane: participants, clock, state, faults, journal."""
