"""Templates, icons, the .desktop entry and the systemd unit, installed as dispatch_desktop.resources.

pyproject.toml maps this folder into the package; read it with importlib.resources.
"""
