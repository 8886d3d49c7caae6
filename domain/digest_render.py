"""The digest as the two parts of one e-mail: plain text and HTML, the same lines in the same order.

Every value put into the HTML goes through `html.escape` (a client named `<script>` is text, not markup),
links included; the text part is what `crm digest --dry-run` prints.
"""

from __future__ import annotations

from html import escape
from string import Template

from domain import formatting
from domain.digest import DealSection, Digest, change_line, counts_sentence, deal_line

NOTHING = "Aucun."
SEE = "Voir dans le tableau de bord"
FOOTER = "Envoyé par crm digest : les listes sont celles de la grille des échéances du tableau de bord."
PAGE = Template("""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>$title</title></head>
<body style="font-family: Arial, sans-serif; color: #1f2937; max-width: 720px">
<p>Bonjour,</p>
<p>$opening</p>
$sections
<p style="color: #6b7280; font-size: 12px">$footer</p>
</body></html>
""")


def _opening(digest: Digest) -> str:
    return f"Voici le point du {formatting.day(digest.today)} sur vos deals."


def _more(count: int, one: str, many: str) -> str:
    return f"et {formatting.count(count)} {one if count <= 1 else many}, dans le tableau de bord."


def _changes_title(digest: Digest) -> str:
    return f"Changements d'hier ({formatting.day(digest.yesterday)})"


def _section_text(section: DealSection) -> list[str]:
    lines = [f"{section.title.upper()} ({formatting.count(section.total)})"]
    lines += [f"- {deal_line(section.kind, row)}" for row in section.rows] or [NOTHING]
    if section.more:
        lines.append(_more(section.more, "autre", "autres"))
    if section.note:
        lines.append(section.note)
    lines.append(f"{SEE} : {section.link}")
    return lines


def text_part(digest: Digest) -> str:
    """The plain-text e-mail: a heading per section, one line per deal or change, the link under each."""
    blocks = [["Bonjour,"], [_opening(digest)]]
    blocks += [_section_text(section) for section in digest.sections]
    counts = digest.change_counts
    changes = [f"{_changes_title(digest).upper()} ({formatting.count(counts.total)})", counts_sentence(counts)]
    changes += [f"- {change_line(change)}" for change in digest.changes]
    if counts.total > len(digest.changes):
        changes.append(_more(counts.total - len(digest.changes), "autre changement", "autres changements"))
    changes.append(f"{SEE} : {digest.changes_link}")
    blocks += [changes, ["-- ", FOOTER]]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _link(url: str) -> str:
    return f'<p><a href="{escape(url)}">{SEE}</a></p>'


def _section_html(section: DealSection) -> str:
    items = "".join(f"<li>{escape(deal_line(section.kind, row))}</li>" for row in section.rows)
    body = f"<ul>{items}</ul>" if items else f"<p>{NOTHING}</p>"
    more = f"<p>{escape(_more(section.more, 'autre', 'autres'))}</p>" if section.more else ""
    note = f"<p>{escape(section.note)}</p>" if section.note else ""
    return (f"<h2 style=\"font-size: 18px\">{escape(section.title)} ({formatting.count(section.total)})</h2>"
            f"{body}{more}{note}{_link(section.link)}")


def html_part(digest: Digest) -> str:
    """The HTML e-mail: the same sections, lines and links as `text_part`, every value escaped."""
    counts = digest.change_counts
    items = "".join(f"<li>{escape(change_line(change))}</li>" for change in digest.changes)
    more = counts.total - len(digest.changes)
    changes = (f"<h2 style=\"font-size: 18px\">{escape(_changes_title(digest))} ({formatting.count(counts.total)})</h2>"
               f"<p>{escape(counts_sentence(counts))}</p>" + (f"<ul>{items}</ul>" if items else "")
               + (f"<p>{escape(_more(more, 'autre changement', 'autres changements'))}</p>" if more else "")
               + _link(digest.changes_link))
    sections = "\n".join([*(_section_html(section) for section in digest.sections), changes])
    return PAGE.substitute(title=escape(f"Point du {formatting.day(digest.today)}"),
                           opening=escape(_opening(digest)), sections=sections, footer=escape(FOOTER))
