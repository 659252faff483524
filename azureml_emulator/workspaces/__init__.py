"""Workspaces: the workspace records (`backend`) and the SDK's `Workspace` seams (`sdk`)."""
