"""Artifact storage: files under the home (`backend`), the SDK's ArtifactsClient seams (`sdk`),
and the download endpoint (`api`)."""
