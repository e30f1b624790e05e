"""Figures of the Gradient-descent page: the animated contour panel (``panel``, its traces in
``traces``), the 3-D surface (``surface3d``), the convergence map (``map``) and what they share
(``common``)."""
