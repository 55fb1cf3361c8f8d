"""Every kind of message the team sends: what it is, its parts, and the variables it may use.

The one table a template is checked against when a supervisor saves an override
(services/templates.py) and that the editor shows beside the text. The notices pass exactly
these variables when they render a kind (tests/core/test_templates_store.py holds them to it).
"""

from dataclasses import dataclass

from dispatch_desktop.domain.errors import NotFoundError, ValidationError

SMS, SUBJECT, TEXT, HTML = "sms", "subject", "text", "html"
PARTS = (SMS, SUBJECT, TEXT, HTML)
SMS_ONLY = (SMS,)
# The shipped file of each part inside a kind's folder.
PART_FILES = {SMS: "sms.txt", SUBJECT: "subject.txt", TEXT: "email.txt", HTML: "email.html"}
PART_LABELS = {SMS: "SMS", SUBJECT: "email subject", TEXT: "email text", HTML: "email HTML"}
DEFAULT_LANGUAGE = "en"
# The HTML part also sees the rendered subject (its <title>).
HTML_ONLY_VARIABLES = ("subject",)


@dataclass(frozen=True)
class KindSpec:
    description: str  # the words of the audit trail: "Sam Rivera changed the confirmation SMS (en)"
    variables: tuple[str, ...]
    parts: tuple[str, ...] = PARTS
    # A customer's SMS, which notices.customer_texts frames with the company name and, on a
    # number's first text, the opt-out line: the check counts segments with both around it.
    customer_sms: bool = False

    def variables_of(self, part: str) -> tuple[str, ...]:
        return self.variables + HTML_ONLY_VARIABLES if part == HTML else self.variables


_EVERY = ("recipient_name", "company_line")
_BOOKING = (
    *_EVERY,
    "ref",
    "service",
    "date",
    "time",
    "when",
    "ends",
    "timezone",
    "address",
    "status",
    "customer_name",
    "agent_name",
    "agent_first_name",
)
_BOOKING_EVENT = (*_BOOKING, "old_status", "eta_minutes")
_TIME_OFF = (
    *_EVERY,
    "ref",
    "agent_name",
    "starts",
    "ends",
    "timezone",
    "reason",
    "decision",
    "decision_reason",
    "decided_by",
)
_REPLY = ("recipient_name", "company_phone")

KINDS: dict[str, KindSpec] = {
    "customer_confirmation": KindSpec("confirmation", _BOOKING_EVENT, customer_sms=True),
    "request_received": KindSpec("request received", _BOOKING_EVENT, customer_sms=True),
    "customer_scheduled": KindSpec("scheduled with an agent", _BOOKING_EVENT, customer_sms=True),
    "reminder": KindSpec("reminder", (*_BOOKING, "company", "two_way"), customer_sms=True),
    "customer_status": KindSpec("status update", _BOOKING_EVENT, customer_sms=True),
    "customer_reschedule": KindSpec("reschedule", _BOOKING_EVENT, customer_sms=True),
    "agent_assignment": KindSpec("agent's assignment", _BOOKING_EVENT),
    "agent_reschedule": KindSpec("agent's reschedule", _BOOKING_EVENT),
    "agent_status": KindSpec("agent's status update", _BOOKING_EVENT),
    "agent_unassignment": KindSpec("agent's unassignment", _BOOKING_EVENT),
    "dispatcher_time_off_request": KindSpec("time-off request", _TIME_OFF),
    "agent_time_off_decision": KindSpec("time-off decision", _TIME_OFF),
    "test_message": KindSpec(
        "test message", ("recipient_name", "company_line", "sender_name", "when", "timezone")
    ),
    # The texts back to someone who texted the team (services/inbound.py).
    "reply_nothing_to_confirm": KindSpec("reply: no booking to confirm", _REPLY, SMS_ONLY),
    "reply_nothing_to_reschedule": KindSpec("reply: no booking to reschedule", _REPLY, SMS_ONLY),
    "reply_agent_no_job_today": KindSpec("reply: agent has no job today", _REPLY, SMS_ONLY),
    "reply_agent_wrong_status": KindSpec(
        "reply: agent's status move refused", (*_REPLY, "ref", "status", "target"), SMS_ONLY
    ),
}


def kind_spec(kind: str) -> KindSpec:
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFoundError(f"unknown message kind {kind!r}; the kinds are: {', '.join(KINDS)}", "kind")
    return spec


def part_of(kind: str, part: str) -> str:
    if part not in kind_spec(kind).parts:
        raise ValidationError(
            f"{kind} has no part {part!r}; its parts are: {', '.join(kind_spec(kind).parts)}", "part"
        )
    return part


def language(value: str) -> str:
    """A two-letter ISO 639-1 code in lowercase ("en", "es")."""
    code = value.strip().lower()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise ValidationError(
            f"language must be a two-letter code such as en or es, not {value!r}", "language"
        )
    return code
