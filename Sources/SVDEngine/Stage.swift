// The pipeline lands once ingest and locate exist.
