"""What-if scenarios: named changes to plans and data, applied to copies of a baseline."""
