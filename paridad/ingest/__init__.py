"""Ingest: CSV, JSON Lines and FtM entity streams into a node's store, with a quarantine."""

from paridad.ingest.mapping import TabularMapping
from paridad.ingest.pipeline import IngestReport, ingest_file

__all__ = ["IngestReport", "TabularMapping", "ingest_file"]
