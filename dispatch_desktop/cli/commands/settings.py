"""dispatch-desktop settings show | set: team-wide settings."""

import argparse
from typing import Any

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.output import printable
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.domain import timing
from dispatch_desktop.domain.team import WEEK_STARTS, TeamSettings
from dispatch_desktop.services import team_settings


def _settings_json(team: TeamSettings) -> dict[str, Any]:
    return {
        "business_timezone": team.timezone_name,
        "default_region": team.region,
        "sms_countries": list(team.texted_countries),
        "sms_per_recipient_per_day": team.sms_per_recipient_per_day,
        "sms_per_operator_per_hour": team.sms_per_operator_per_hour,
        "booking_days_back": team.booking_days_back,
        "booking_days_ahead": team.booking_days_ahead,
        "two_way_sms": team.two_way_sms,
        "reminders": [timing.offset_text(offset) for offset in team.reminders],
        "quiet_hours": str(team.quiet_hours) if team.quiet_hours else None,
        "customer_hold_seconds": team.customer_hold_seconds,
        "company_name": team.company_name,
        "company_phone": team.company_phone,
        "day_start_hour": team.day_start_hour,
        "day_end_hour": team.day_end_hour,
        "language": team.language,
        "week_start": team.week_start,
    }


def _settings_text(team: TeamSettings) -> str:
    return (
        f"business time zone: {team.timezone_name}\n"
        f"default phone region: {team.region}\n"
        f"SMS countries: {','.join(team.texted_countries)}\n"
        f"texts per recipient per day: {team.sms_per_recipient_per_day}\n"
        f"texts per operator per hour: {team.sms_per_operator_per_hour}\n"
        f"booking window: {team.booking_days_back} day(s) back to {team.booking_days_ahead} days ahead\n"
        f"two-way SMS: {'on' if team.two_way_sms else 'off'}\n"
        f"reminders: {timing.reminders_text(team.reminders) + ' before the start' if team.reminders else timing.OFF}\n"
        f"quiet hours: {team.quiet_hours or timing.OFF} (the recipient's local time)\n"
        f"customer hold: {team.customer_hold_seconds} seconds\n"
        f"company name: {printable(team.company_name or 'none')}\n"
        f"company phone: {team.company_phone or 'none'}\n"
        f"working day: {team.day_start_hour:02d}:00–{team.day_end_hour:02d}:00\n"
        f"language: {team.language} (staff's messages, and customers' without a language of their own)\n"
        f"week starts: {WEEK_STARTS[team.week_start]}"
    )


@cli_args.reads_only
def cmd_settings_show(app: App, _args: argparse.Namespace) -> int:
    team = app.ctx.team_settings()
    app.emit(
        {**_settings_json(team), "database": app.db.description},
        f"{_settings_text(team)}\ndatabase: {app.db.description}",
    )
    return 0


def cmd_settings_set(app: App, args: argparse.Namespace) -> int:
    team = team_settings.update_team_settings(
        app.ctx,
        timezone_name=args.timezone,
        region=args.region,
        sms_countries=args.sms_countries,
        sms_per_recipient_per_day=args.sms_per_recipient_day,
        sms_per_operator_per_hour=args.sms_per_operator_hour,
        booking_days_back=args.booking_days_back,
        booking_days_ahead=args.booking_days_ahead,
        two_way_sms=None if args.two_way_sms is None else args.two_way_sms == "on",
        reminders=args.reminders,
        quiet_hours=args.quiet_hours,
        customer_hold_seconds=args.customer_hold,
        company_name=args.company_name,
        company_phone=args.company_phone,
        day_start_hour=args.day_start,
        day_end_hour=args.day_end,
        language=args.language,
        week_start=args.week_start,
    )
    app.emit(_settings_json(team), _settings_text(team))
    return 0


def register(cli: Commands) -> None:
    st = cli.group("settings", "team-wide settings")
    cli.command(st, "show", cmd_settings_show, "show team settings")
    c = cli.command(st, "set", cmd_settings_set, "change team settings (supervisors)")
    c.add_argument("--timezone", help="business time zone, e.g. America/Chicago")
    c.add_argument("--region", help="default phone region, e.g. US")
    c.add_argument("--sms-countries", metavar="CODES", help="countries texts may go to, e.g. US,CA")
    c.add_argument("--sms-per-recipient-day", metavar="N", help="cap on texts to one number in 24 hours")
    c.add_argument("--sms-per-operator-hour", metavar="N", help="cap on texts one operator queues in an hour")
    c.add_argument("--booking-days-back", metavar="N", help="how many days in the past a booking may start")
    c.add_argument("--booking-days-ahead", metavar="N", help="how many days ahead a booking may start")
    c.add_argument(
        "--two-way-sms",
        choices=("on", "off"),
        help="act on texted keywords (C, R, agents' 1/2/3); STOP, START and HELP act either way",
    )
    c.add_argument("--reminders", metavar="LIST|off", help="reminders before the start, e.g. 24h,2h,90m")
    c.add_argument(
        "--quiet-hours", metavar="HH:MM-HH:MM|off", help="no customer texts then, e.g. 21:00-08:00"
    )
    c.add_argument(
        "--customer-hold",
        metavar="SECONDS",
        help="hold customer updates this long, one text per burst (0 off)",
    )
    c.add_argument(
        "--company-name", metavar="TEXT", help='opens every customer text, e.g. "Acme Plumbing" ("" clears)'
    )
    c.add_argument("--company-phone", metavar="PHONE", help='the number customers call back ("" clears)')
    c.add_argument("--day-start", metavar="HOUR", help="the working day's first hour (board view), e.g. 7")
    c.add_argument("--day-end", metavar="HOUR", help="the working day's end hour, e.g. 19")
    c.add_argument("--language", metavar="CODE", help="the messages' language: en or a shipped one, e.g. es")
    c.add_argument(
        "--week-start", choices=tuple(WEEK_STARTS), help="the board's week starts Monday or Sunday"
    )
