"""Running code where Azure would run it: launching a detached process (`launch`;
the records of the processes started are the top-level `processes`), and the small entry points
that run inside a service process (`service_process`, `service_app`), which import nothing
heavier than they must.
`job_contract` and `service_contract` name what the sides of a job's and a service's process
boundaries hand over, and which of this package's modules each process runs."""
