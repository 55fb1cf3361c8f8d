"""Use cases over the shared database: validation, permissions, transactions. No Qt here."""
