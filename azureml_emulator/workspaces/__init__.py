"""Workspaces: the workspace records (`backend`), service discovery (`api`) and the
SDK's `Workspace` seams (`sdk`)."""
