"""``satchel adopt``: bring an existing Connexion service aboard, its handlers untouched."""
