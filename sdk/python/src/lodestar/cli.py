"""The `lodestar` command (also `python -m lodestar`):

    lodestar init --app-name NAME [--url URL] [--no-browser] [--config PATH]
    lodestar test [--url URL] [--config PATH]
    lodestar status [--url URL] [--config PATH]

An expected failure is one `lodestar: ...` line on stderr and exit status 1; a usage error
exits 2 (argparse); Ctrl-C exits 130. No traceback in any of these."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import socket
import sys
import time
from pathlib import Path

from . import config, device
from .errors import CliError
from .lines import encode
from .transport import Reply, post_lines, request_json
from .version import VERSION

REQUEST_TIMEOUT = 15.0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_usage(sys.stderr)
        print("lodestar: error: choose a command: init, test or status", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("\nlodestar: interrupted", file=sys.stderr, flush=True)
        return 130
    except (CliError, config.ConfigError) as e:
        print(f"lodestar: {e}", file=sys.stderr, flush=True)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lodestar",
        description="Link this machine to a Lodestar app and check that logs get through.",
    )
    parser.add_argument("--version", action="version", version=f"lodestar {VERSION}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser(
        "init",
        help="link this machine to an app (approve in the browser) and save its API key",
        description="Shows a code and a link; approve it in the browser, signed in to Lodestar, "
        "and the new app's API key is saved to the config file.",
    )
    init.add_argument("--app-name", required=True, help="the app to create or link")
    init.add_argument("--no-browser", action="store_true", help="print the link, do not open it")
    add_common(init)
    init.set_defaults(run=run_init)

    test = commands.add_parser("test", help="send one test line and check that it is accepted")
    add_common(test)
    test.set_defaults(run=run_test)

    status = commands.add_parser(
        "status", help="show the config in use; check the server and the API key"
    )
    add_common(status)
    status.set_defaults(run=run_status)
    return parser


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help=f"the Lodestar server [default: LODESTAR_DSN, the config's url, {config.DEFAULT_URL}]",
    )
    parser.add_argument(
        "--config",
        help="the config file [default: LODESTAR_CONFIG, ~/.lodestar/config.json]",
    )


def run_init(args: argparse.Namespace) -> int:
    path = config.config_path(args.config)
    url = server_url(args, path)
    device.link(url, args.app_name, path, browser=not args.no_browser)
    return 0


def run_test(args: argparse.Namespace) -> int:
    connection = connection_for(args)
    host = socket.gethostname()
    now = datetime.datetime.now().astimezone()
    message = f"Lodestar test line from {host} at {now:%Y-%m-%d %H:%M:%S %Z}".strip()
    line = {
        "timestamp": time.time(),
        "level": "info",
        "message": message,
        "service": "lodestar-cli",
        "extra": {"logger": "lodestar.cli", "host": host},
    }
    reply = post_lines(connection.url, connection.api_key, [encode(line)], REQUEST_TIMEOUT)
    accepted = reply.data.get("accepted") if reply.ok and isinstance(reply.data, dict) else None
    if accepted != 1:
        raise CliError(f"the test line was not accepted: {refusal(reply)}")
    say(f'Sent "{message}" to {connection.url}: the server accepted it.')
    say(f"See it at {app_page(connection)}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    path = config.config_path(args.config)
    problems: list[str] = []
    try:
        connection: config.Connection | None = connection_for(args)
        url = connection.url
    except config.ConfigError as e:
        connection = None
        problems.append(str(e))
        url = server_url(args, path)

    say(f"Config file: {path}" + ("" if path.exists() else " (none)"))
    health = request_json("GET", f"{url}/health", timeout=REQUEST_TIMEOUT)
    version = health.data.get("version") if isinstance(health.data, dict) else None
    if health.ok:
        say(f"Server:      {url} (up, version {version or '?'})")
    else:
        say(f"Server:      {url} ({health.describe()})")
        problems.append(f"the server is not healthy: {health.describe()}")

    if connection is None:
        say("API key:     none")
    else:
        if connection.app_name is not None:
            say(f"App:         {connection.app_name} (id {connection.app_id})")
        shown = f"{config.display_prefix(connection.api_key)} (from {connection.key_source})"
        if health.status is None:
            say(f"API key:     {shown}: not checked")
        else:
            # An empty batch stores nothing: 200 when the key is good, 401 when it is not.
            check = post_lines(url, connection.api_key, [], REQUEST_TIMEOUT)
            if check.ok:
                say(f"API key:     {shown}: accepted")
            else:
                say(f"API key:     {shown}: refused ({check.describe()})")
                problems.append(f"the API key was not accepted: {refusal(check)}")
    if problems:
        raise CliError(problems[0])
    return 0


def server_url(args: argparse.Namespace, path: Path) -> str:
    if args.url:
        return config.split_url(args.url, "--url")[0]
    return config.resolve_url(path)


def connection_for(args: argparse.Namespace) -> config.Connection:
    connection = config.resolve_connection(path=args.config)
    if args.url:
        connection = dataclasses.replace(connection, url=config.split_url(args.url, "--url")[0])
    return connection


def refusal(reply: Reply) -> str:
    if reply.status == 401:
        return (
            f"{reply.describe()} (the key was revoked, or is another server's: "
            "`lodestar init --app-name NAME` gets a new one)"
        )
    return reply.describe()


def app_page(connection: config.Connection) -> str:
    if connection.app_id is not None:
        return f"{connection.url}/apps/{connection.app_id}"
    return f"{connection.url}/dashboard (open the key's app)"


def say(text: str) -> None:
    print(text, flush=True)
