"""Azure ML pipelines (SDK v1): the pipeline service that builds modules and graphs, and
runs a submitted graph's steps as real script runs, in dependency order, through a
supervisor process (`execution.pipeline_supervisor`)."""
