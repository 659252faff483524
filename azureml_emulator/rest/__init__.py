"""The HTTP layer between the SDK's requests and the backends: `request` and `reply`
values, the `router`, the SDK's own operation `catalogue`, and the table of `routes`."""
