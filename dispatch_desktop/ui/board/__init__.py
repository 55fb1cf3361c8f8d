"""The dispatch board: agents down the side, the day across, bookings as blocks."""
