"""Plan files: safe YAML with line marks -> pydantic models -> semantic checks."""
