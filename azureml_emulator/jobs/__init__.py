"""The execution service: script runs submitted to a compute cluster."""
