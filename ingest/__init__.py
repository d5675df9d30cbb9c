"""Ingest the four music datasets used to train AI models into one SQLite file, and serve it."""

CAVEAT = "Appearing in a dataset does not prove a model was trained on it."
