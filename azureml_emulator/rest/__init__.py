"""The HTTP layer between the SDK's requests and the backends: `request` and `reply`
values, the `router`, the SDK's own operation `catalogue`, paging and OData filters. The table of
every service's routes is `runtime.routes`, beside what activates the emulator."""
