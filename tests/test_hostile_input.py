"""No input gives a 500: every URL pattern, as every persona, with hostile query strings
and form values (unicode digits, a lone surrogate, huge numbers, empty values, repeated
parameters), answers with something other than a server error."""

import re
import time
from pathlib import Path
from urllib.parse import quote, unquote

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.personas import Personas

ROOT = Path(__file__).resolve().parents[1]
APPS = ("capture_portal", "cards_app", "payments_app", "sessions_app")

# Each value stands for a family: a digit int() refuses ("²", as "𐩀"), a lone surrogate
# (invalid UTF-8 once encoded), a NUL (which PostgreSQL refuses in text), more digits
# than any database integer, an empty value, a formula.
HOSTILE = ["²", "%ED%A0%80", "a%00b", "99999999999999999999", "", "=1+1"]


def parameter_names() -> list[str]:
    """Return every query and form parameter the apps read, found in their source."""
    names = set()
    request_get = re.compile(r'request\.(?:GET|POST)(?:\.get|\.getlist)?[(\[]\s*"(\w+)"')
    form_field = re.compile(r"^\s+(\w+) = forms\.\w+", re.M)
    model_fields = re.compile(r"fields = \[([^\]]*)\]")
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            names.update(request_get.findall(source))
            if path.name == "forms.py":
                names.update(form_field.findall(source))
                for listed in model_fields.findall(source):
                    names.update(re.findall(r'"(\w+)"', listed))
    return sorted(names)


def url_patterns(resolver=None, prefix="") -> list[tuple[str, URLPattern]]:
    """Return (route, pattern) of every URL pattern but the admin's (Django's own)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            found.extend(url_patterns(entry, route))
        else:
            found.append((route, entry))
    return found


class NoServerErrorTests(Personas):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from sessions_app.shootday import services as shootday
        from tests.sessions_app.shootday.factories import at, make_photographed

        # A taken number and a 学信网 answer give the desk and follow-up pages rows.
        make_photographed(cls.student, by=cls.crew, when=at("2018-11-11", "10:35"))
        shootday.chsi_check_confirm(student=cls.student, ok=False, problem="年份", by=cls.staff)

    def url_of(self, route: str) -> str:
        """Return a route with each id a real row of its kind and each word "x"."""
        rows = {"campaign": self.campaign, "student": self.student, "slot": self.slot}

        def real(match):
            converter, name = match.group(1), match.group(2)
            if converter != "int":
                return "x"
            kind = next((k for k in rows if k in name), None)
            return str(rows[kind].pk if kind else self.school_class.pk)

        return "/" + re.sub(r"<(\w+):(\w+)>", real, route)

    def edges_of(self, route: str) -> list[str]:
        """Return the route with ids past the database's integer and hostile words."""
        if "<" not in route:
            return []
        return [
            "/" + re.sub(r"<int:\w+>", "99999999999999999999", re.sub(r"<str:\w+>", "x", route)),
            "/" + re.sub(r"<str:\w+>", quote("²/../a", safe=""), re.sub(r"<int:\w+>", "1", route)),
        ]

    def test_no_url_answers_a_server_error_to_any_persona(self):
        names = parameter_names()
        self.assertGreater(len(names), 30)
        routes = url_patterns()
        self.assertGreater(len(routes), 60)
        clients = {}
        for persona, user in self.personas().items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            clients[persona] = client
        campaign = str(self.campaign.pk)
        queries = []
        for value in HOSTILE:
            raw = value if "%" in value else quote(value)
            everything = "&".join("%s=%s" % (n, raw) for n in names)
            queries.append(everything)
            # With a valid campaign the page gets past it to the other parameters.
            queries.append("campaign=%s&%s" % (campaign, everything.replace("campaign=", "c=")))
        queries.append("&".join("%s=1&%s=2" % (n, n) for n in names))  # arrays
        forms = [{n: unquote(value) for n in names} for value in HOSTILE if "%ED" not in value]
        forms.append({n: [campaign, "²"] for n in names})
        # A lone surrogate can only travel as the bytes it would encode to.
        forms.append("&".join("%s=%%ED%%A0%%80" % n for n in names))

        failures, requests, began = [], 0, time.monotonic()

        def walk(url, persona, queries, forms):
            nonlocal requests
            client = clients[persona]
            for query in queries:
                response = client.get("%s?%s" % (url, query))
                requests += 1
                if response.status_code >= 500:
                    failures.append(("GET", persona, url, query[:80]))
            for data in forms:
                if isinstance(data, str):
                    response = client.post(
                        url, data, content_type="application/x-www-form-urlencoded"
                    )
                else:
                    response = client.post(url, data)
                requests += 1
                if response.status_code >= 500:
                    failures.append(("POST", persona, url, str(data)[:80]))

        for route, _pattern in routes:
            for persona in clients:
                walk(self.url_of(route), persona, queries, forms)
            for url in self.edges_of(route):
                for persona in ("anonymous", "staff"):
                    walk(url, persona, queries[:1], forms[:1])
        print(
            "\nhostile walk: %d routes, %d personas, %d GET + %d POST inputs, %d requests, "
            "%d server errors, %.1f s"
            % (
                len(routes),
                len(clients),
                len(queries),
                len(forms),
                requests,
                len(failures),
                time.monotonic() - began,
            )
        )
        self.assertEqual(failures[:20], [])
