"""Compute targets: AmlCompute clusters, created through Resource Manager and listed by the
workspace's resource provider, with the node counts of the jobs running on them."""
