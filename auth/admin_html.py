"""The admin page's HTML: plain server-rendered pages in French, styled by the Bootstrap CSS the dashboard
already serves from assets/ (no CDN). Jinja escapes every value put in them (logins, names, addresses,
messages)."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import DictLoader, Environment

from domain.accounts import EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, Account, Role

# Served by Dash from assets/ (the signed-in guard lets it through); a test checks that it answers.
BOOTSTRAP_CSS = "/assets/00-bootstrap-5.3.6.min.css"
ROLE_HINTS = {Role.ADMIN: "admin : tout, dont les comptes",
              Role.COMMERCIAL: "commercial : crée des deals, importe, modifie les deals à son nom",
              Role.LECTURE: "lecture : consulte seulement"}

BASE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Tableau de bord CRM</title>
<link rel="stylesheet" href="{{ bootstrap }}">
</head>
<body class="bg-light"><main class="container py-4" style="max-width: 1100px">
<div class="d-flex flex-wrap align-items-center gap-2 mb-3">
<h1 class="h4 mb-0 me-auto">{{ title }}</h1>
<a href="/" id="admin-back" class="btn btn-sm btn-outline-secondary">Retour au tableau de bord</a>
</div>
{% if message %}<div id="admin-message" role="alert"
 class="alert alert-{{ 'success' if ok else 'danger' }}">{{ message }}</div>{% endif %}
{% block content %}{% endblock %}
</main></body></html>
"""

ACCOUNTS = """{% extends "base" %}
{% macro hidden(action, login="") %}<input type="hidden" name="jeton" value="{{ token }}">
<input type="hidden" name="action" value="{{ action }}">{% if login %}
<input type="hidden" name="identifiant" value="{{ login }}">{% endif %}{% endmacro %}
{% macro passwords(prefix) %}
<input type="password" name="mot_de_passe" class="form-control form-control-sm" autocomplete="new-password"
 minlength="{{ min }}" maxlength="{{ max }}" required aria-label="Nouveau mot de passe"
 placeholder="Nouveau mot de passe" {% if prefix %}id="{{ prefix }}-password"{% endif %}>
<input type="password" name="confirmation" class="form-control form-control-sm" autocomplete="new-password"
 minlength="{{ min }}" maxlength="{{ max }}" required aria-label="Le même, encore une fois"
 placeholder="Encore une fois" {% if prefix %}id="{{ prefix }}-password-again"{% endif %}>
{% endmacro %}
{% block content %}
<div class="card mb-4"><div class="card-body p-0 table-responsive">
<table class="table align-middle mb-0" id="admin-accounts">
<thead><tr><th>Identifiant</th><th>Nom affiché</th><th>Rôle</th><th>État</th><th>E-mail (point du jour)</th>
<th>Mot de passe</th></tr></thead>
<tbody>
{% for account in accounts %}{% set mine = account.login == me %}
<tr data-login="{{ account.login }}">
<td>{{ account.login }}{% if mine %} <span class="badge text-bg-secondary">vous</span>{% endif %}</td>
<td>{{ account.display_name }}</td>
<td>{% if mine %}{{ account.role.value }}{% else %}
<form method="post" class="d-flex gap-1">{{ hidden("role", account.login) }}
<select name="role" class="form-select form-select-sm w-auto" aria-label="Rôle de {{ account.login }}">
{% for role in roles %}<option value="{{ role.value }}"{% if role == account.role %} selected{% endif %}>
{{- role.value }}</option>{% endfor %}</select>
<button type="submit" class="btn btn-sm btn-outline-primary">Changer</button></form>{% endif %}</td>
<td>{% if not account.active %}
<form method="post" class="d-flex align-items-center gap-2">{{ hidden("reactiver", account.login) }}
<span class="badge text-bg-light border">désactivé</span>
<button type="submit" class="btn btn-sm btn-outline-secondary">Réactiver</button></form>
{% elif mine %}actif{% else %}
<form method="post" class="d-flex align-items-center gap-2">{{ hidden("desactiver", account.login) }}actif
<button type="submit" class="btn btn-sm btn-outline-danger">Désactiver</button></form>{% endif %}</td>
<td style="min-width: 14rem"><span class="account-email">{{ account.email or "aucune" }}</span>
<details><summary class="small">Changer</summary>
<form method="post" class="d-flex flex-column gap-1 mt-1">{{ hidden("email", account.login) }}
<input type="email" name="email" class="form-control form-control-sm" autocomplete="off" maxlength="{{ email_max }}"
 value="{{ account.email or '' }}" aria-label="Adresse e-mail de {{ account.login }}" placeholder="vide : aucune">
<button type="submit" class="btn btn-sm btn-outline-primary">Enregistrer</button></form>
</details></td>
<td style="min-width: 12rem"><details><summary class="small">Changer</summary>
<form method="post" class="d-flex flex-column gap-1 mt-1">{{ hidden("mot_de_passe", account.login) }}
{{ passwords("") }}<button type="submit" class="btn btn-sm btn-outline-primary">Enregistrer</button></form>
</details></td>
</tr>
{% endfor %}
</tbody></table></div></div>
<p class="small text-muted">Un compte désactivé ne peut plus se connecter ; il reste dans la liste (réactivable)
et l'historique garde son nom. Vous ne pouvez ni désactiver votre propre compte ni lui retirer le rôle admin : un
autre admin le fait, pour que l'équipe garde toujours un admin.</p>

<div class="card"><div class="card-body">
<h2 class="h6">Ajouter un compte</h2>
<form method="post" id="admin-add" class="row g-2">{{ hidden("ajouter") }}
<div class="col-md-6"><label class="form-label small" for="new-login">Identifiant (un e-mail par exemple)</label>
<input id="new-login" name="identifiant" class="form-control form-control-sm" autocomplete="off" required
 value="{{ typed.identifiant }}"></div>
<div class="col-md-6"><label class="form-label small" for="new-name">Nom affiché</label>
<input id="new-name" name="nom" class="form-control form-control-sm" autocomplete="off" required
 value="{{ typed.nom }}" aria-describedby="new-name-hint">
<div id="new-name-hint" class="form-text">Pour un commercial : le nom inscrit comme commercial sur ses deals.</div>
</div>
<div class="col-md-6"><label class="form-label small" for="new-email">E-mail (facultatif)</label>
<input id="new-email" name="email" type="email" class="form-control form-control-sm" autocomplete="off"
 maxlength="{{ email_max }}" value="{{ typed.email }}" aria-describedby="new-email-hint">
<div id="new-email-hint" class="form-text">Où va le point du jour (crm digest) quand ni --to ni DIGEST_TO ne
le disent.</div></div>
<div class="col-md-6"><label class="form-label small" for="new-role">Rôle</label>
<select id="new-role" name="role" class="form-select form-select-sm">
{% for role in roles %}<option value="{{ role.value }}"{% if role.value == typed.role %} selected{% endif %}>
{{- hints[role] }}</option>{% endfor %}</select></div>
<div class="col-md-12"><label class="form-label small" for="new-password">Mot de passe, deux fois
({{ min }} à {{ max }} caractères)</label>
<div class="d-flex flex-wrap gap-2">{{ passwords("new") }}</div></div>
<div class="col-12"><button type="submit" class="btn btn-sm btn-primary">Créer le compte</button></div>
</form>
</div></div>
{% endblock %}
"""

REFUSED = """{% extends "base" %}{% block content %}{% endblock %}"""

PAGES = Environment(loader=DictLoader({"base": BASE, "accounts": ACCOUNTS, "refused": REFUSED}), autoescape=True)


def accounts_html(accounts: list[Account], me: str, token: str, message: str = "", ok: bool = True,
                  typed: Mapping[str, str] | None = None) -> str:
    """The list with its forms; `typed` refills the new-account form after a refusal (never the passwords)."""
    return PAGES.get_template("accounts").render(
        title="Comptes de l'équipe", bootstrap=BOOTSTRAP_CSS, accounts=accounts, me=me, token=token,
        message=message, ok=ok, typed=typed or {"role": Role.COMMERCIAL.value}, roles=list(Role), hints=ROLE_HINTS,
        min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH, email_max=EMAIL_MAX_LENGTH)


def refused_html(message: str) -> str:
    """A page that only says why (403 for a non-admin, 404 in solo mode), with the way back."""
    return PAGES.get_template("refused").render(title="Comptes de l'équipe", bootstrap=BOOTSTRAP_CSS,
                                                message=message, ok=False)
