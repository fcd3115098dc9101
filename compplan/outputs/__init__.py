"""Run files: CSVs and Parquet staged and moved into place together, and run.json."""
