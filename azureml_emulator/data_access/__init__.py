"""How data reaches code offline. Not a service: the services that keep data are
`datastores`, `datasets` and `azure_storage` (and the emulator's own state is `store`).

The open datasets the emulator serves: MNIST (`opendatasets`), from the real MNIST files
vendored in ``mnist/`` (see mnist/PROVENANCE.md), also at their public URLs (`public_files`);
Diabetes from scikit-learn's copy (`diabetes`); and a clear refusal of every other open dataset
(`catalog`). And what the dataset runtime and a job read and write locally: dataset sources
(`sources`), datastore paths (`datastore_paths`), a job's dataset inputs (`materialize`), data
references (`references`) and output datasets (`outputs`)."""
