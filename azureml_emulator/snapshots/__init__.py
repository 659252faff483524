"""The content (snapshot) service: the source directory a run was submitted with."""
