"""What the CLI does beyond the pipeline: demo, init, compplan.toml, progress, shipped samples."""
