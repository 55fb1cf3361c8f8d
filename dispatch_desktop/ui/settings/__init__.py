"""The settings dialog, assembled from one page per concern."""
