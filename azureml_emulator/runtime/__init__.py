"""Turning the emulator on and off: its home (`home`),
activation (`activation`), the SDK seams it patches (`seams`), the table of the services it
answers (`routes`) and the `requests` transport that answers Azure ML calls in-process from
that table and refuses all other traffic."""
