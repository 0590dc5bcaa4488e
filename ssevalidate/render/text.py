"""The human report: grouped by record, in the steward's language, coloured on a terminal."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.text import Text

from ssevalidate.i18n import text
from ssevalidate.report import Report, Result, place

_STYLES = {"Violation": "bold red", "Warning": "yellow", "Info": "cyan"}
_MARKS = {"Violation": "✗", "Warning": "!", "Info": "i"}


def report_renderable(report: Report, source: str | None = None) -> Group:
    """The report as rich renderables (for a console that may colour them)."""
    lang = report.lang
    state = text(lang, "conforms") if report.conforms else text(lang, "not_conforming")
    title = Text()
    if source:
        title.append(f"{source} — ", style="bold")
    title.append(f"{text(lang, 'profile')} {report.profile}: ", style="bold")
    title.append(state, style="bold green" if report.conforms else "bold red")
    summary = Text(
        f"{report.records} {text(lang, 'records')} · {report.violations} {text(lang, 'violations')}"
        f" · {report.warnings} {text(lang, 'warnings')} · {report.infos} {text(lang, 'infos')}"
        f"   [{report.engine}]",
        style="dim",
    )
    parts: list = [title, summary]
    parts.extend(Text(f"note: {notice}", style="dim") for notice in report.notices)
    if not report.results:
        parts += [Text(""), Text(text(lang, "no_results"), style="green")]
    for record, results in report.by_record().items():
        parts.append(Text(""))
        parts.append(_record_heading(record, results, lang))
        parts.extend(_result_lines(result, lang) for result in _distinct(results))
    return Group(*parts)


def _distinct(results: list[Result]) -> list[Result]:
    """One line per problem: a value that fails two constraints of the same check (a literal
    where a concept IRI is expected fails both its node kind and its scheme) reads as one."""
    seen: set[tuple] = set()
    kept = []
    for result in results:
        key = (result.focus, result.shape, result.value, result.message)
        if key not in seen:
            seen.add(key)
            kept.append(result)
    return kept


def _record_heading(record: str, results: list[Result], lang: str) -> Text:
    worst = min(results, key=lambda r: ("Violation", "Warning", "Info").index(r.severity)).severity
    heading = Text(f"{_MARKS[worst]} ", style=_STYLES[worst])
    label = results[0].focus_label if results[0].focus == record else None
    label = label or next((r.focus_label for r in results if r.focus_label), None)
    heading.append(label or text(lang, "unnamed"), style="bold")
    heading.append(f"  <{record}>" if not record.startswith("_:") else f"  {record}", style="dim")
    origin = results[0].origin or {}
    where = place(origin)
    if where is not None:
        kind, value = where
        shown = value if kind == "pointer" else f"{text(lang, kind)} {value}"
        heading.append(f"  ({origin['file']}, {shown})", style="dim")
    return heading


def _result_lines(result: Result, lang: str) -> Text:
    line = Text("  ")
    line.append(f"{text(lang, result.severity):<14}", style=_STYLES[result.severity])
    if result.field:
        line.append(result.field, style="bold")
    if result.path:
        line.append(f" ({result.path})", style="dim")
    if result.value is not None:
        shown = result.value if len(result.value) <= 80 else result.value[:77] + "…"
        line.append(f" = {shown!r}" if not shown.startswith(("http", "_:")) else f" = <{shown}>")
    line.append(f"\n      {result.message}")
    if result.hint:
        line.append(f"\n      {text(lang, 'hint')} ", style="green")
        line.append(result.hint, style="green")
    return line


def render_text(report: Report, source: str | None = None) -> str:
    """The report as plain text (no colour codes)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=110, no_color=True, highlight=False, emoji=False)
    console.print(report_renderable(report, source), soft_wrap=True)
    return buffer.getvalue()
