"""Every mirrored row belongs to an application.

Existing rows go to the application the settings name as default (``APPLICATION_ID``, or the
default one of ``APPLICATIONS``); themes keep the application id the API gave them. When the
settings name none at migration time, the only application id the data knows is used, else the
embedded simulator's provisioned one, else ``unassigned`` (an ``Application`` row of that id is
made, so the rows stay visible; ``meetings_adopt_rows`` moves them).
"""

import django.db.models.deletion
from django.core.exceptions import FieldError
from django.db import migrations, models

import django_vonage_meetings.models.base

MIRRORED = ("theme", "room", "dialinnumber", "session", "participant", "recording")
PLACEHOLDER = "unassigned"


def _configured_default():
    from django.conf import settings

    raw = getattr(settings, "VONAGE_MEETINGS", None) or {}
    if not isinstance(raw, dict):
        return None, "default"
    applications = raw.get("APPLICATIONS")
    if isinstance(applications, dict) and applications:
        name = raw.get("DEFAULT_APPLICATION") or "default"
        keys = applications.get(name)
        value = keys.get("APPLICATION_ID") if isinstance(keys, dict) else None
    else:
        name, value = "default", raw.get("APPLICATION_ID")
    return (value.strip() if isinstance(value, str) and value.strip() else None), name


def _simulated_default(apps):
    try:
        simulated = apps.get_model("vonage_meetings_simulator", "Application")
        row = simulated.objects.filter(provisioned_as="default").first()
    except (LookupError, FieldError):  # no simulator, or one without provisioning yet
        return None
    return row.application_id if row else None


def assign(apps, schema_editor):
    Application = apps.get_model("vonage_meetings", "Application")
    Theme = apps.get_model("vonage_meetings", "Theme")
    models_ = [apps.get_model("vonage_meetings", name) for name in MIRRORED]
    event = apps.get_model("vonage_meetings", "WebhookEvent")
    if not any(model.objects.exists() for model in [*models_, event]):
        return
    theme_ids = sorted(
        set(
            Theme.objects.exclude(api_application_id="").values_list(
                "api_application_id", flat=True
            )
        )
    )
    for app_id in theme_ids:
        Application.objects.get_or_create(vonage_id=app_id)
        Theme.objects.filter(api_application_id=app_id).update(application_id=app_id)
    configured, name = _configured_default()
    known = sorted(set(theme_ids) | set(Application.objects.values_list("vonage_id", flat=True)))
    default = (
        configured
        or (known[0] if len(known) == 1 else None)
        or _simulated_default(apps)
        or PLACEHOLDER
    )
    row, _ = Application.objects.get_or_create(vonage_id=default)
    if (
        default != PLACEHOLDER
        and not row.name
        and not Application.objects.filter(name=name).exists()
    ):
        row.name = name
        row.save(update_fields=["name"])
    for model in [*models_, event]:
        model.objects.filter(application_id__isnull=True).update(application_id=default)


def fk(null=False, default=django_vonage_meetings.models.base.default_application_id):
    # Added nullable and without a default (existing rows must stay NULL until assign() gives
    # each its owner), then made NOT NULL with the default new rows take.
    options = {} if null else {"default": default}
    return models.ForeignKey(
        db_constraint=False,
        null=null,
        blank=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="%(class)ss",
        to="vonage_meetings.application",
        to_field="vonage_id",
        verbose_name="application",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("vonage_meetings", "0003_webhook_event_jti_and_lean_indexes"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="application",
            options={
                "ordering": ["name", "vonage_id"],
                "verbose_name": "application",
                "verbose_name_plural": "applications",
            },
        ),
        migrations.AddField(
            model_name="application",
            name="name",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Its key in VONAGE_MEETINGS['APPLICATIONS'] ('default' for a single one).",
                max_length=100,
                verbose_name="name in settings",
            ),
        ),
        # The API's application id of a theme becomes its foreign key (same column name).
        migrations.RenameField(
            model_name="theme", old_name="application_id", new_name="api_application_id"
        ),
        *[
            migrations.AddField(model_name=name, name="application", field=fk(null=True))
            for name in MIRRORED
        ],
        migrations.AddField(
            model_name="webhookevent",
            name="application",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="webhook_events",
                to="vonage_meetings.application",
                to_field="vonage_id",
                verbose_name="application",
            ),
        ),
        migrations.RunPython(assign, migrations.RunPython.noop),
        migrations.RemoveField(model_name="theme", name="api_application_id"),
        # NOT NULL in two steps. Making a column NOT NULL evaluates its default (SQLite copies
        # the table with COALESCE, PostgreSQL sets a default while it fills NULLs), and the
        # models' default asks the settings, which with SIMULATE provisions an application in the
        # simulator's tables: those may not exist yet on a fresh database. assign() has filled
        # every row, so a constant serves that step, and the models' default follows alone.
        *[
            migrations.AlterField(
                model_name=name,
                name="application",
                field=fk(default=PLACEHOLDER),
                preserve_default=False,
            )
            for name in MIRRORED
        ],
        *[
            migrations.AlterField(model_name=name, name="application", field=fk())
            for name in MIRRORED
        ],
        migrations.AlterField(
            model_name="dialinnumber",
            name="vonage_id",
            field=models.CharField(max_length=64, verbose_name="number"),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("name", ""), _negated=True),
                fields=("name",),
                name="vm_application_name",
            ),
        ),
        migrations.AddConstraint(
            model_name="dialinnumber",
            constraint=models.UniqueConstraint(
                fields=("application", "vonage_id"), name="vm_dialinnumber_per_application"
            ),
        ),
    ]
