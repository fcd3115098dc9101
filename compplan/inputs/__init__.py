"""Input tables: CSV, Excel and Parquet read into typed frames, mappings, FX rates, sample data."""
