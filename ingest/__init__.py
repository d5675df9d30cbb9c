"""Ingest the four music datasets used to train AI models into one SQLite file, and serve it."""

CAVEAT = "Appearing in a dataset does not prove a model was trained on it."
# The name Datasette serves datasets.db under (its file name without the extension).
DATABASE = "datasets"
