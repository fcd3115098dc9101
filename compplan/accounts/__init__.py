"""Account segmentation: ABC by share of revenue, XYZ by variability of revenue."""
