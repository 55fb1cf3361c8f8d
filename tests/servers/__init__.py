"""Local peers the notifier really talks to in tests and benchmarks: a Twilio-like HTTP API,
an aiosmtpd SMTP server and an in-memory keyring."""
