"""The Qt console. It calls the services and nothing below them."""
