"""`crm digest` run for real on both databases, sending to a real SMTP server (aiosmtpd on a loopback port).

The book is written in SQL (the triggers write its history), then each deal's history is moved back to known
Paris days; yesterday's changes are real updates whose history rows are moved to yesterday, with one row just
before yesterday and one just after it that must not show. Today is fixed 30 days after the real date, so every
deal's creation (now) is older than every cold cutoff. The expected lists are derived here from `BOOK`, by the
rules of the issue, never from the command's output.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, Engine, text

import cli
from data import clock
from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from domain.stages import OPEN_STAGES, STAGE_BY_SLUG
from services.queries import resolved, scope_filter
from tests.digest.smtp_server import smtp_server
from tests.test_demo_and_cli import crm

TODAY = clock.today() + timedelta(days=30)
YESTERDAY = TODAY - timedelta(days=1)
PARIS = ZoneInfo("Europe/Paris")
PUBLIC_URL = "https://crm.exemple.fr"
SCRIPT = "<script>alert(1)</script>"
COLD_DAYS = 10
SEE = "Voir dans le tableau de bord : "
# The edges of yesterday are tested a second inside and outside: SQLite keeps the history's times as text to the
# second, and a row at the very first second of a day compares below that day's start written with microseconds.
SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Book:
    """A deal of the fixture: its values after yesterday's changes, and the days since its history was last
    written (before those changes)."""

    client: str
    stage: str
    amount: str | None
    due: date | None
    assignee: str | None
    quiet: int


BOOK = (
    Book("Échéance aujourd'hui", "Prospect", "1000", TODAY, "Léa Dubois", 2),
    Book(SCRIPT, "Qualifié", None, TODAY + timedelta(days=3), None, 3),
    Book("Échéance J+7", "Négociation", "12500", TODAY + timedelta(days=7), "Hugo Bernard", 4),
    Book("Échéance J+8", "Prospect", "500", TODAY + timedelta(days=8), "Léa Dubois", 4),
    Book("Gagné bientôt", "Négociation", "800", TODAY + timedelta(days=2), "Léa Dubois", 5),
    Book("En retard d'un jour", "Négociation", "3000", TODAY - timedelta(days=1), "Hugo Bernard", 2),
    Book("Froid et en retard", "Qualifié", "2000", TODAY - timedelta(days=5), "Léa Dubois", 15),
    Book("Froid daté", "Prospect", "700", TODAY + timedelta(days=20), "Hugo Bernard", 11),
    Book("Tiède", "Prospect", "700", TODAY + timedelta(days=20), "Hugo Bernard", COLD_DAYS),
    Book("Froid sans échéance", "Prospect", "900", None, "Léa Dubois", 20),
    Book("Perdu ancien", "Perdu", "100", TODAY - timedelta(days=30), "Léa Dubois", 40),
    Book("Perdu hier", "Qualifié", "600", TODAY + timedelta(days=1), "Hugo Bernard", 6),
    Book("Nouveau d'hier", "Prospect", "4000", TODAY + timedelta(days=30), "Léa Dubois", 1),
    Book("Supprimé hier", "Prospect", "50", TODAY + timedelta(days=4), "Léa Dubois", 2),
)
# Yesterday's changes, in the order they happened: (client, SQL SET clause, what the e-mail says).
CHANGES = (
    ("Échéance J+8", "statut = 'Qualifié'", "étape : Prospect → Qualifié"),
    ("Gagné bientôt", "statut = 'Gagné'", "gagné (était Négociation)"),
    ("Perdu hier", "statut = 'Perdu'", "perdu (était Qualifié)"),
    ("En retard d'un jour", "montant_brut = 3500", "montant : 3\u202f000,00\u00a0€ → 3\u202f500,00\u00a0€"),
)
AFTER = {"Échéance J+8": "Qualifié", "Gagné bientôt": "Gagné", "Perdu hier": "Perdu"}


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock time as naive UTC, the history's clock."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(ZoneInfo("UTC")).replace(
        tzinfo=None)


def stage_now(deal: Book) -> str:
    return AFTER.get(deal.client, deal.stage)


def last_change(deal: Book) -> int:
    """Days since the deal's last history row, yesterday's changes included."""
    changed = deal.client in AFTER or deal.client in {client for client, _set, _said in CHANGES}
    return 1 if changed else deal.quiet


def expected_sections() -> dict[str, list[str]]:
    """The clients each section lists, soonest due first (ties: first written), by the issue's rules."""
    live = [deal for deal in BOOK if deal.client != "Supprimé hier"]
    open_dated = [deal for deal in live if stage_now(deal) in OPEN_STAGES and deal.due is not None]

    def by_due(deals: list[Book]) -> list[str]:
        return [deal.client for deal in sorted(deals, key=lambda deal: (deal.due, BOOK.index(deal)))]

    return {
        "ÉCHÉANCES DES 7 PROCHAINS JOURS": by_due([d for d in open_dated if TODAY <= d.due <= TODAY + timedelta(7)]),
        "EN RETARD": by_due([d for d in open_dated if d.due < TODAY]),
        "DEALS FROIDS": by_due([d for d in open_dated if last_change(d) > COLD_DAYS]),
    }


def _write_book(connection: Connection) -> dict[str, int]:
    ids = {}
    for deal in BOOK:
        initial = "Négociation" if deal.client == "Gagné bientôt" else deal.stage
        ids[deal.client] = connection.execute(text(
            "INSERT INTO deals (client, statut, montant_brut, date_echeance, assignee) "
            "VALUES (:client, :stage, :amount, :due, :assignee) RETURNING id"),
            {"client": deal.client, "stage": initial, "amount": deal.amount, "due": deal.due,
             "assignee": deal.assignee}).scalar_one()
        quiet_since = {"at": paris(TODAY - timedelta(days=deal.quiet), 12), "id": ids[deal.client]}
        connection.execute(text("UPDATE deal_events SET at = :at WHERE deal_id = :id"), quiet_since)
        connection.execute(text("UPDATE deals SET last_change_at = :at WHERE id = :id"), quiet_since)
    return ids


def _moved_to(connection: Connection, at: datetime, statement: str, deal_id: int) -> None:
    """Run `statement` on the deal, then date the history rows it wrote, and its last change, at `at`."""
    last = connection.execute(text("SELECT coalesce(max(id), 0) FROM deal_events")).scalar_one()
    connection.execute(text(statement), {"id": deal_id})
    written = connection.execute(text("UPDATE deal_events SET at = :at WHERE id > :last"), {"at": at, "last": last})
    if written.rowcount:  # the deal's last change, which the database keeps, moves with its history
        connection.execute(text("UPDATE deals SET last_change_at = :at WHERE id = :id"), {"at": at, "id": deal_id})


@pytest.fixture
def book(engine: Engine) -> dict[str, int]:
    """The book on the test database, with yesterday's changes and two rows just outside yesterday."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM deal_events"))
        ids = _write_book(connection)
        first, *others = CHANGES
        _moved_to(connection, paris(YESTERDAY, 0) + SECOND, f"UPDATE deals SET {first[1]} WHERE id = :id",
                  ids[first[0]])
        for hour, (client, assignment, _said) in enumerate(others, start=13):
            _moved_to(connection, paris(YESTERDAY, hour), f"UPDATE deals SET {assignment} WHERE id = :id", ids[client])
        _moved_to(connection, paris(YESTERDAY, 18), "DELETE FROM deals WHERE id = :id", ids["Supprimé hier"])
        _moved_to(connection, paris(YESTERDAY, 0) - SECOND,
                  "UPDATE deals SET secteur = 'Banque' WHERE id = :id", ids["Échéance aujourd'hui"])
        _moved_to(connection, paris(TODAY, 0) + SECOND, "UPDATE deals SET secteur = 'Santé' WHERE id = :id",
                  ids[SCRIPT])
    return ids


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No setting from the machine: the mail settings are the test's, today is fixed."""
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM", "DIGEST_TO",
                 "STALE_DAYS", "STALE_DAYS_PROSPECT", "STALE_DAYS_QUALIFIE", "STALE_DAYS_NEGOCIATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("CACHE_TYPE", "simple")
    clock.fix_today(TODAY)
    yield monkeypatch
    clock.fix_today(None)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`crm digest ...` in this process (so today stays fixed), as the console script runs it."""
    code = cli.main(["digest", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _blocks(text_part: str) -> dict[str, list[str]]:
    """The text part's blocks by heading (the heading without its count)."""
    blocks = {}
    for block in text_part.split("\n\n"):
        heading, *lines = block.splitlines()
        blocks[heading.rpartition(" (")[0] or heading] = lines
    return blocks


def _clients(lines: list[str]) -> list[str]:
    return [line[2:].split(" — ")[0] for line in lines if line.startswith("- ")]


def _link(lines: list[str]) -> str:
    return next(line.removeprefix(SEE).split(" ")[0] for line in lines if line.startswith(SEE))


def scope(url: str) -> str | None:
    """The grid's scope a link opens (`vue=`), read with urllib."""
    return parse_qs(urlsplit(url).query).get("vue", [None])[0]


def parsed(url: str) -> DealFilter:
    """The selection the dashboard reads from a link (assets/url_state.js `decode`), read with urllib."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_URL and parts.path == "/"
    query = parse_qs(parts.query)
    return DealFilter.build(
        stages=[STAGE_BY_SLUG[slug] for slug in query.get("statut", [])], sectors=query.get("secteur"),
        assignees=query.get("commercial"), due_from=query.get("du", [None])[0], due_to=query.get("au", [None])[0],
        search=query.get("q", [""])[0], missing=query.get("manque"))


def _parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_the_digest_lists_the_expected_deals_and_changes_with_links(
        database_url: str, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server() as (port, received):
        environment.setenv("SMTP_HOST", "127.0.0.1")
        environment.setenv("SMTP_PORT", str(port))
        environment.setenv("SMTP_STARTTLS", "off")
        environment.setenv("SMTP_FROM", "crm@exemple.fr")
        code, out, err = _run(capsys, "--to", "lea@exemple.fr", "--to", "hugo@exemple.fr", "--to", "lea@exemple.fr",
                              "--database-url", database_url)

    assert (code, err) == (0, "")
    assert out == f"Point du {TODAY:%d/%m/%Y} envoyé à lea@exemple.fr, hugo@exemple.fr.\n"
    [(sender, recipients, message)] = received.messages
    assert (sender, recipients) == ("crm@exemple.fr", ["lea@exemple.fr", "hugo@exemple.fr"])
    text_part, html_part = _parts(message)
    blocks = _blocks(text_part)
    expected = expected_sections()
    assert {title: _clients(blocks[title]) for title in expected} == expected
    assert message["Subject"] == (f"CRM — point du {TODAY:%d/%m/%Y} : 3 échéances sous 7 jours, 2 en retard, "
                                  "2 deals froids")
    assert (f"- Échéance J+7 — Négociation — 12\u202f500\u00a0€ — échéance {TODAY + timedelta(7):%d/%m/%Y} "
            "(dans 7 j) — Hugo Bernard") in blocks["ÉCHÉANCES DES 7 PROCHAINS JOURS"]
    assert (f"- {SCRIPT} — Qualifié — à estimer — échéance {TODAY + timedelta(3):%d/%m/%Y} (dans 3 j) — "
            "Non attribué") in blocks["ÉCHÉANCES DES 7 PROCHAINS JOURS"]
    assert ("- Froid et en retard — Qualifié — 2\u202f000\u00a0€ — sans changement depuis 15 j — Léa Dubois"
            in blocks["DEALS FROIDS"])
    assert "Et 1 sans échéance (comptés sur la carte « Deals froids »)." in blocks["DEALS FROIDS"]

    changes = blocks[f"CHANGEMENTS D'HIER ({YESTERDAY:%d/%m/%Y})"]
    assert changes[0] == ("1 nouveau deal, 1 deal gagné, 1 deal perdu, 1 changement d'étape, 1 montant modifié, "
                          "1 autre changement.")
    first, *others = CHANGES
    assert [line for line in changes if line.startswith("- ")] == [
        f"- {first[0]} : {first[2]}", "- Nouveau d'hier : nouveau deal",
        *(f"- {client} : {said}" for client, _set, said in others), f"- Deal n° {book['Supprimé hier']} : supprimé"]

    assert parsed(_link(blocks["ÉCHÉANCES DES 7 PROCHAINS JOURS"])) == DealFilter.build(
        stages=OPEN_STAGES, due_from=TODAY, due_to=TODAY + timedelta(days=7))
    overdue = parsed(_link(blocks["EN RETARD"]))
    assert overdue == DealFilter.build(missing=["retard"])
    assert resolved(overdue, TODAY) == scope_filter(DealFilter(), DeadlineScope.OVERDUE, TODAY)
    assert parsed(_link(blocks["DEALS FROIDS"])) == DealFilter.build(stages=OPEN_STAGES)
    assert [scope(_link(blocks[name])) for name in ("ÉCHÉANCES DES 7 PROCHAINS JOURS", "EN RETARD", "DEALS FROIDS")
            ] == ["7-jours", "en-retard", "froids"]
    assert scope(_link(changes)) is None
    assert parsed(_link(changes)) == DealFilter()

    assert SCRIPT not in html_part and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert html_part.count("<li>") == sum(map(len, expected.values())) + len(CHANGES) + 2
    escaped_link = _link(blocks["ÉCHÉANCES DES 7 PROCHAINS JOURS"]).replace("&", "&amp;")
    assert f'<a href="{escaped_link}">' in html_part


def test_dry_run_prints_the_message_and_sends_nothing(
        database_url: str, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server() as (port, received):
        environment.setenv("SMTP_HOST", "127.0.0.1")
        environment.setenv("SMTP_PORT", str(port))
        environment.setenv("SMTP_FROM", "crm@exemple.fr")
        environment.setenv("DIGEST_TO", "lea@exemple.fr,hugo@exemple.fr")
        code, out, err = _run(capsys, "--dry-run", "--database-url", database_url)

    assert (code, err, received.messages) == (0, "", [])
    said, subject, blank, *body = out.splitlines()
    assert said == (f"Envoi simulé, rien n'est envoyé. De : crm@exemple.fr ; à : lea@exemple.fr, hugo@exemple.fr ; "
                    f"par : 127.0.0.1:{port}.")
    assert (subject, blank) == (f"Objet : CRM — point du {TODAY:%d/%m/%Y} : 3 échéances sous 7 jours, 2 en retard, "
                                "2 deals froids", "")
    expected = expected_sections()
    blocks = _blocks("\n".join(body))
    assert {title: _clients(blocks[title]) for title in expected} == expected


def test_a_section_beyond_its_limit_says_how_many_more(engine: Engine, book: dict[str, int]) -> None:
    from domain.digest_render import text_part
    from services.cache import VersionedCache
    from services.digest import build_digest
    from services.reads import DealReads
    from settings import Settings
    from wiring import make_cache_backend

    reads = DealReads(engine, VersionedCache(make_cache_backend(Settings())), today=lambda: TODAY)
    blocks = _blocks(text_part(build_digest(reads, engine, TODAY, PUBLIC_URL, limit=1)))
    expected = expected_sections()
    assert _clients(blocks["ÉCHÉANCES DES 7 PROCHAINS JOURS"]) == expected["ÉCHÉANCES DES 7 PROCHAINS JOURS"][:1]
    assert "et 2 autres, dans le tableau de bord." in blocks["ÉCHÉANCES DES 7 PROCHAINS JOURS"]
    assert "et 1 autre, dans le tableau de bord." in blocks["EN RETARD"]
    assert "et 5 autres changements, dans le tableau de bord." in blocks[f"CHANGEMENTS D'HIER ({YESTERDAY:%d/%m/%Y})"]


UNSET = ("Erreur : l'envoi d'e-mails n'est pas réglé : indiquez le serveur SMTP (SMTP_HOST, et selon lui SMTP_PORT, "
         "SMTP_STARTTLS, SMTP_USER, SMTP_PASSWORD) dans .env ou l'environnement ; --dry-run montre l'e-mail sans "
         "l'envoyer.\n")


def test_without_smtp_settings_the_installed_command_says_so_and_exits_1(tmp_path: Path) -> None:
    result: subprocess.CompletedProcess[str] = crm("digest", "--to", "lea@exemple.fr", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", UNSET)


def test_a_digest_with_nobody_to_send_it_from_is_refused_before_the_database_is_opened(tmp_path: Path) -> None:
    """(The command's environment points DATABASE_URL at a database that does not answer.)"""
    result = crm("digest", cwd=tmp_path, env={"SMTP_HOST": "127.0.0.1", "DIGEST_TO": "lea@exemple.fr"})
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "Erreur : aucun expéditeur : SMTP_FROM (ou "
                                                                        "SMTP_USER).\n")


NO_RECIPIENT = ("Erreur : aucun destinataire : --to ADRESSE, DIGEST_TO, ou une adresse e-mail sur un compte actif "
                "(crm users set-email IDENTIFIANT ADRESSE).\n")


def _team(engine: Engine) -> None:
    """Accounts by login: two active with an address, one without, one disabled with one."""
    from services.accounts import Accounts

    accounts = Accounts(engine)
    for login, email in (("zoe", "zoe@exemple.fr"), ("hugo", None), ("lea", "Lea.Dubois@Exemple.fr"),
                         ("max", "max@exemple.fr")):
        accounts.add(login, login.title(), "lecture", "un mot de passe solide", email=email)
    accounts.disable("max")


def test_without_to_nor_digest_to_the_digest_goes_to_the_active_accounts(
        database_url: str, engine: Engine, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _team(engine)
    with smtp_server() as (port, received):
        for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(port)), ("SMTP_STARTTLS", "off"),
                            ("SMTP_FROM", "crm@exemple.fr")):
            environment.setenv(name, value)
        code, out, err = _run(capsys, "--database-url", database_url)

    assert (code, err) == (0, "")
    assert out == f"Point du {TODAY:%d/%m/%Y} envoyé à Lea.Dubois@exemple.fr, zoe@exemple.fr.\n"
    [(sender, recipients, message)] = received.messages
    assert (sender, recipients) == ("crm@exemple.fr", ["Lea.Dubois@exemple.fr", "zoe@exemple.fr"])
    assert message["To"] == "Lea.Dubois@exemple.fr, zoe@exemple.fr"


def test_to_and_then_digest_to_come_before_the_accounts(
        database_url: str, engine: Engine, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _team(engine)
    environment.setenv("DIGEST_TO", "direction@exemple.fr")
    code, out, _err = _run(capsys, "--dry-run", "--database-url", database_url)
    assert code == 0 and " ; à : direction@exemple.fr ; " in out.splitlines()[0]
    code, out, _err = _run(capsys, "--dry-run", "--to", "hugo@exemple.fr", "--database-url", database_url)
    assert code == 0 and " ; à : hugo@exemple.fr ; " in out.splitlines()[0]
    environment.delenv("DIGEST_TO")
    code, out, _err = _run(capsys, "--dry-run", "--database-url", database_url)
    assert code == 0 and " ; à : Lea.Dubois@exemple.fr, zoe@exemple.fr ; " in out.splitlines()[0]


def test_with_no_recipient_anywhere_the_digest_is_refused_and_nothing_is_sent(
        database_url: str, engine: Engine, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """No --to, no DIGEST_TO, and no active account with an address (one without, one disabled with one)."""
    from services.accounts import Accounts

    accounts = Accounts(engine)
    accounts.add("hugo", "Hugo", "admin", "un mot de passe solide")
    accounts.add("max", "Max", "lecture", "un mot de passe solide", email="max@exemple.fr")
    accounts.disable("max")
    with smtp_server() as (port, received):
        for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(port)), ("SMTP_STARTTLS", "off"),
                            ("SMTP_FROM", "crm@exemple.fr")):
            environment.setenv(name, value)
        code, out, err = _run(capsys, "--database-url", database_url)
        dry_code, dry_out, _dry_err = _run(capsys, "--dry-run", "--database-url", database_url)

    assert (code, out, err, received.messages) == (1, "", NO_RECIPIENT, [])
    assert dry_code == 0 and (" ; à : personne (--to ADRESSE, DIGEST_TO, ou une adresse e-mail sur un compte actif "
                              "(crm users set-email IDENTIFIANT ADRESSE)) ; ") in dry_out.splitlines()[0]


def test_a_mail_server_out_of_reach_is_one_french_line_and_exit_1(
        database_url: str, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server() as (port, _received):
        pass  # stopped: nothing listens on its port any more
    for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(port)), ("SMTP_STARTTLS", "off"),
                        ("SMTP_FROM", "crm@exemple.fr")):
        environment.setenv(name, value)
    code, out, err = _run(capsys, "--to", "lea@exemple.fr", "--database-url", database_url)
    assert (code, out) == (1, "")
    assert err == (f"Erreur : le point du jour n'a pas pu être envoyé par 127.0.0.1:{port} : connexion refusée.\n")


@pytest.mark.parametrize(("settings", "said"), [
    ({"SMTP_USER": "crm@exemple.fr", "SMTP_PASSWORD": "le bon"}, None),
    ({"SMTP_USER": "crm@exemple.fr", "SMTP_PASSWORD": "un autre"},
     "identifiant ou mot de passe refusé (SMTP_USER, SMTP_PASSWORD)"),
    ({"SMTP_STARTTLS": "on", "SMTP_FROM": "crm@exemple.fr"},
     "le serveur ne propose pas STARTTLS ou la connexion (SMTP_STARTTLS, SMTP_USER)"),
])
def test_the_login_is_sent_and_starttls_is_never_skipped(
        database_url: str, book: dict[str, int], environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], settings: dict[str, str], said: str | None) -> None:
    """The default STARTTLS=on refuses a server without it rather than sending in clear."""
    with smtp_server(login=("crm@exemple.fr", "le bon")) as (port, received):
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), **settings}.items():
            environment.setenv(name, value)
        if "SMTP_STARTTLS" not in settings:
            environment.setenv("SMTP_STARTTLS", "off")
        code, out, err = _run(capsys, "--to", "lea@exemple.fr", "--database-url", database_url)

    if said is None:
        assert (code, err, received.logins) == (0, "", [("crm@exemple.fr", "le bon")])
        [(sender, _recipients, _message)] = received.messages
        assert sender == "crm@exemple.fr"  # SMTP_FROM defaults to SMTP_USER
    else:
        assert (code, out, received.messages) == (1, "", [])
        assert err == f"Erreur : le point du jour n'a pas pu être envoyé par 127.0.0.1:{port} : {said}.\n"


def test_to_takes_one_address_at_a_time(tmp_path: Path) -> None:
    result = crm("digest", "--to", "lea@exemple.fr,hugo@exemple.fr", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == ("Erreur : --to attend une adresse e-mail, pas "
                                             "« lea@exemple.fr,hugo@exemple.fr »")
