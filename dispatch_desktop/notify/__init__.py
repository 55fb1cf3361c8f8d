"""The environment-aware notifier: outbox rows, templates and delivery over Twilio and SMTP."""
