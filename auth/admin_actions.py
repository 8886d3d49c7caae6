"""What the admin page's forms do, through `services.accounts.Accounts` (which checks every login, name, e-mail
address, role and password and refuses in French). Two rules are the page's own: a new password is typed twice,
and an admin may neither disable their own account nor take away their own admin role (and the service refuses to
leave the team without an active admin, whoever asks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from domain.accounts import Account, AccountInputError, Role, clean_login, parse_role
from services.accounts import Accounts

NOT_THE_SAME = "Les deux mots de passe ne sont pas identiques : rien n'a changé."
NOT_YOURSELF_DISABLED = "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre admin."
NOT_YOURSELF_DEMOTED = "Vous ne pouvez pas retirer votre propre rôle admin : demandez-le à un autre admin."
UNKNOWN_ACTION = "Action inconnue : rien n'a changé."

Form = Mapping[str, str]


def _typed_twice(form: Form) -> str:
    password = form.get("mot_de_passe", "")
    if password != form.get("confirmation", ""):
        raise AccountInputError(NOT_THE_SAME)
    return password


def _is_me(form: Form, me: Account) -> bool:
    return clean_login(form.get("identifiant", "")) == me.login


def add(accounts: Accounts, form: Form, _me: Account) -> str:
    password = _typed_twice(form)
    added = accounts.add(form.get("identifiant", ""), form.get("nom", ""), form.get("role", ""), password,
                         form.get("email", ""))
    return f"Compte créé : {added.login} ({added.display_name}, {added.role.value})."


def set_role(accounts: Accounts, form: Form, me: Account) -> str:
    role = parse_role(form.get("role", ""))
    if role is not Role.ADMIN and _is_me(form, me):
        raise AccountInputError(NOT_YOURSELF_DEMOTED)
    changed = accounts.set_role(form.get("identifiant", ""), role.value)
    return f"Rôle de {changed.login} : {changed.role.value}."


def disable(accounts: Accounts, form: Form, me: Account) -> str:
    if _is_me(form, me):
        raise AccountInputError(NOT_YOURSELF_DISABLED)
    disabled = accounts.disable(form.get("identifiant", ""))
    return f"Compte {disabled.login} désactivé : il ne peut plus se connecter."


def enable(accounts: Accounts, form: Form, _me: Account) -> str:
    enabled = accounts.enable(form.get("identifiant", ""))
    return f"Compte {enabled.login} réactivé : il peut de nouveau se connecter."


def set_email(accounts: Accounts, form: Form, _me: Account) -> str:
    changed = accounts.set_email(form.get("identifiant", ""), form.get("email", ""))
    return (f"Adresse e-mail de {changed.login} : {changed.email}." if changed.email
            else f"Adresse e-mail de {changed.login} retirée.")


def reset_password(accounts: Accounts, form: Form, _me: Account) -> str:
    changed = accounts.reset_password(form.get("identifiant", ""), _typed_twice(form))
    return f"Mot de passe de {changed.login} changé."


ACTIONS: dict[str, Callable[[Accounts, Form, Account], str]] = {
    "ajouter": add, "role": set_role, "desactiver": disable, "reactiver": enable, "email": set_email,
    "mot_de_passe": reset_password}


def act(accounts: Accounts, form: Form, me: Account) -> str:
    """Run the form's action as `me`; the success message, or AccountInputError (nothing changed)."""
    action = ACTIONS.get(form.get("action", ""))
    if action is None:
        raise AccountInputError(UNKNOWN_ACTION)
    return action(accounts, form, me)
