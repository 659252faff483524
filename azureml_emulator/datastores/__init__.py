"""Datastores: every workspace's workspaceblobstore (the default) and workspacefilestore, and
the blob containers and file shares users register; their blobs live under the emulator home."""
