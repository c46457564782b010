"""What `load_reference_data` last wrote to each taxonomy record, so that a later run can tell a
value changed here (kept) from one it wrote itself (updated from the file)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("news", "0007_search_storage_related_indexes")]

    operations = [
        migrations.CreateModel(
            name="ReferenceSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "model",
                    models.CharField(
                        help_text='e.g. "structures.structure"',
                        max_length=100,
                        verbose_name="model",
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text='The slug, ISO code or year the file names the record by, e.g. "odihr".',
                        max_length=300,
                        verbose_name="key in the file",
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField(verbose_name="record")),
                ("values", models.JSONField(default=dict, verbose_name="values loaded")),
            ],
            options={
                "verbose_name": "reference data snapshot",
                "verbose_name_plural": "reference data snapshots",
                "ordering": ["model", "key"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("model", "key"), name="unique_reference_snapshot"
                    )
                ],
            },
        ),
    ]
