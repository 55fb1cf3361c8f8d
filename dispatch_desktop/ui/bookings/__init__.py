"""The bookings list, its model, the booking form and the dialogs that act on one booking."""
