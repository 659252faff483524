"""Data the emulator serves: the MNIST open dataset (`opendatasets`), from the real
MNIST files vendored in ``mnist/`` (see mnist/PROVENANCE.md)."""
