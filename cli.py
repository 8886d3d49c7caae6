"""`crm`, the one command line: init, seed-demo, reset-demo, remove-demo, write-sample, import, users, tokens,
digest, backup, restore (or `python cli.py`).

An entry point like app.py: it builds the same services on the same settings (database and cache backend), so a
write made here goes through the one write path and bumps the data version that a running dashboard sharing the
cache backend reads. `import` runs the upload area's pipeline with the same report; large files (beyond the upload
limit) go through here. `backup` and `restore` neither migrate first (a backup is of the database as it is,
before an upgrade too; a restore migrates what it restored). Exit codes: 0 done, 1 nothing could be imported, the
database is out of reach, the digest could not be sent or a backup could not be written or restored, 2 usage.

Why Click: its parser reports each usage error as an exception with fields (the option, the command, the missing
argument), so the French sentences are built from those fields rather than from English text, and its help is laid
out from the commands themselves. Click's own words are English; the small subclasses below, through its documented
hooks (formatter and context classes, the help option, `parse_args`), put French ones in their place. The database,
services and importer are imported inside the commands: the help and usage errors answer at once, not after 1.5 s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from domain.accounts import Account
    from domain.api_tokens import ApiToken
    from settings import Settings
    from wiring import Services

CLI_MAX_BYTES = 512 * 1024 * 1024
PROG = "crm"
PARAMETERS = "[PARAMÈTRES]"
# Click's section titles (English literals in its source), as the French help names them.
HEADINGS = {"Options": "Paramètres", "Commands": "Commandes", "Positional arguments": "Arguments"}
EXIT_CODES = """\b
Codes de sortie : 0 fait, 1 rien n'a pu être importé ou la base est injoignable
(ou l'e-mail n'a pas pu partir, ou la sauvegarde ou la restauration a échoué),
2 commande mal écrite. Aide d'une commande : crm COMMANDE --help"""
Mappings = tuple[dict[str, str | None], dict[str, str]]


class FrenchUsageError(click.UsageError):
    """A usage error whose message is already the French sentence to print."""


class _Formatter(click.HelpFormatter):
    """Click's layout with French headings and usage prefix."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)} :\n")


class _Context(click.Context):
    formatter_class = _Formatter


class _FrenchHelp(click.Command):
    """French help for a command: formatter, usage metavar and the help option's own line."""

    context_class = _Context

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("options_metavar", PARAMETERS)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "affiche cette aide"
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Click's parse, its errors made French with the context (Click's parser leaves some without one)."""
        try:
            return super().parse_args(ctx, args)
        except FrenchUsageError:
            raise
        except click.UsageError as error:
            raise FrenchUsageError(french(error, ctx), ctx) from None


class _Command(_FrenchHelp):
    """A subcommand that also refuses extra arguments and an option name taken as another option's value."""

    allow_extra_args = True  # an extra argument is then ours to report, in French

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        if rest:
            raise FrenchUsageError(f"argument en trop : {' '.join(rest)}", ctx)
        # `--rejets --dry-run` would otherwise write the rejects to a file named "--dry-run" and import for real.
        names = {name for param in self.get_params(ctx) for name in param.opts}
        for param in self.params:
            if isinstance(param, click.Option) and not param.is_flag and str(ctx.params.get(param.name)) in names:
                raise FrenchUsageError(f"l'option {param.opts[0]} attend une valeur", ctx)
        return rest


class _Group(_FrenchHelp, click.Group):
    command_class = _Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # the order they are written in, init first (Click sorts them)


def french(error: click.UsageError, ctx: click.Context | None = None) -> str:
    """The French sentence for one of Click's usage errors, from its fields (Click words them in English)."""
    if isinstance(error, FrenchUsageError):
        return error.message
    if isinstance(error, click.NoSuchOption):
        return f"option inconnue : {error.option_name}"
    if isinstance(error, click.NoSuchCommand):
        return f"commande inconnue : {error.command_name} (commandes : {', '.join(crm.commands)})"
    if isinstance(error, click.BadOptionUsage):
        params = ctx.command.get_params(ctx) if ctx else []
        flag = any(isinstance(p, click.Option) and p.is_flag and error.option_name in p.opts for p in params)
        return f"l'option {error.option_name} {'ne prend pas de valeur' if flag else 'attend une valeur'}"
    if isinstance(error, click.MissingParameter) and error.param is not None:
        return f"il manque l'argument {error.param.human_readable_name}"
    if isinstance(error, click.BadParameter) and error.param is not None:
        param = error.param
        wanted = "un nombre entier" if isinstance(param.type, click.types.IntParamType) else "autre chose"
        named = param.human_readable_name if isinstance(param, click.Argument) else "/".join(param.opts)
        return f"{named} attend {wanted}"
    return "commande mal écrite"


def _refuse(message: str) -> NoReturn:
    """Stop the command with a usage error (exit 2) and its usage line."""
    raise FrenchUsageError(message, click.get_current_context(silent=True))


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "introuvable"
    if isinstance(error, IsADirectoryError):
        return "c'est un dossier"
    if isinstance(error, NotADirectoryError | FileExistsError):  # a file where a folder of the path should be
        return "une partie du chemin n'est pas un dossier"
    if isinstance(error, PermissionError):
        return "accès refusé"
    return f"erreur du système (errno {error.errno})"


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        _refuse(f"{what} « {path} » : {_os_reason(error)}")


def _load_mapping(value: str | None) -> Mappings:
    """The column and stage mappings from JSON text or a JSON file; a French usage error when malformed."""
    if not value:
        return {}, {}
    try:
        text = value if value.lstrip().startswith(("{", "[")) else _read(Path(value), "--mapping").decode("utf-8-sig")
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        _refuse(f"--mapping n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})")
    except UnicodeDecodeError:
        _refuse("--mapping : le fichier n'est pas en UTF-8")
    if not isinstance(loaded, dict) or set(loaded) - {"columns", "stages"}:
        _refuse('--mapping attend un objet {"columns": {"En-tête": "champ"}, "stages": {"Valeur": "Étape"}}')
    columns, stages = loaded.get("columns") or {}, loaded.get("stages") or {}
    if not (isinstance(columns, dict) and all(v is None or isinstance(v, str) for v in columns.values())
            and isinstance(stages, dict) and all(isinstance(v, str) for v in stages.values())):
        _refuse('--mapping : "columns" et "stages" doivent associer des textes à des textes')
    return columns, stages


def _settings() -> Settings:
    """The settings of `.env` and the environment; one refused is a French usage error."""
    from settings import load_settings

    try:
        return load_settings()
    except ValueError as refused:
        _refuse(f"réglage refusé : {refused}")


def _shown(services: Services) -> str:
    """The database as the user may see it: its URL without the password."""
    return services.engine.url.render_as_string(hide_password=True)


def _with_services(database_url: str | None, action: Callable[[Services], int], migrate: bool = True) -> int:
    """Migrate the database (unless told not to), then run `action` on its services; a database out of reach is
    one French line, 1."""
    from dataclasses import replace

    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from data.migrate import upgrade
    from domain.errors import DatabaseUnavailableError
    from services.reachability import database_reachable
    from wiring import build_services

    settings = _settings()
    settings = replace(settings, database_url=database_url) if database_url else settings
    try:
        services = build_services(settings)
    except (ArgumentError, ImportError, ValueError):  # ValueError: a port that is not a number
        _refuse("adresse de base de données illisible (--database-url ou DATABASE_URL) : "
                "sqlite:///chemin ou postgresql://utilisateur@hôte/base")
    except OSError as error:  # the SQLite file's folder cannot be created
        click.echo(f"Erreur : {DatabaseUnavailableError.message} ({_os_reason(error)})", err=True)
        return 1
    try:
        with database_reachable():
            if migrate:
                upgrade(services.engine)
            return action(services)
    except DatabaseUnavailableError:
        click.echo(f"Erreur : {DatabaseUnavailableError.message} ({_shown(services)})", err=True)
    except SQLAlchemyError as error:  # the driver's own text may hold SQL and values: its class name says enough
        click.echo(f"Erreur : la base de données a refusé l'opération ({type(error).__name__}).", err=True)
    finally:
        services.engine.dispose()
    return 1


def _demo(services: Services, command: str) -> int:
    """Seed, reset or remove the demo deals, and say so."""
    from data.clock import today

    if command == "seed-demo" and services.reads.has_demo_data():
        click.echo("Les deals de démonstration sont déjà présents.")
        return 0
    if command == "seed-demo":
        click.echo(f"{services.writes.seed_demo(today())} deals de démonstration ajoutés.")
        return 0
    removed = services.writes.remove_demo()
    if command == "reset-demo":
        click.echo(f"{removed} deals de démonstration supprimés, {services.writes.seed_demo(today())} ajoutés.")
    else:
        click.echo(f"{removed} deals de démonstration supprimés.")
    return 0


def _import(services: Services, file: Path, content: bytes, mappings: Mappings, dry_run: bool,
            rejets: Path | None, max_bytes: int) -> int:
    """One import (or dry run) with its French report; 1 when no row could be imported."""
    from services import importing
    from services.importing.report import text_report

    options = (content, file.name, *mappings, max_bytes)
    if dry_run:
        preview = importing.preview_import(services.engine, *options)
    else:
        preview = services.writes.import_file(*options).preview
    *details, last = text_report(preview, written=not dry_run)
    if details:
        click.echo("\n".join(details))
    failed = preview.error is not None or preview.created + preview.updated + preview.duplicates == 0
    if rejets and preview.rejected_rows:
        try:
            rejets.write_text(importing.rejected_rows_csv(preview), encoding="utf-8-sig")
            click.echo(f"Lignes rejetées écrites dans {rejets}")
        except OSError as error:
            click.echo(f"Erreur : lignes rejetées non écrites dans « {rejets} » : {_os_reason(error)}", err=True)
            failed = True
    click.echo(last, err=failed)
    return 1 if failed else 0


def _command_required(ctx: click.Context, group: click.Group) -> None:
    """A group called without a command refuses in French (Click would say "Missing command.")."""
    if ctx.invoked_subcommand is None:
        raise FrenchUsageError(f"indiquez une commande : {', '.join(group.commands)}", ctx)


database_option = click.option("--database-url", metavar="URL",
                               help="la base visée (par défaut : DATABASE_URL, celle du tableau de bord)")


@click.group(cls=_Group, invoke_without_command=True, subcommand_metavar="COMMANDE [ARGUMENTS]...",
             context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES,
             help="La base de deals du tableau de bord CRM : schéma, deals de démonstration, import de fichiers, "
                  "point du jour par e-mail, comptes et jetons d'API, sauvegardes.")
@click.pass_context
def crm(ctx: click.Context) -> None:
    """The group; called without a command it refuses in French."""
    _command_required(ctx, crm)


@crm.command("init", help="Crée la base ou met son schéma à jour (migrations Alembic).")
@database_option
def init(database_url: str | None) -> int:
    """Every command migrates first; this one only does that."""
    return _with_services(database_url, lambda _services: click.echo("Base de données à jour.") or 0)


@crm.command("seed-demo", help="Ajoute les deals de démonstration s'ils n'y sont pas.")
@database_option
def seed_demo(database_url: str | None) -> int:
    """Idempotent, so a set-up script may run it every time."""
    return _with_services(database_url, lambda services: _demo(services, "seed-demo"))


@crm.command("reset-demo", short_help="Remplace les deals de démonstration par des neufs.",
             help="Remplace les deals de démonstration par des neufs, datés d'aujourd'hui.")
@database_option
def reset_demo(database_url: str | None) -> int:
    """Demo deals age; this brings them back around today."""
    return _with_services(database_url, lambda services: _demo(services, "reset-demo"))


@crm.command("remove-demo", help="Supprime les deals de démonstration et garde les vôtres.")
@database_option
def remove_demo(database_url: str | None) -> int:
    """The same removal as the dashboard's button."""
    return _with_services(database_url, lambda services: _demo(services, "remove-demo"))


@crm.command("write-sample", short_help="Réécrit le fichier d'exemple CSV.",
             help="Réécrit le fichier d'exemple CSV : 200 deals, comme un export Excel français.")
@click.argument("path", metavar="[CHEMIN]", required=False, type=Path,
                help="où l'écrire (par défaut : data/samples/crm_prospects_demo.csv)")
def write_sample(path: Path | None) -> int:
    """No database: the sample is generated from the demo generator."""
    from data.clock import today
    from data.sample_file import SAMPLE_PATH, write_sample_csv

    target = path or SAMPLE_PATH
    try:
        written = write_sample_csv(target, today())
    except OSError as error:
        _refuse(f"impossible d'écrire « {target} » : {_os_reason(error)}")
    click.echo(f"{written} deals écrits dans {target}")
    return 0


@crm.command("import", short_help="Importe un fichier CSV, TXT ou Excel (.xlsx).",
             help="Importe un fichier CSV, TXT ou Excel (.xlsx), comme l'import du tableau de bord.",
             epilog="Les paramètres se placent avant ou après FICHIER. Code de sortie 1 quand aucun deal "
                    "n'a pu être importé.")
@click.argument("file", metavar="FICHIER", type=Path, help="le fichier .csv, .txt ou .xlsx à importer")
@click.option("--dry-run", is_flag=True, help="montre ce que l'import ferait, sans rien écrire")
@click.option("--mapping", metavar="JSON|FICHIER",
              help='les correspondances, en JSON ou dans un fichier .json : {"columns": {"En-tête": "champ"}, '
                   '"stages": {"Valeur": "Étape"}}')
@click.option("--rejets", metavar="CSV", type=Path, help="écrit aussi les lignes rejetées, avec leur motif")
@click.option("--max-bytes", metavar="OCTETS", type=int, default=CLI_MAX_BYTES,
              help="la taille maximale du fichier, en octets (512 Mio par défaut)")
@database_option
def import_file(file: Path, dry_run: bool, mapping: str | None, rejets: Path | None, max_bytes: int,
                database_url: str | None) -> int:
    """Everything the user typed is checked before the database is opened: a typo costs no connection."""
    mappings = _load_mapping(mapping)
    if max_bytes < 1:
        _refuse("--max-bytes attend un nombre d'octets positif")
    content = _read(file, "le fichier")
    if rejets is not None and rejets.is_dir():
        _refuse(f"--rejets « {rejets} » : c'est un dossier, il faut le chemin d'un fichier .csv")
    if rejets is not None and not rejets.parent.is_dir():
        _refuse(f"--rejets : le dossier « {rejets.parent} » n'existe pas")
    return _with_services(database_url, lambda services: _import(services, file, content, mappings, dry_run,
                                                                 rejets, max_bytes))


def _told(database_url: str | None, action: Callable[[Services], str]) -> int:
    """Run an account or token command and print what it says; a broken rule is one French line and exit 1."""
    from domain.accounts import AccountInputError

    def run(services: Services) -> int:
        try:
            click.echo(action(services))
        except AccountInputError as refused:
            click.echo(f"Erreur : {refused}", err=True)
            return 1
        return 0

    return _with_services(database_url, run)


def _password(from_stdin: bool) -> str:
    """The new password: typed twice, hidden, or one line of standard input (for scripts; never an argument,
    which other users of the machine could read in the process list)."""
    if from_stdin:
        return click.get_text_stream("stdin").readline().rstrip("\r\n")
    return click.prompt("Mot de passe", hide_input=True, confirmation_prompt="Encore une fois")


def _described(account: Account) -> str:
    state = "actif" if account.active else "désactivé"
    return f"{account.login}  {account.display_name}  {account.role.value}  {state}  {account.email or 'sans e-mail'}"


stdin_option = click.option("--mot-de-passe-stdin", "from_stdin", is_flag=True,
                            help="lit le mot de passe sur l'entrée standard (une ligne) au lieu de le demander")


@crm.group("users", cls=_Group, invoke_without_command=True, subcommand_metavar="COMMANDE [ARGUMENTS]...",
           help="Les comptes de l'équipe (AUTH=on) et leurs adresses e-mail (le point du jour) : add, list, "
                "disable, enable, set-role, set-email, reset-password.")
@click.pass_context
def users(ctx: click.Context) -> None:
    """The accounts' group; without a subcommand it refuses in French."""
    _command_required(ctx, users)


@users.command("add", help="Crée un compte. Le rôle : admin, commercial (ses deals : ceux à son nom) ou lecture.")
@click.argument("login", metavar="IDENTIFIANT", help="l'identifiant de connexion (un e-mail par exemple)")
@click.option("--nom", metavar="NOM", help="le nom affiché (obligatoire) ; pour un commercial, celui des deals "
                                            "dont il est le commercial")
@click.option("--role", metavar="RÔLE", help="admin, commercial ou lecture (obligatoire)")
@click.option("--email", metavar="ADRESSE", help="son adresse e-mail, où va le point du jour (crm digest)")
@stdin_option
@database_option
def users_add(login: str, nom: str | None, role: str | None, email: str | None, from_stdin: bool,
              database_url: str | None) -> int:
    """The first account of a team is an admin made here. (`--nom` and `--role` are checked here: Click would
    mark them "[required]" in English in the help.)"""
    for option, value in (("--nom", nom), ("--role", role)):
        if not value:
            raise FrenchUsageError(f"l'option {option} est obligatoire", click.get_current_context())
    password = _password(from_stdin)
    return _told(database_url, lambda services: "Compte créé : "
                 f"{_described(services.accounts.add(login, str(nom), str(role), password, email))}")


@users.command("list", help="Liste les comptes : identifiant, nom, rôle, état, adresse e-mail.")
@database_option
def users_list(database_url: str | None) -> int:
    return _told(database_url, lambda services: "\n".join(map(_described, services.accounts.all())) or "Aucun compte.")


@users.command("disable", help="Désactive un compte : il ne peut plus se connecter (son historique reste).")
@click.argument("login", metavar="IDENTIFIANT", help="le compte à désactiver")
@database_option
def users_disable(login: str, database_url: str | None) -> int:
    return _told(database_url, lambda services: f"Compte désactivé : {_described(services.accounts.disable(login))}")


@users.command("enable", help="Réactive un compte désactivé (même rôle, même mot de passe).")
@click.argument("login", metavar="IDENTIFIANT", help="le compte à réactiver")
@database_option
def users_enable(login: str, database_url: str | None) -> int:
    return _told(database_url, lambda services: f"Compte réactivé : {_described(services.accounts.enable(login))}")


@users.command("set-role", help="Change le rôle d'un compte (admin, commercial ou lecture).")
@click.argument("login", metavar="IDENTIFIANT", help="le compte")
@click.argument("role", metavar="RÔLE", help="admin, commercial ou lecture")
@database_option
def users_set_role(login: str, role: str, database_url: str | None) -> int:
    return _told(database_url, lambda services: f"Rôle changé : {_described(services.accounts.set_role(login, role))}")


@users.command("set-email", help="Change l'adresse e-mail d'un compte, où va le point du jour (crm digest) ; "
                                 "une adresse vide (\"\") la retire.")
@click.argument("login", metavar="IDENTIFIANT", help="le compte")
@click.argument("email", metavar="ADRESSE", help="la nouvelle adresse, ou \"\" pour la retirer")
@database_option
def users_set_email(login: str, email: str, database_url: str | None) -> int:
    return _told(database_url, lambda services: "Adresse changée : "
                 f"{_described(services.accounts.set_email(login, email))}")


@users.command("reset-password", help="Donne un nouveau mot de passe à un compte.")
@click.argument("login", metavar="IDENTIFIANT", help="le compte")
@stdin_option
@database_option
def users_reset_password(login: str, from_stdin: bool, database_url: str | None) -> int:
    password = _password(from_stdin)
    return _told(database_url, lambda services: "Mot de passe changé : "
                 f"{_described(services.accounts.reset_password(login, password))}")


def _token_line(token: ApiToken) -> str:
    from domain.formatting import moment

    used = f"utilisé le {moment(token.last_used_at)}" if token.last_used_at else "jamais utilisé"
    state = "révoqué" if token.revoked else "actif"
    return f"n° {token.id}  {token.login}  « {token.label} »  créé le {moment(token.created_at)}  {used}  {state}"


def _created(token: ApiToken, secret: str) -> str:
    """The new token and its secret: the only time anyone sees it."""
    return (f"Jeton créé : {_token_line(token)}\n{secret}\n"
            "Ce secret ne sera plus jamais affiché : copiez-le maintenant (un jeton perdu se révoque et se refait).\n"
            f"Envoyez-le dans l'en-tête HTTP de chaque requête à l'API : Authorization: Bearer {secret}")


@crm.group("tokens", cls=_Group, invoke_without_command=True, subcommand_metavar="COMMANDE [ARGUMENTS]...",
           short_help="Les jetons de l'API REST : create, list, revoke.",
           help="Les jetons de l'API REST (un jeton agit avec le rôle de son compte) : create, list, revoke.")
@click.pass_context
def tokens(ctx: click.Context) -> None:
    """The API tokens' group; without a subcommand it refuses in French."""
    _command_required(ctx, tokens)


@tokens.command("create", help="Crée un jeton d'API pour un compte actif et affiche son secret, une seule fois.")
@click.argument("login", metavar="IDENTIFIANT", help="le compte au nom duquel le jeton agira")
@click.option("--libelle", metavar="TEXTE", help="à quoi sert le jeton, 100 caractères au plus (obligatoire)")
@database_option
def tokens_create(login: str, libelle: str | None, database_url: str | None) -> int:
    """(`--libelle` is checked here, like `users add`'s options: Click would say "[required]" in English.)"""
    if libelle is None:
        raise FrenchUsageError("l'option --libelle est obligatoire", click.get_current_context())
    return _told(database_url, lambda services: _created(*services.tokens.create(login, libelle)))


@tokens.command("list", help="Liste les jetons (tous, ou ceux d'un compte) : n°, compte, libellé, dates, état.")
@click.argument("login", metavar="[IDENTIFIANT]", required=False, help="seulement les jetons de ce compte")
@database_option
def tokens_list(login: str | None, database_url: str | None) -> int:
    return _told(database_url, lambda services: "\n".join(map(_token_line, services.tokens.all(login)))
                 or "Aucun jeton.")


@tokens.command("revoke", help="Révoque un jeton : il n'ouvre plus l'API (il reste dans la liste).")
@click.argument("token_id", metavar="NUMÉRO", type=int, help="le n° du jeton (crm tokens list)")
@database_option
def tokens_revoke(token_id: int, database_url: str | None) -> int:
    return _told(database_url, lambda services: f"Jeton révoqué : {_token_line(services.tokens.revoke(token_id))}")


def _smtp_reason(error: Exception) -> str:
    """Why the mail server did not take the digest, in French (its own reply may be English or empty)."""
    import smtplib
    import ssl

    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "identifiant ou mot de passe refusé (SMTP_USER, SMTP_PASSWORD)"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "le serveur ne propose pas STARTTLS ou la connexion (SMTP_STARTTLS, SMTP_USER)"
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return "adresse refusée par le serveur"
    if isinstance(error, ssl.SSLError):
        return "échec du chiffrement TLS"
    if isinstance(error, TimeoutError):
        return "pas de réponse"
    if isinstance(error, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(error, smtplib.SMTPException):
        return f"refus du serveur ({type(error).__name__})"
    return f"serveur injoignable (errno {getattr(error, 'errno', None)})"


def _address(value: str) -> str:
    """One recipient of `--to`: a single address, not a list (the shell would not split it either), by the rule
    of an account's address."""
    from domain.accounts import AccountInputError, clean_email

    try:
        return clean_email(value)
    except AccountInputError:
        _refuse(f"--to attend une adresse e-mail, pas « {value} »")


# The three ways to say who receives the digest, in the order `crm digest` looks at them.
RECIPIENT_WAYS = ("--to ADRESSE, DIGEST_TO, ou une adresse e-mail sur un compte actif (crm users set-email "
                  "IDENTIFIANT ADRESSE)")


def _digest(services: Services, settings: Settings, chosen: tuple[str, ...], dry_run: bool) -> int:
    """Compose today's digest; print it (`--dry-run`) or send it, and say to whom: `chosen` (--to, else
    DIGEST_TO), else the active accounts' addresses."""
    import smtplib

    from data.clock import today
    from domain import formatting
    from domain.digest import subject
    from domain.digest_render import html_part, text_part
    from services import mailer
    from services.digest import build_digest

    recipients = chosen or tuple(services.accounts.recipients())
    if not recipients and not dry_run:
        click.echo(f"Erreur : aucun destinataire : {RECIPIENT_WAYS}.", err=True)
        return 1
    digest = build_digest(services.reads, services.engine, today(), settings.public_url)
    sender = settings.smtp_from or settings.smtp_user
    if dry_run:
        server = f"{settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else "aucun serveur (SMTP_HOST)"
        click.echo(f"Envoi simulé, rien n'est envoyé. De : {sender or 'aucun expéditeur (SMTP_FROM)'} ; "
                   f"à : {', '.join(recipients) or f'personne ({RECIPIENT_WAYS})'} ; par : {server}.\n"
                   f"Objet : {subject(digest)}\n\n{text_part(digest)}", nl=False)
        return 0
    message = mailer.compose(sender, recipients, subject(digest), text_part(digest), html_part(digest))
    server = mailer.SmtpServer(settings.smtp_host, settings.smtp_port, settings.smtp_starttls, settings.smtp_user,
                               settings.smtp_password)
    try:
        mailer.send(server, message)
    except (OSError, smtplib.SMTPException) as error:
        click.echo(f"Erreur : le point du jour n'a pas pu être envoyé par {server.host}:{server.port} : "
                   f"{_smtp_reason(error)}.", err=True)
        return 1
    click.echo(f"Point du {formatting.day(digest.today)} envoyé à {', '.join(recipients)}.")
    return 0


@crm.command("digest", short_help="Envoie le point du jour par e-mail.",
             help="Envoie par e-mail (texte et HTML) le point du jour : les échéances des 7 prochains jours, les "
                  "deals en retard, les deals froids et les changements d'hier, chacun avec le lien de sa vue du "
                  "tableau de bord (PUBLIC_URL). Destinataires : --to, sinon DIGEST_TO, sinon l'adresse e-mail de "
                  "chaque compte actif. Serveur d'envoi : SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USER, "
                  "SMTP_PASSWORD, SMTP_FROM (voir .env.example).",
             epilog="Code de sortie 1 quand l'envoi n'est pas réglé (SMTP_HOST, destinataires) ou a échoué.")
@click.option("--to", "recipients", metavar="ADRESSE", multiple=True,
              help="un destinataire ; répétable (par défaut : DIGEST_TO, sinon l'adresse e-mail de chaque compte "
                   "actif, crm users set-email)")
@click.option("--dry-run", is_flag=True, help="affiche l'e-mail (sa partie texte) et à qui il irait, sans l'envoyer")
@database_option
def digest(recipients: tuple[str, ...], dry_run: bool, database_url: str | None) -> int:
    """What is missing to send is said before the database is opened, but the accounts' addresses, which are in
    it."""
    settings = _settings()
    chosen = tuple(dict.fromkeys(map(_address, recipients))) or settings.digest_to
    missing = [] if dry_run else [
        sentence for sentence, lacking in (
            ("l'envoi d'e-mails n'est pas réglé : indiquez le serveur SMTP (SMTP_HOST, et selon lui SMTP_PORT, "
             "SMTP_STARTTLS, SMTP_USER, SMTP_PASSWORD) dans .env ou l'environnement ; --dry-run montre l'e-mail "
             "sans l'envoyer", not settings.smtp_host),
            ("aucun expéditeur : SMTP_FROM (ou SMTP_USER)", not (settings.smtp_from or settings.smtp_user)),
        ) if lacking]
    if missing:
        click.echo(f"Erreur : {missing[0]}.", err=True)
        return 1
    return _with_services(database_url, lambda services: _digest(services, settings, chosen, dry_run))


def _backed_up(services: Services, file: Path, force: bool) -> int:
    from domain.errors import BackupError
    from services import backups

    try:
        backups.backup(services.engine, file, replace=force)
    except BackupError as refused:
        click.echo(f"Erreur : {refused.message}.", err=True)
        return 1
    except OSError as error:
        click.echo(f"Erreur : impossible d'écrire « {file} » : {_os_reason(error)}.", err=True)
        return 1
    click.echo(f"Sauvegarde de {_shown(services)} écrite dans {file}. Pour y revenir : crm restore {file}")
    return 0


def _confirmed(services: Services, file: Path) -> bool:
    """The user's "oui" to replacing everything (the cron of a restore passes --yes; without a terminal the
    question ends the command, with nothing changed)."""
    answer = click.prompt(f"Toutes les données de {_shown(services)} vont être remplacées par celles de {file}. "
                          "Tapez oui pour continuer", default="", show_default=False,
                          prompt_suffix=" : ")
    return answer.strip().lower() in {"oui", "o"}


def _restored(services: Services, file: Path, yes: bool) -> int:
    from domain.errors import BackupError

    try:
        restored = services.writes.restore_backup(file, lambda: yes or _confirmed(services, file))
    except BackupError as refused:
        click.echo(f"Erreur : {refused.message}. La base n'a pas été modifiée.", err=True)
        return 1
    except OSError as error:
        click.echo(f"Erreur : « {file} » : {_os_reason(error)}. La base n'a pas été modifiée.", err=True)
        return 1
    if not restored:
        click.echo("Restauration annulée : la base n'a pas été modifiée.", err=True)
        return 1
    click.echo(f"Base {_shown(services)} restaurée depuis {file}.")
    return 0


@crm.command("backup", short_help="Sauvegarde toute la base dans un fichier.",
             help="Sauvegarde toute la base dans FICHIER, même pendant que le tableau de bord s'en sert : "
                  "SQLite par son API de sauvegarde en ligne, PostgreSQL par pg_dump (archive --format=custom). "
                  "Un fichier qui existe déjà est gardé, sauf avec --force.",
             epilog="Code de sortie 1 quand la sauvegarde n'a pas pu être écrite (aucun fichier n'est alors laissé "
                    "à moitié écrit).")
@click.argument("file", metavar="FICHIER", type=Path,
                help="le fichier à écrire, par exemple sauvegardes/crm-2026-11-21.sauvegarde")
@click.option("--force", is_flag=True, help="remplace FICHIER s'il existe (une fois la nouvelle sauvegarde complète)")
@database_option
def backup(file: Path, force: bool, database_url: str | None) -> int:
    """Refuses to overwrite by default: a cron line that lost its date, or a typo, must not replace the one good
    backup."""
    return _with_services(database_url, lambda services: _backed_up(services, file, force), migrate=False)


@crm.command("restore", short_help="Remplace toute la base par une sauvegarde.",
             help="Remplace toutes les données de la base par celles de FICHIER (écrit par crm backup), en une "
                  "seule fois : un fichier qui n'est pas une sauvegarde complète de cette base (SQLite ou "
                  "PostgreSQL) est refusé et rien n'est changé. Une sauvegarde plus ancienne est ensuite mise au "
                  "schéma actuel. Demande confirmation, sauf avec --yes.",
             epilog="Code de sortie 1 quand le fichier est refusé, la restauration a échoué ou a été annulée : la "
                    "base est alors inchangée.")
@click.argument("file", metavar="FICHIER", type=Path, help="la sauvegarde à restaurer")
@click.option("--yes", is_flag=True, help="ne demande pas de confirmation (pour un script)")
@database_option
def restore(file: Path, yes: bool, database_url: str | None) -> int:
    """Asks first: everything in the database is replaced, and the question is asked once the file is known
    good."""
    return _with_services(database_url, lambda services: _restored(services, file, yes), migrate=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `crm` on `argv` (default: the process's arguments) and return the exit code, for tests and scripts."""
    try:
        return crm.main(args=None if argv is None else list(argv), prog_name=PROG, standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"Erreur : {french(error, error.ctx)}", err=True)
        if error.ctx is not None:
            click.echo(f"{error.ctx.get_usage()}\nAide : {error.ctx.command_path} --help", err=True)
        return 2
    except click.Abort:
        click.echo("Interrompu.", err=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
