"""Running code where Azure would run it: launching, watching and stopping processes
(`processes`, `launch`), and the small entry points that run inside a service process
(`service_process`, `service_app`), which import nothing heavier than they must.
`protocol` names what the two sides of a process boundary share."""
