"""Time-off requests: asking, approving, denying."""
