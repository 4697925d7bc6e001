"""MkDocs hook: the CLI reference (docs/cli.md) generated from the commands' own parsers.

    mkdocs build --strict          # registered in mkdocs.yml under hooks:

`aezoo.commands.parsers()` returns {command name: argparse.ArgumentParser} in the order
the page shows them; each parser's `description` is the command's one-line summary.
For every command the marker `<!-- cli-reference -->` in cli.md becomes a heading, the
summary, the usage line and a table of its options (flags, value, default, help), read
from the parser's actions. A default the parser cannot hold (aezoo run's options default
to SUPPRESS, so that it knows which were given) is the one its help states, "(default: X)"
or "; default X", moved from the help to the column; a model's option without one is "per
model" (the list under the table), a flag is "off", an option without a default "none",
a flag that only overrides what a file sets "unset", and a positional "required". Nothing is written by hand, so the page cannot drift from the
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
    text = expanded(action, formatter)
    shown = default(action)
    stated, rest = stated_default(text)
    if shown:
        pass
    elif not action.option_strings:
        shown = "required" if action.nargs in (None, "+") else "none"
    elif "[model option]" in text:  # its help may say what one model does: not the default
        shown = "per model"
    elif stated:
        shown, text = ({"True": "on", "False": "off"}.get(stated, f"`{stated}`")
                       if " " not in stated else cell(stated)), rest
    elif action.default is argparse.SUPPRESS and action.nargs == 0:  # a sweep's: its file's
        shown = "unset"
    else:
        shown = "off" if action.nargs == 0 else "none"
    return f"| {names} | {value(action)} | {shown} | {cell(' '.join(text.split()))} |"


def stated_default(text):
    """(the default `text` states, `text` without it) for "(default: X)", "(default X)",
    "(...; default: X)" and "...; default: X"; (None, text) when it states none."""
    at = text.rfind("default")
    if at < 0:
        return None, text
    start = at + len("default")
    if text[start:start + 1] == ":":
        start += 1
    if text[start:start + 1] != " ":
        return None, text
    depth, end = 0, start
    while end < len(text):
        char = text[end]
        if char == "(":
            depth += 1
        elif char == ")" or char == ";" and depth == 0:
            if depth == 0:
                break
            depth -= 1
        end += 1
    stated = text[start:end].strip()
    opened = text.rfind("(", 0, at)
    if opened >= 0 and text[opened + 1:at].strip() == "" and text[end:end + 1] == ")":
        rest = text[:opened].rstrip() + text[end + 1:]  # the whole "(default: X)" goes
    else:
        rest = text  # a default said inside a longer sentence stays there too
    return stated or None, rest


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


def expanded(action, formatter):
    """The help text as --help shows it (%(default)s and friends filled in)."""
    if not action.help or action.help is argparse.SUPPRESS:
        return ""
    try:
        return formatter._expand_help(action)
    except (KeyError, TypeError, ValueError):
        return action.help


def cell(text):
    """Plain text safe inside a Markdown table cell: no HTML, no stray emphasis or pipes."""
    text = html.escape(text, quote=False)
    for char in "|*_[]":
        text = text.replace(char, "\\" + char)
    return text
