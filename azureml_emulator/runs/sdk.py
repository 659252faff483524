"""Run seams: how often `Run.wait_for_completion` asks for news.

The SDK waits 2 s between polls at first and up to 60 s later, sized for a remote
service. The emulator answers in-process, so polling every quarter second (and at
least every second) costs nothing and shows a job's log lines as they are printed.
"""
POLL_MIN_SECONDS = 0.25
POLL_MAX_SECONDS = 1.0
