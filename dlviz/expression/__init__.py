"""The safe expression language the Backprop and Gradient-descent pages read formulas in."""
