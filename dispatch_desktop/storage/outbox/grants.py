"""Who may read and write the outbox tables on PostgreSQL, and the check on every new outbox row.

storage/roles.py applies these with every other table's grants; they live here because only
storage/outbox/ names the outbox tables. Delivery's UPDATEs meet no trigger (throughput);
an INSERT meets one check of a few indexed lookups.
"""

from sqlalchemy import text
from sqlalchemy.orm import Session

# What a person's retry or dismiss changes on an outbox row (moves.py).
OUTBOX_MOVES = "status, attempts, next_attempt_at, last_error, claimed_by, claimed_at, updated_at, hold_reason, superseded_by"
# A booking change supersedes its older unsent notices, whoever makes it (the call center too).
OUTBOX_SUPERSEDE = "status, next_attempt_at, last_error, updated_at, hold_reason, superseded_by"
# What delivery changes (claims.py): never the text, the invite or the recipient.
OUTBOX_DELIVERY = (
    f"{OUTBOX_MOVES}, environment, provider_id, sent_to, sent_at, delivery, delivery_error_code,"
    " delivery_reason, delivery_checked_at"
)

# Each table's grants by group (storage/roles.Group values); the groups include one another.
OUTBOX_GRANTS: dict[str, dict[str, str]] = {
    # Inserts are checked by outbox_insert_check; nobody may change a row's text, invite or recipient.
    "outbox": {
        "call_center": f"SELECT, INSERT, UPDATE ({OUTBOX_SUPERSEDE})",
        "dispatcher": f"UPDATE ({OUTBOX_MOVES})",
        "notifier": f"SELECT, INSERT, UPDATE ({OUTBOX_DELIVERY})",
    },
    "sms_suppressions": {
        "call_center": "SELECT",
        "dispatcher": "DELETE",
        "notifier": "SELECT, INSERT, UPDATE, DELETE",  # STOP and START replies
    },
}


def may_deliver(session: Session) -> bool:
    """Whether this connection may claim and record outbox rows: on PostgreSQL, the notifier
    group's logins and the owner; a console of anyone else leaves delivery to them."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT has_column_privilege('outbox', 'provider_id', 'UPDATE')")))


def outbox_insert_check(s: str, definer: str, dispatcher: str, supervisor: str, notifier: str) -> str:
    """The trigger function on outbox INSERT in schema `s` (quoted), run as the owner (`definer`).

    An outbox row comes with the change that causes it: its booking or time-off request was
    written by this very transaction (its xmin is this transaction's id), and it goes to that
    booking's customer or to staff (an agent or an operator), or it answers a number that texted
    the team (an inbox reply, or the notifier's answer to a keyword). Rows of neither kind are test
    messages, which dispatchers and supervisors send. queued_by is the login's operator (the
    notifier's login for what it queues on a text's word).
    """
    return f"""CREATE OR REPLACE FUNCTION {s}.dispatch_outbox_insert() RETURNS trigger LANGUAGE plpgsql {definer} AS $$
DECLARE
  who text;
  tx xid := (pg_current_xact_id()::text::bigint % 4294967296)::text::xid;
  staff boolean;
BEGIN
  IF dispatch_is_owner() THEN RETURN NEW; END IF;
  who := dispatch_actor();
  IF who IS NULL AND pg_has_role(session_user, '{notifier}', 'MEMBER') THEN
    who := session_user::text;
  END IF;
  IF who IS NULL THEN
    RAISE EXCEPTION 'only an operator''s change queues notifications' USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.queued_by := who;
  staff := EXISTS (SELECT 1 FROM agents WHERE NEW.recipient IN (phone, email))
        OR EXISTS (SELECT 1 FROM operators WHERE NEW.recipient IN (phone, email));
  IF NEW.channel = 'sms' AND EXISTS (SELECT 1 FROM inbound_messages WHERE from_phone = NEW.recipient) THEN
    RETURN NEW;  -- a reply to someone who texted the team
  END IF;
  -- A recipient '' is a notice skipped for want of an address ("no email address on file"): it reaches no one.
  IF NEW.booking_id IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM bookings b JOIN customers c ON c.id = b.customer_id
               WHERE b.id = NEW.booking_id AND b.xmin = tx
                 AND (staff OR NEW.recipient IN (c.phone, c.email, ''))) THEN
      RETURN NEW;
    END IF;
  ELSIF NEW.time_off_id IS NOT NULL THEN
    IF (staff OR NEW.recipient = '') AND EXISTS (SELECT 1 FROM time_off t WHERE t.id = NEW.time_off_id AND t.xmin = tx) THEN
      RETURN NEW;
    END IF;
  ELSIF pg_has_role(session_user, '{dispatcher}', 'MEMBER') OR pg_has_role(session_user, '{supervisor}', 'MEMBER') THEN
    RETURN NEW;  -- a test message, which dispatchers and supervisors send
  END IF;
  RAISE EXCEPTION 'an outbox row must come with the change of its booking or time off in the same transaction'
    USING ERRCODE = 'insufficient_privilege';
END $$"""


def outbox_insert_trigger(s: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS dispatch_outbox_insert ON {s}.outbox",
        f"CREATE TRIGGER dispatch_outbox_insert BEFORE INSERT ON {s}.outbox"
        f" FOR EACH ROW EXECUTE FUNCTION {s}.dispatch_outbox_insert()",
    ]
