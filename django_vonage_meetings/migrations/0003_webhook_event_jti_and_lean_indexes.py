"""A first delivery's jti moves onto its event (one insert fewer per callback), and the event
table sheds the LIKE and single-status indexes nothing reads but every insert maintained.

The unique constraint is added before the field's own unique index is dropped, so the key is
never unguarded.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vonage_meetings", "0002_synced_at_wording"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookevent",
            name="jti",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The jti of the signed token that delivered it first (empty for signed URLs).",
                max_length=255,
                verbose_name="token id",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookevent",
            constraint=models.UniqueConstraint(
                fields=("dedupe_key",), name="vm_webhookevent_dedupe_key"
            ),
        ),
        migrations.AlterField(
            model_name="webhookevent",
            name="dedupe_key",
            field=models.CharField(max_length=64, verbose_name="dedupe key"),
        ),
        migrations.AlterField(
            model_name="webhookevent",
            name="event_type",
            field=models.CharField(max_length=64, verbose_name="event type"),
        ),
        migrations.AlterField(
            model_name="webhookevent",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("processed", "Processed"),
                    ("failed", "Failed"),
                    ("ignored", "Ignored (unknown event type)"),
                ],
                default="received",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddIndex(
            model_name="webhookevent",
            index=models.Index(fields=["event_type"], name="vm_webhookevent_type"),
        ),
    ]
