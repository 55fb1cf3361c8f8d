"""The only code that reads or writes the outbox and sms_suppressions tables.

    claims         workers: claim due rows, record outcomes, recover, hold, announce skips
    queue          new rows, written inside the change that caused them
    supersede      rows made moot before they went out (a newer notice, a changed booking)
    waits          customer texts that came due in quiet hours, held before a claim
    moves          a person's retry or dismissal of one row
    queries        lists, counts and searches for people
    reach          who a booking's messages did not reach; the Twilio codes of recent texts
    suppressions   numbers that replied STOP
    sms_counts     texts per number and per operator, for the team's SMS caps
    receipts       the provider sync: pending receipts, recording them, resolving unknown texts

Every status change is checked against the life cycle in `domain.outbox` first.
"""

from dispatch_desktop.storage.outbox.claims import (
    SENDING,
    Claimed,
    announce_skips,
    claim_due,
    claimed_at,
    due_summary,
    finish,
    has_due,
    has_unannounced_skips,
    hold_for_credentials,
    in_flight,
    recorded_as,
    release_stale,
)
from dispatch_desktop.storage.outbox.grants import may_deliver
from dispatch_desktop.storage.outbox.queue import ENVIRONMENT_INFO, QUEUED_BY, SENDER_INFO, insert_new

__all__ = [
    "ENVIRONMENT_INFO",
    "QUEUED_BY",
    "SENDER_INFO",
    "SENDING",
    "Claimed",
    "announce_skips",
    "claim_due",
    "claimed_at",
    "due_summary",
    "finish",
    "has_due",
    "has_unannounced_skips",
    "hold_for_credentials",
    "in_flight",
    "insert_new",
    "may_deliver",
    "recorded_as",
    "release_stale",
]
