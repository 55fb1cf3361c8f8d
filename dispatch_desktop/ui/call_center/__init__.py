"""The call-center entry panel: a booking taken during a phone call."""
