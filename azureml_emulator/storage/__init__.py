"""Blob Storage: the blobs the SDK uploads with the SAS URLs the services hand out."""
