"""The CLI's expected failures: each is one line on stderr and exit status 1."""


class CliError(Exception):
    """A failure the user can act on; the message says what happened and what to do."""
