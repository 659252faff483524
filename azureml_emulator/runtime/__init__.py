"""Turning the emulator on and off: the active emulator (`context`), its home (`home`),
activation (`activation`), the SDK seams it patches (`seams`) and the `requests`
transport that answers Azure ML calls in-process and refuses all other traffic."""
