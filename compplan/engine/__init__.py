"""The evaluation pipeline: seats -> credits -> measures -> components -> payout lines."""
