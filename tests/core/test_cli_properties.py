"""Generated bad input for every command: one `error: ` line, exit 2, and nothing written.

Each example takes a valid invocation of one command, spoils one argument (or the secret
read from stdin, or a global option) with a generated bad value, runs cli.main() in this
process, and compares the database dump, the home folder and the keyring before and after.
Every command gets its own examples; their number is bounded so the suite stays well under a
minute in CI.
"""

import argparse
import contextlib
import io
import sqlite3
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_desktop.cli import build_parser, main
from dispatch_desktop.services import inbound, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import add_agent, add_booking
from tests.servers.memory_keyring import MemoryKeyring

EXAMPLES_PER_COMMAND = 20
ID_MAX = 2**63 - 1
SID = "AC" + "4" * 32
SECRET = "secret-token-4711"
C0_CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\r"  # what every text field refuses today


@dataclass(frozen=True)
class Arg:
    flag: str | None  # None: a positional argument
    kind: str  # which bad values fit it: a key of BAD
    valid: str = ""
    optional: bool = False  # left out of the valid invocation unless it is the one spoiled


def _times() -> list[Arg]:
    return [Arg("--start", "time", "2026-12-02 09:00"), Arg("--end", "time", "2026-12-02 10:00")]


def _smtp(host: str) -> list[Arg]:
    return [
        Arg("--host", "host", host),
        Arg("--port", "number", "587"),
        Arg("--user", "login", "ops@example.com"),
        Arg("--from", "email", "ops@example.com"),
        Arg("stdin", "secret", SECRET),
    ]


# Every command with its arguments; test_the_table_covers_every_command keeps this complete.
COMMANDS: dict[str, list[Arg]] = {
    "db upgrade": [],
    "db status": [],
    "db backup": [Arg(None, "backup path", "HOME/copy.db")],
    "whoami": [],
    "login": [],
    "operator add": [
        Arg("--name", "text", "Olga Operator"),
        Arg("--username", "username", "olga"),
        Arg("--role", "word", "dispatcher"),
        Arg("--phone", "optional phone", "312-555-0142", optional=True),
        Arg("--email", "optional email", "olga@example.com", optional=True),
        Arg("--login", "username", "olga", optional=True),
        Arg("--no-password", "flag", optional=True),
    ],
    "operator list": [],
    "operator role": [Arg(None, "id", "1"), Arg(None, "word", "supervisor")],
    "operator deactivate": [Arg(None, "id", "1")],
    "agent add": [
        Arg("--name", "text", "Bo Field"),
        Arg("--phone", "phone", "312-555-0102"),
        Arg("--email", "email", "bo@example.com"),
        Arg("--hours", "hours", "mon-fri 08:00-17:00,sat 09:00-13:00", optional=True),
        Arg("--skills", "skills", "boiler,electric", optional=True),
    ],
    "agent update": [
        Arg(None, "id", "1"),
        Arg("--hours", "hours", "mon-fri 08:00-17:00"),
        Arg("--skills", "skills", "boiler", optional=True),
        Arg("--email", "email", "ann@example.com", optional=True),
    ],
    "agent show": [Arg(None, "id", "1")],
    "agent list": [],
    "service-skill set": [Arg(None, "text", "Boiler service"), Arg(None, "skills", "boiler")],
    "service-skill list": [],
    "service-skill remove": [Arg(None, "word", "Boiler service")],
    "agent deactivate": [Arg(None, "id", "1")],
    "booking add": [
        Arg("--customer-name", "text", "Dora Customer"),
        Arg("--customer-phone", "phone", "312-555-0177"),
        Arg("--customer-email", "optional email", "dora@example.com"),
        Arg("--address", "text", "1 Oak Street"),
        Arg("--service", "text", "Leak check"),
        *_times(),
        Arg("--agent", "filter id", "1", optional=True),
        Arg("--notes", "long text", "gate code 1234", optional=True),
        Arg("--sms-consent", "word", "yes", optional=True),
        Arg("--override", "flag", optional=True),
        Arg("--language", "word", "es", optional=True),
    ],
    "booking assign": [
        Arg(None, "id", "1"),
        Arg(None, "id", "1"),
        Arg("--expect-version", "number", "1"),
        Arg("--no-customer-notice", "flag", optional=True),
        Arg("--override", "flag", optional=True),
    ],
    "booking unassign": [Arg(None, "id", "1"), Arg("--expect-version", "number", "1", optional=True)],
    "booking status": [
        Arg(None, "id", "1"),
        Arg(None, "word", "cancelled"),
        Arg("--reason", "text", "moved away"),
        Arg("--expect-version", "number", "1", optional=True),
        Arg("--no-customer-notice", "flag", optional=True),
    ],
    "booking reschedule": [
        Arg(None, "id", "1"),
        *_times(),
        Arg("--no-customer-notice", "flag", optional=True),
        Arg("--override", "flag", optional=True),
    ],
    "booking list": [
        Arg("--status", "word", "pending", optional=True),
        Arg("--agent", "filter id", "1", optional=True),
        Arg("--search", "search", "Carla", optional=True),
        Arg("--needs-reassignment", "flag", optional=True),
        Arg("--limit", "number", "5", optional=True),
    ],
    "booking show": [Arg(None, "id", "1")],
    "booking history": [Arg(None, "id", "1")],
    "booking notices": [Arg(None, "id", "1")],
    "timeoff request": [
        Arg("--agent", "id", "1"),
        *_times(),
        Arg("--reason", "optional text", "dentist", optional=True),
    ],
    "timeoff approve": [Arg(None, "id", "1"), Arg("--expect-version", "number", "1", optional=True)],
    "timeoff deny": [Arg(None, "id", "1"), Arg("--reason", "optional text", "busy week")],
    "timeoff list": [
        Arg("--status", "word", "pending", optional=True),
        Arg("--agent", "filter id", "1", optional=True),
    ],
    "settings show": [],
    "settings set": [
        Arg("--timezone", "zone", "America/Denver"),
        Arg("--region", "region", "CA"),
        Arg("--two-way-sms", "word", "on", optional=True),
        Arg("--reminders", "reminders", "24h,2h,90m", optional=True),
        Arg("--quiet-hours", "quiet hours", "21:00-08:00", optional=True),
        Arg("--customer-hold", "hold seconds", "60", optional=True),
        Arg("--company-name", "optional text", "Acme Plumbing", optional=True),
        Arg("--company-phone", "optional phone", "+13125550100", optional=True),
        Arg("--day-start", "hour", "8", optional=True),
        Arg("--day-end", "hour", "18", optional=True),
        Arg("--language", "word", "es", optional=True),
        Arg("--week-start", "word", "sun", optional=True),
    ],
    "notifier run": [
        Arg("--once", "flag"),
        Arg("--interval", "seconds", "1"),
        Arg("--worker", "worker", "cli", optional=True),
    ],
    "notifier status": [],
    "outbox list": [
        Arg("--status", "word", "queued", optional=True),
        Arg("--channel", "word", "sms", optional=True),
        Arg("--search", "search", "Carla", optional=True),
        Arg("--delivery", "word", "undelivered", optional=True),
        Arg("--limit", "number", "5", optional=True),
    ],
    "outbox show": [Arg(None, "id", "1")],
    "outbox retry": [Arg(None, "id", "1")],
    "outbox dismiss": [Arg(None, "id", "1")],
    "outbox retry-sign-in": [],
    "outbox counts": [],
    "outbox suppressions": [],
    "outbox unsuppress": [Arg(None, "phone", "312-555-0199")],
    "outbox sync": [],
    "credentials set twilio": [
        Arg("--account-sid", "sid", SID),
        Arg("--phone-number", "phone", "+13125550100"),
        Arg("--messaging-service-sid", "sid", "MG" + "ab" * 16, optional=True),
        Arg("stdin", "token", SECRET),
    ],
    "credentials set smtp": [*_smtp("smtp.example.com"), Arg("--auth", "word", "password", optional=True)],
    "credentials set smtp oauth2": [
        *_smtp("smtp.office365.com"),
        Arg("--auth", "flag", "oauth2"),
        Arg("--tenant-id", "tenant", "contoso.onmicrosoft.com"),
        Arg("--client-id", "guid", "00000000-1111-2222-3333-444444444444"),
        Arg("--authority", "url", "https://login.microsoftonline.com", optional=True),
    ],
    "credentials show": [],
    "credentials delete": [Arg(None, "word", "twilio")],
    "inbox list": [Arg("--unread", "flag", optional=True), Arg("--limit", "number", "5", optional=True)],
    "inbox show": [Arg(None, "id", "1")],
    "inbox reply": [Arg(None, "id", "1"), Arg("--message", "text", "On our way tomorrow")],
    "inbox read": [Arg(None, "id", "1")],
    "template list": [],
    "template show": [
        Arg(None, "word", "customer_confirmation"),
        Arg("--language", "language", "en", optional=True),
    ],
    "template set": [
        Arg(None, "word", "customer_confirmation"),
        Arg("--part", "word", "sms"),
        Arg("--language", "language", "es", optional=True),
        Arg("--file", "template file", "HOME/sms.txt", optional=True),
        Arg("stdin", "template", "Booked {{ ref }} for {{ when }}."),
    ],
    "template reset": [
        Arg(None, "word", "customer_confirmation"),
        Arg("--part", "word", "sms", optional=True),
        Arg("--language", "language", "en", optional=True),
    ],
    "template preview": [
        Arg(None, "word", "customer_confirmation"),
        Arg("--language", "language", "en", optional=True),
        Arg("--booking", "id", "1", optional=True),
    ],
    "notify simulate-inbound": [Arg("--from", "phone", "312-555-0199"), Arg("--message", "text", "C")],
    "notify test": [
        Arg("--sms", "optional phone", "312-555-0123"),
        Arg("--email", "optional email", "me@example.com"),
    ],
}
GLOBAL = [Arg("--database-url", "database url"), Arg("--home", "home")]
NO_DATABASE = {"credentials set twilio", "credentials set smtp", "credentials set smtp oauth2"}
# These never open it (credentials show reads its Twilio warnings only when it opens), so ignore --database-url.
NO_DATABASE |= {"credentials show", "credentials delete"}

_words = st.text(string.ascii_letters + "_-", min_size=1, max_size=12)
_controls = st.builds(  # inside the value: at its ends, whitespace controls are only stripped
    lambda head, control, tail: head + control + tail,
    st.text(string.ascii_letters, min_size=1, max_size=5),
    st.sampled_from(C0_CONTROLS),
    st.text(string.ascii_letters, min_size=1, max_size=5),
)
_malformed_ids = st.one_of(
    st.integers(max_value=0).map(str),
    st.integers(min_value=ID_MAX + 1, max_value=10**30).map(str),
    st.sampled_from(["", " ", "1.5", "1e3", "0x10", "١", "٣٤", "１", "+-1", "id", "nan"]),
)
BAD: dict[str, st.SearchStrategy[str]] = {
    "id": st.one_of(
        _malformed_ids, st.integers(min_value=1000, max_value=ID_MAX).map(str)
    ),  # or names nothing
    "filter id": _malformed_ids,  # a list filtered by an id that names nothing is simply empty
    "number": st.one_of(
        st.integers(max_value=0).map(str),
        st.integers(min_value=ID_MAX + 1).map(str),
        st.sampled_from(["", "x", "1.5", "inf", "nan", "٥", "1e3", "-"]),
    ),
    # A working day's hour: 0 starts the day at midnight and 24 ends it there, so neither is bad.
    "hour": st.one_of(
        st.integers(max_value=-1).map(str),
        st.integers(min_value=25).map(str),
        st.sampled_from(["", "x", "1.5", "inf", "nan", "٥", "1e3", "-"]),
    ),
    "seconds": st.one_of(
        st.floats(max_value=0.09, allow_nan=False).map(repr),
        st.floats(min_value=86_400.5, allow_infinity=False).map(repr),
        st.sampled_from(["nan", "inf", "-inf", "-5", "", "x", "١"]),
    ),
    "text": st.one_of(_controls, st.just(""), st.just("   "), st.text("ab ", min_size=2001, max_size=2100)),
    "optional text": st.one_of(_controls, st.text("ab ", min_size=2001, max_size=2100)),
    "long text": st.text("ab", min_size=2001, max_size=2100),
    "search": st.text(string.printable, min_size=201, max_size=400),
    "username": st.one_of(_controls, st.just(""), st.text("ab", min_size=65, max_size=80)),
    "word": _words.map(lambda w: f"no-such-{w}"),
    "phone": st.one_of(
        st.sampled_from(["", "1", "12", "abc", "+", "++1", "555"]), _words.map(lambda w: f"call-{w}")
    ),
    "email": st.one_of(st.sampled_from(["", "@", "a@", "@b.c", "a b@c.d", "a@@b.cd"]), _words),
    "optional phone": st.sampled_from(["1", "12", "abc", "+", "++1", "555"]),  # empty means none
    "optional email": st.sampled_from(["@", "a@", "@b.c", "a b@c.d", "a@@b.cd", "plain"]),
    "time": st.one_of(
        st.sampled_from(["", "tomorrow", "2026-13-01 09:00", "2026-02-30 10:00", "9999-12-31 23:59"]),
        st.sampled_from(["9999-12-31T23:00-05:00", "0001-01-01T00:00+09:00", "2026-12-02 25:00", "١٢:٠٠"]),
        _words,
    ),
    "zone": st.one_of(
        _words.map(lambda w: f"Nowhere/{w}"), st.sampled_from(["", "../../etc/passwd", "/etc"])
    ),
    "region": st.text(string.ascii_letters, min_size=3, max_size=6),
    "reminders": st.one_of(
        st.sampled_from(["", " ", "5x", "0m", "24", "h", "1h,,2h", "31d", "24h;2h", "١h", "ofF-"]),
        _words.map(lambda w: f"2h,{w}"),
    ),
    "hours": st.one_of(
        st.sampled_from(
            [
                "mon",
                "mon 8-17",
                "fri-mon 08:00-17:00",
                "mon 17:00-08:00",
                "xyz 08:00-09:00",
                "mon 25:00-26:00",
            ]
        ),
        st.sampled_from(["mon 08:00-12:00,mon 11:00-13:00", "mon 08:00–17:00", "mon ٠٨:00-17:00", ","]),
    ),
    "skills": st.sampled_from(["!", "boiler,\x00", "a/b", "x" * 41, "élan", "boiler;gas"]),
    "quiet hours": st.sampled_from(
        [
            "",
            "21:00",
            "25:00-08:00",
            "21:00-21:00",
            "9-8",
            "21:00-08:60",
            "off-on",
            "21:00–08:00",
            "٢١:٠٠-08:00",
        ]
    ),
    "hold seconds": st.one_of(
        st.integers(max_value=-1).map(str),
        st.integers(min_value=3601).map(str),
        st.sampled_from(["", "x", "1.5", "inf", "nan", "٥", "1e3"]),
    ),
    "sid": st.one_of(
        st.sampled_from(["", "AC", "AC123", "SK" + "1" * 32, "AC" + "٣" * 32, "AC" + "g" * 32]),
        st.text(string.hexdigits, min_size=33, max_size=40).map(lambda h: "AC" + h),
    ),
    "secret": st.one_of(
        st.sampled_from(["", "tok\x7fen-12345", "toke n-12345\x1b", "tökén-123456", "a\u2028b"]),
        st.text("x", min_size=300, max_size=400),
    ),
    "token": st.sampled_from(["short", "", "tok\x7fen-12345", "tökén-123456", "x" * 129]),
    "host": st.one_of(
        st.sampled_from(["", "smtp example.com", "smtp\n.example.com", "smtp\x7f.x", "exämple.com", "a..b"]),
        st.text("a", min_size=254, max_size=300),
    ),
    "login": st.one_of(_controls, st.sampled_from(["me @x.com", "me\u202e@x.com", "m\u00e9@x.com"])),
    "guid": st.one_of(
        st.sampled_from(["", "-x", "not a guid", "0000-1111", "ab\ncd"]), _words.map(lambda w: f"-{w}")
    ),
    "tenant": st.sampled_from(["", "-x", ".x", "a b", "ab\ncd", "x" * 300, "contoso.onmicrosoft.com/x"]),
    "url": st.sampled_from(
        ["http://login.example.com", "https://", "ftp://x", "https://a b", "https://x/\na"]
    ),
    "backup path": st.sampled_from(
        [
            "HOME/dispatch.db",
            "HOME/afile",
            "HOME/afile/x.db",
            "HOME/none/x.db",
            "HOME/" + "b" * 300,
            "HOME/a\x00b",
            "HOME",
        ]
    ),
    "database url": st.sampled_from(
        [
            "[::1/db",
            "postgresql+psycopg://u@h:5432x/db",
            "postgresql+psycopg://u@h/db?nosuchoption=1",
            "mysql://u@h/db",
            "sqlite:///HOME/afile",
            "sqlite:///HOME/afile/x.db",
            "sqlite:///HOME/dispatch.db?timeout=1",
            "sqlite:///HOME/" + "n" * 300,
            "not a url",
            "sqlite:///HOME/a\x00b",
        ]
    ),
    "home": st.sampled_from(["HOME/afile", "HOME/afile/deeper", "HOME/" + "h" * 300, "HOME/a\x00b"]),
    "worker": st.sampled_from(["", "a b", "x" * 65, "w\n1", "wörker", "w\x7f"]),
    "flag": st.sampled_from(["--no-such-option", "--once=yes"]),
    "language": st.one_of(
        st.sampled_from(["", "e", "eng", "e1", "ü", "en-US", "١٢", "e\x00"]), _words.map(lambda w: f"x-{w}")
    ),
    "template": st.one_of(
        st.sampled_from(
            [
                "",
                "{{ ref }",
                "{{ agnt_name }}",
                "{{ ''.__class__ }}",
                "{{ cycler.__init__.__globals__ }}",
                "{{ ref|attr('upper') }}",
                "{{ ref.mro() }}",
                "{% include '../../config.toml' %}",
                "\udcff",
            ]
        ),
        # too long to keep its day once sending cuts it to two segments
        st.text("x", min_size=330, max_size=400).map(lambda text: text + " {{ when }}"),
    ),
    "template file": st.sampled_from(["HOME/none.txt", "HOME", "HOME/a\x00b", "HOME/afile/x.txt"]),
}
EXIT_CODES = {"database url": frozenset({2, 5})}  # 5: a file that exists but is no database


@dataclass(frozen=True)
class Invocation:
    argv: list[str]
    stdin: str
    spoiled: str  # for the failure message: which argument got which value
    exit_codes: frozenset[int]


@st.composite
def bad_invocations(draw: st.DrawFn, name: str) -> Invocation:
    args = COMMANDS[name]
    spoilable = [*args, *(GLOBAL[1:] if name in NO_DATABASE else GLOBAL)]
    target = draw(st.sampled_from(spoilable))
    bad = draw(BAD[target.kind])
    words = name.removesuffix(" oauth2").split()
    stdin, front = SECRET, []
    for arg in args:
        value = bad if arg is target else arg.valid
        if arg.optional and arg is not target:
            continue
        if arg.flag == "stdin":
            stdin = value
        elif arg.kind == "flag":
            words += [value] if arg is target else ([arg.flag] if not arg.valid else [arg.flag, arg.valid])
        elif arg.flag is None:
            words.append(value)
        else:
            words += [arg.flag, value]
    if target in GLOBAL:
        front = [target.flag or "", bad]
    spoiled = f"{name}: {target.flag or 'positional'} = {bad[:60]!r}"
    return Invocation([*front, *words], stdin + "\n", spoiled, EXIT_CODES.get(target.kind, frozenset({2})))


def _dump(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def _listing(home: Path) -> dict[str, bytes]:
    """Every file in the home folder with its bytes, except the database (compared by its dump)."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.name.startswith("dispatch.db")
    }


@pytest.fixture
def prepared(home: Path, memory_keyring: MemoryKeyring, clean_notify_env: None) -> Iterator[Path]:
    """A SQLite home with an agent, a booking, a pending time-off request, a text in the inbox, and a config file."""
    db = Database(f"sqlite:///{home / 'dispatch.db'}")
    assert (
        main(["--home", str(home), "settings", "set", "--timezone", "America/Chicago", "--region", "US"]) == 0
    )
    ctx = ServiceContext(db, "boss")
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    timeoff.request_time_off(ctx, agent_id=agent.id, start="2026-12-03 08:00", end="2026-12-03 17:00")
    inbound.simulate_inbound(ctx, "312-555-0199", "Is the gate code still needed?")  # inbox message 1
    db.dispose()
    (home / "config.toml").write_text('environment = "development"\n', encoding="utf-8")
    (home / "afile").write_text("not a folder, not a database\n", encoding="utf-8")
    yield home


def _run(home: Path, invocation: Invocation) -> tuple[int, str, str]:
    argv = [word.replace("HOME", str(home)) for word in invocation.argv]
    if argv[0] != "--home":
        argv = ["--home", str(home), *argv]
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO(invocation.stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = stdin
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=EXAMPLES_PER_COMMAND,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_value_anywhere_is_one_error_line_and_changes_nothing(
    prepared: Path, memory_keyring: MemoryKeyring, command: str, data: st.DataObject
) -> None:
    home = prepared
    invocation = data.draw(bad_invocations(command))
    database, files, secrets = _dump(home / "dispatch.db"), _listing(home), dict(memory_keyring.store)
    code, out, err = _run(home, invocation)
    kind = invocation.spoiled
    assert code in invocation.exit_codes, (kind, code, err)
    assert out == "", (kind, out)
    assert err.startswith("error: ") and err.count("\n") == 1 and err.endswith("\n"), (kind, err)
    assert "Traceback" not in err, (kind, err)
    assert _dump(home / "dispatch.db") == database, kind
    assert _listing(home) == files, kind
    assert memory_keyring.store == secrets, kind


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix}{name} ")
            return
    yield prefix.strip()


def test_the_table_covers_every_command() -> None:
    """A new command must join COMMANDS, so the generated bad input reaches it too."""
    assert set(_commands(build_parser())) - {""} == {name.removesuffix(" oauth2") for name in COMMANDS}
