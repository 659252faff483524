"""Web services (Model Management's "services"): the stored records (`records`,
`repository`), the deployment state machine (`backend`), how a deployment is laid out
and started (`deployment`), its progress text (`progress`), the REST endpoints (`api`),
and the SDK seams for ACI and LocalWebservice (`sdk`, `local`)."""
