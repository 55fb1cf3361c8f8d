"""The window around the panes: start-up, main window, status bar, first run, live refresh, delivery."""
