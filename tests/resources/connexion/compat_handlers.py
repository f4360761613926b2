"""Handlers written the Connexion way, for tests/connexion/test_compat.py."""

from flask import Response

from satchel.api.connexion_compat import NoContent, ProblemException, problem


def get_item(item_id, filter_=None, page_size=None):
    return {"item_id": item_id, "filter": filter_, "page_size": page_size}


def controlled():
    return "controlled"


def create_thing(thing):
    return thing, 201, {"Location": "/things/1"}


def everything(**kwargs):
    return {"keywords": sorted(kwargs), "body": kwargs.get("body")}


def returns(kind):
    answers = {
        "no-content": lambda: (NoContent, 202),
        "problem": lambda: problem(418, "Teapot", "short and stout", ext={"spout": 1}),
        "flask": lambda: Response("raw", 203, mimetype="text/csv"),
        "text-headers": lambda: ("hi", {"X-A": "1"}),
        "none": lambda: None,
        "list": lambda: [1, 2],
    }
    if kind == "raise":
        raise ProblemException(status=409, title="Conflict", detail="taken")
    return answers[kind]()


def secret(user, token_info, context_):
    return {"user": user, "token_info": token_info, "context": sorted(context_)}


def scoped(user):
    return {"user": user}


def key_info(key, required_scopes):
    return {"sub": "key-user", "scopes": required_scopes} if key == "good" else None


def basic_info(username, password):
    return {"uid": username} if password == "pw" else None


def token_info(token):
    return {"sub": "oauth-user", "scope": token.split(",")} if token != "bad" else None


def form_fields(name, count=None):
    return {"name": name, "count": count}


async def asynchronous():
    return {}


class CountersView:
    """What MethodResolver serves for /counters (one instance, built with class_arguments)."""

    def __init__(self, start=0):
        self.count = start

    def post(self):
        self.count += 1
        return {"count": self.count}


def both(token_info):
    return {"token_info": token_info}


def upload(body, file, files=None):
    return {
        "fields": body,
        "file": [file.filename, file.read().decode()],
        "files": [f.filename for f in files or []],
    }
