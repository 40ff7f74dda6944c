"""``greenwall token``: grants made from the command line (``revoke`` is in ``cli``: it needs Redis)."""

from __future__ import annotations

import argparse
import sys

from dashboard.grants import DEFAULT_TTL_S
from dashboard.settings import Settings


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    """Print an embed token, or with ``--signin`` a sign-in URL (stdout: only that, so
    ``$(greenwall token …)`` works; what it allows goes to stderr)."""
    from dashboard.discovery import discover
    from dashboard.districts import resolve_district
    from dashboard.grants import ALL_SCREENS, EMBED, SIGNIN, issue, verify
    from dashboard.registry import UnknownScreen, get_screen, screens

    discover()

    def fail(message: str) -> int:
        print(f"greenwall token: {message}", file=sys.stderr)
        return 2

    slugs = args.screen or ([ALL_SCREENS] if args.signin else [])
    if not slugs:
        return fail("name the screens an embed token allows with --screen SLUG")
    for slug in (s for s in slugs if s != ALL_SCREENS):
        try:
            get_screen(slug)
        except UnknownScreen:
            return fail(f"unknown screen {slug!r} (known: {', '.join(s.slug for s in screens())})")
    if args.district and args.all_districts:
        return fail("--district and --all-districts exclude each other")
    if not args.district and not args.all_districts:
        return fail("say which districts: --district ADCODE (repeatable) for 区级, or "
                    "--all-districts for the whole city and every district (市级)")
    districts = None
    if args.district:
        districts = []
        for value in args.district:
            try:
                districts.append(resolve_district(value).adcode)
            except KeyError:
                districts.append(value)  # issue() says what is wrong with it
    kind = SIGNIN if args.signin else EMBED
    keys = settings.signing_keys(create=False)  # the server makes the secret, never this
    try:
        token = issue(keys, slugs, districts, args.ttl, kind=kind,
                      max_ttl_s=settings.max_grant_ttl_s)
    except ValueError as exc:
        return fail(str(exc))
    grant = verify(keys, token, kind=kind, max_ttl_s=settings.max_grant_ttl_s)
    if args.signin:
        base = (args.base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
        print(f"{base}/signin?token={token}")
    else:
        print(token)
    print(f"{kind} grant {grant.id}: {grant.describe()} "
          f"(revoke with `greenwall revoke {grant.id}`)", file=sys.stderr)
    return 0


def add_grant_commands(sub) -> None:
    """The ``token`` and ``revoke`` subcommands on the ``greenwall`` parser."""
    token = sub.add_parser("token", help="print an embed token for /embed/<slug>?token=…, "
                                          "or with --signin a sign-in link")
    token.add_argument("--signin", action="store_true",
                       help="a sign-in URL that sets a cookie (default: an embed token)")
    token.add_argument("--screen", action="extend", nargs="+", metavar="SLUG",
                       help="a screen the grant allows (repeatable; a sign-in link without it "
                            "allows every screen)")
    token.add_argument("--district", action="extend", nargs="+", metavar="ADCODE",
                       help="a district the grant allows (repeatable; adcode or exact name)")
    token.add_argument("--all-districts", action="store_true",
                       help="allow the whole city and every district (市级)")
    token.add_argument("--ttl", type=int, default=DEFAULT_TTL_S, metavar="SECONDS",
                       help=f"lifetime in seconds (default {DEFAULT_TTL_S}; capped by "
                            "GREENWALL_MAX_GRANT_TTL_S)")
    token.add_argument("--base-url", help="the sign-in link's site (default http://HOST:PORT)")
    revoke = sub.add_parser("revoke", help="revoke grants by id before they expire")
    revoke.add_argument("grant_id", nargs="+", help="the id `greenwall token` printed")
