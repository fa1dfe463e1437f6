"""The admin in German: a German browser (``Accept-Language: de`` through ``LocaleMiddleware``)
reads the package's pages, actions and messages in German, with no English left on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

import django_vonage_meetings
from django_vonage_meetings import services
from django_vonage_meetings.models import WebhookEvent
from django_vonage_meetings.simulator import controls

from .visible import english_leftovers

ROOMS = "/admin/vonage_meetings/room/"
EVENTS = "/admin/vonage_meetings/webhookevent/"
GERMAN = Path(django_vonage_meetings.__file__).parent / "locale/de/LC_MESSAGES/django.po"


@pytest.fixture
def browser_in(simulator_settings, superuser, client, with_locale_middleware):
    """The admin, logged in, in a browser asking for ``language``."""

    def make(language: str):
        client.force_login(superuser)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make


@pytest.fixture
def german(browser_in):
    return browser_in("de")


def long_term_room(name: str):
    return services.create_room(
        {
            "display_name": name,
            "type": "long_term",
            "expires_at": timezone.now() + dt.timedelta(days=3),
        }
    )


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Language"] == client.defaults["HTTP_ACCEPT_LANGUAGE"]
    return response.content.decode()


def test_room_changelist_in_german(german):
    services.create_room({"display_name": "Kurzes Treffen"})
    long_term_room("Vorstand")
    html = page(german, ROOMS)
    for text in (
        "Raum zur Änderung auswählen",  # the model's verbose name, in Django's own sentence
        "Von Vonage aktualisieren",
        "Callback-URLs neu ausstellen (nach einem Schlüsselwechsel)",
        "Jetzt synchronisieren",
        "Link für Gastgeber",
        "Als Gastgeber öffnen",
        "Als Gast öffnen",
        "Sofort",
        "Dauerhaft",
        "Zutrittsfreigabe",  # a filter
    ):
        assert text in html, text
    for text in ("room zur Änderung auswählen", "Refresh from Vonage", "Sync now", "Host link"):
        assert text not in html, text
    assert english_leftovers(html, GERMAN) == []


def test_long_term_room_change_page_in_german(german):
    room = long_term_room("Vorstand")
    html = page(german, f"{ROOMS}{room.pk}/change/")
    for text in (
        "Änderbar",
        "Zutrittsfreigabe",
        "Mikrofon beim Beitreten",
        "Funktionen",
        "Sprachauswahl",
        "Aufnahmeoptionen",
        "keine (es gelten die Callback-URLs der Anwendung)",
        "Callback-URL für Sitzungen",
        "Rohdaten",
        "Jeder mit dem Link",
    ):
        assert text in html, text
    for text in ("Changeable", "Features", "Raw payload", "Anyone with the link"):
        assert text not in html, text
    assert english_leftovers(html, GERMAN) == []


def test_instant_room_change_page_in_german(german):
    room = services.create_room({"display_name": "Kurzes Treffen"})
    html = page(german, f"{ROOMS}{room.pk}/change/")
    assert "Sofort-Räume können bei Vonage nicht geändert werden" in html
    assert "Instant rooms cannot be changed on Vonage" not in html
    assert english_leftovers(html, GERMAN) == []


def test_webhook_event_list_in_german(german):
    WebhookEvent.objects.create(
        event_type="session:started",
        dedupe_key="k",
        status="failed",
        payload={"event": "session:started", "session_id": "s-1", "room_id": "r"},
    )
    html = page(german, EVENTS)
    for text in (
        "Webhook-Ereignis zur Änderung auswählen",
        "Ereignistyp",
        "Ausgewählte Ereignisse erneut verarbeiten",
        "Fehlgeschlagen",
        "Verarbeitungsversuche",
    ):
        assert text in html, text
    assert "Reprocess selected events" not in html
    assert english_leftovers(html, GERMAN) == []


def test_sync_now_reports_in_german(german, simulator_settings):
    controls.seed(simulator_settings.application_id, 3, themes=1)
    response = german.post(f"{ROOMS}sync/")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Synchronisiert: Designs: 1 erstellt, 0 aktualisiert, 0 unverändert; "
        "Räume: 3 erstellt, 0 aktualisiert, 0 unverändert."
    ]


@pytest.mark.parametrize(
    ("language", "action", "button"),
    [
        ("de", "Von Vonage aktualisieren", "Jetzt synchronisieren"),
        ("fr", "Actualiser depuis Vonage", "Synchroniser maintenant"),
        ("es", "Actualizar desde Vonage", "Sincronizar ahora"),
    ],
)
def test_each_shipped_language_reaches_the_admin(browser_in, language, action, button):
    html = page(browser_in(language), ROOMS)
    assert action in html
    assert button in html
