"""The environment registry (`backend`, `api`) and what the emulator says about an
environment it serves with this machine's Python (`pins`)."""
