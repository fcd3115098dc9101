"""Commission accounting: capitalize the costs of obtaining contracts, amortize them
over their benefit period, and write the journal and roll-forward (ASC 340-40, IFRS 15)."""
