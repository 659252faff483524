"""The metrics service (v2): what runs log, row by row."""
