"""What the notifier did: the log pane and its model, the email and delivery alert banners."""
