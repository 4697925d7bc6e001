"""MkDocs hook: the CLI reference (docs/cli.md) generated from the commands' own parsers.

    mkdocs build --strict          # registered in mkdocs.yml under hooks:

`aezoo.commands.parsers()` returns {command name: argparse.ArgumentParser} in the order
the page shows them; each parser's `description` is the command's one-line summary.
For every command the marker `<!-- cli-reference -->` in cli.md becomes a heading, the
summary, the usage line and a table of its options (flags, value, default, help), read
from the parser's actions. Nothing is written by hand, so the page cannot drift from the
options: an option added to a command appears here on the next build. A parser that cannot
be imported, or a cli.md without the marker, fails the build instead of leaving a stale page.
"""
import argparse
import html
import os
import sys

from mkdocs.exceptions import PluginError

PAGE = "cli.md"
MARKER = "<!-- cli-reference -->"
HIDDEN = (argparse._HelpAction, argparse._VersionAction)  # every command has them: said once


def on_config(config):
    # aezoo from this checkout, even when the venv's install points elsewhere
    root = os.path.dirname(os.path.abspath(config.config_file_path))
    if root not in sys.path:
        sys.path.insert(0, root)
    return config


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"docs/{PAGE} has lost its marker {MARKER}: the CLI reference has "
                          f"nowhere to go")
    try:
        from aezoo.commands import parsers
        commands = parsers()
    except Exception as e:  # any failure here is a broken reference: stop the build
        raise PluginError(f"the CLI reference needs aezoo.commands.parsers(): "
                          f"{type(e).__name__}: {e}") from e
    if not commands:
        raise PluginError("aezoo.commands.parsers() returned no commands")
    return markdown.replace(MARKER, reference(commands))


def reference(commands):
    return "\n".join(section(name, parser) for name, parser in commands.items())


def section(name, parser):
    lines = [f"## aezoo {name}", ""]
    if parser.description:
        lines += [cell(parser.description.strip().splitlines()[0]), ""]
    usage = parser.format_usage().strip()
    if usage.startswith("usage: "):
        usage = usage[len("usage: "):]
    lines += ["```text", usage, "```", ""]
    actions = [a for a in parser._actions if not isinstance(a, HIDDEN)]
    if actions:
        lines += ["| option | value | default | what it does |", "|---|---|---|---|"]
        formatter = parser._get_formatter()
        lines += [row(a, formatter) for a in actions]
        lines.append("")
    if parser.epilog:
        lines += ["```text", parser.epilog.strip(), "```", ""]
    return "\n".join(lines)


def row(action, formatter):
    if action.option_strings:
        names = ", ".join(f"`{s}`" for s in action.option_strings)
    else:
        names = f"`{action.metavar or action.dest}` (positional)"
    return f"| {names} | {value(action)} | {default(action)} | {description(action, formatter)} |"


def value(action):
    """What the option takes: its choices, its metavar, or nothing for a flag."""
    if action.nargs == 0:
        return ""
    if action.choices:
        shown = ", ".join(f"`{c}`" for c in action.choices)
    elif action.option_strings:
        shown = f"`{action.metavar or action.dest.upper()}`"
    else:
        shown = ""
    if action.nargs in ("+", "*"):
        shown = (shown or f"`{action.metavar or action.dest}`") + " …" + (
            " (one or more)" if action.nargs == "+" else "")
    return shown


def default(action):
    d = action.default
    if d is None or d is argparse.SUPPRESS or (action.nargs == 0 and d is False
                                                and isinstance(action, argparse._StoreTrueAction)):
        return ""
    if isinstance(d, bool):
        return "on" if d else "off"
    if isinstance(d, (list, tuple)):
        d = ",".join(map(str, d))
    return f"`{d}`"


def description(action, formatter):
    if not action.help or action.help is argparse.SUPPRESS:
        return ""
    try:
        text = formatter._expand_help(action)  # %(default)s and friends, as --help shows them
    except (KeyError, TypeError, ValueError):
        text = action.help
    return cell(" ".join(text.split()))


def cell(text):
    """Plain text safe inside a Markdown table cell: no HTML, no stray emphasis or pipes."""
    text = html.escape(text, quote=False)
    for char in "|*_[]":
        text = text.replace(char, "\\" + char)
    return text
