"""HyperDrive: hyperparameter sweeps. A sweep is a parent run whose supervisor samples the
search space, submits child script runs on the cluster and stops the poor ones early."""
