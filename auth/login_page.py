"""The sign-in page: plain HTML in French, served by Flask (no Dash: nothing of the dashboard loads before a
session exists). Every text put in it is escaped."""

from __future__ import annotations

from markupsafe import escape

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connexion · Tableau de bord CRM</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f5f6f8; margin: 0; }}
main {{ max-width: 360px; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: .5rem;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.25rem; margin: 0 0 1.25rem; }}
label {{ display: block; font-size: .9rem; margin: .75rem 0 .25rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; border: 1px solid #ced4da;
         border-radius: .25rem; }}
button {{ margin-top: 1.25rem; width: 100%; padding: .6rem; font-size: 1rem; background: #0d6efd; color: #fff;
          border: 0; border-radius: .25rem; cursor: pointer; }}
.message {{ background: #f8d7da; color: #842029; padding: .6rem .75rem; border-radius: .25rem; font-size: .9rem; }}
</style></head>
<body><main>
<h1>Tableau de bord CRM</h1>
{message}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label for="login">Identifiant</label>
<input id="login" name="login" autocomplete="username" required autofocus value="{login}">
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Se connecter</button>
</form>
</main></body></html>
"""


def login_page(message: str = "", login: str = "", next_path: str = "/") -> str:
    """The page, with an optional message (wrong credentials, too many tries, session ended)."""
    shown = f'<p class="message" role="alert" id="login-message">{escape(message)}</p>' if message else ""
    return PAGE.format(message=shown, login=escape(login), next=escape(next_path))
