"""A count with its noun: "1 booking", "6 bookings" (both forms passed in, so each can be translated)."""


def counted(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
