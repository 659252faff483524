"""The tables of the emulator's database, and the version number of their layout.

Each backend owns its tables (the module named beside each one) and is the only code
that reads or writes them. Raise `VERSION` with every change to a table, and add a step
to `MIGRATIONS` that brings a database of the previous version up to it.
"""
VERSION = 5

TABLES = """
-- workspaces.backend
CREATE TABLE IF NOT EXISTS workspaces (
    key TEXT PRIMARY KEY, subscription_id TEXT, resource_group TEXT, name TEXT,
    location TEXT, workspace_id TEXT, created REAL);
-- models.backend
CREATE TABLE IF NOT EXISTS assets (
    id TEXT PRIMARY KEY, workspace TEXT, payload TEXT);
CREATE TABLE IF NOT EXISTS models (
    workspace TEXT, name TEXT, version INTEGER, payload TEXT,
    PRIMARY KEY (workspace, name, version));
-- environments.backend
CREATE TABLE IF NOT EXISTS environments (
    workspace TEXT, name TEXT, version TEXT, seq INTEGER, payload TEXT,
    PRIMARY KEY (workspace, name, version));
-- webservices.repository
CREATE TABLE IF NOT EXISTS services (
    workspace TEXT, name TEXT, payload TEXT, process TEXT,
    PRIMARY KEY (workspace, name));
-- (service: the service a "Deploy" operation deploys, or the profile a "Profile" one runs)
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, workspace TEXT, service TEXT, kind TEXT, created REAL);
-- runs.backend
CREATE TABLE IF NOT EXISTS experiments (
    workspace TEXT, name TEXT, id TEXT, created REAL, payload TEXT,
    PRIMARY KEY (workspace, name));
CREATE TABLE IF NOT EXISTS runs (
    workspace TEXT, run_id TEXT, experiment TEXT, number INTEGER, status TEXT, target TEXT,
    created REAL, payload TEXT, process TEXT,
    PRIMARY KEY (workspace, run_id));
-- metrics.backend
CREATE TABLE IF NOT EXISTS metrics (
    workspace TEXT, run_id TEXT, name TEXT, seq INTEGER PRIMARY KEY AUTOINCREMENT,
    columns TEXT, properties TEXT, row TEXT);
-- snapshots.backend
CREATE TABLE IF NOT EXISTS snapshots (
    workspace TEXT, id TEXT, parent TEXT, payload TEXT,
    PRIMARY KEY (workspace, id));
-- compute.backend
CREATE TABLE IF NOT EXISTS computes (
    workspace TEXT, name TEXT, payload TEXT,
    PRIMARY KEY (workspace, name));
-- datasets.backend
CREATE TABLE IF NOT EXISTS saved_datasets (
    workspace TEXT, id TEXT, payload TEXT,
    PRIMARY KEY (workspace, id));
CREATE TABLE IF NOT EXISTS datasets (
    workspace TEXT, name TEXT, version INTEGER, dataset_id TEXT, saved_id TEXT, payload TEXT,
    PRIMARY KEY (workspace, name, version));
-- datastores.backend
CREATE TABLE IF NOT EXISTS datastores (
    workspace TEXT, name TEXT, payload TEXT,
    PRIMARY KEY (workspace, name));
CREATE TABLE IF NOT EXISTS default_datastores (
    workspace TEXT PRIMARY KEY, name TEXT);
-- profiles.backend
CREATE TABLE IF NOT EXISTS profiles (
    workspace TEXT, id TEXT, name TEXT, created TEXT, payload TEXT, process TEXT, service TEXT,
    PRIMARY KEY (workspace, id));
-- tracking.registry
CREATE TABLE IF NOT EXISTS registered_models (
    workspace TEXT, name TEXT, payload TEXT,
    PRIMARY KEY (workspace, name));
-- pipelines.entities (kind: datatype, module, datasource, graph, pipelinerun, pipeline,
-- pipelineendpoint or schedule. hash: a module's or data source's identifier hash, the SDK's fingerprint)
CREATE TABLE IF NOT EXISTS pipeline_entities (
    workspace TEXT, kind TEXT, id TEXT, hash TEXT, created REAL, payload TEXT,
    PRIMARY KEY (workspace, kind, id));
"""

# MIGRATIONS[n] upgrades a database of version n to version n + 1. Version 0 is a
# database written before the layout had a number: its tables are those of version 1.
# Version 2 only added tables (runs, metrics, snapshots, computes, datasets), which
# TABLES creates. Version 3 only added the datastore tables, version 4 model profiles and
# MLflow's registered models, version 5 the pipeline service's entities.
MIGRATIONS: dict = {0: "", 1: "", 2: "", 3: "", 4: ""}
