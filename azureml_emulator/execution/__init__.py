"""Running code where Azure would run it: launching a detached process (`launch`;
the records of the processes started are the top-level `processes`), and the small entry points
that run inside a service process (`service_process`, `service_app`), which import nothing
heavier than they must.
`protocol` names what the two sides of a process boundary share."""
