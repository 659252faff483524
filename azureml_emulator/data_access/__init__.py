"""Data the emulator serves: the MNIST open dataset (`opendatasets`), from the real MNIST
files vendored in ``mnist/`` (see mnist/PROVENANCE.md), also at their public URLs
(`public_files`); the Diabetes open dataset from scikit-learn's copy (`diabetes`); and a clear
refusal of every other open dataset (`catalog`)."""
