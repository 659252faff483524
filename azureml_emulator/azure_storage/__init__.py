"""Azure Storage: Blob Storage (the blobs the SDK uploads with the SAS URLs the services hand
out, and blob datastores) and Azure Files (the shares of file datastores), each an endpoint and
a backend that keeps its data as files under the emulator home. (The emulator's own state
database is `store`.)"""
