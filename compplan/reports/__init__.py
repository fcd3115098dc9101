"""Tables and text read from a result: attainment, summary, conservation, explain, credits."""
