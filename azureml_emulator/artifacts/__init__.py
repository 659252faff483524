"""The artifact service: files under the home (`backend`), and the endpoints that create,
list and serve them (`api`); their bytes go through the emulated Blob Storage."""
