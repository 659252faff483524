"""Run history: experiments, runs, their states, properties, tags and log files."""
