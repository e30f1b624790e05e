"""Figures of the Generalization page: learning curves with the gap, the sweep heatmaps, the
sanity checks and the strip of augmented images."""
