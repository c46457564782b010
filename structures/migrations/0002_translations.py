"""Names of the taxonomy in the official languages (load_reference_data fills them)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('structures', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='formername',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='Names in the other official languages, e.g. {"ru": {"name": "…"}}.', verbose_name='translations'),
        ),
        migrations.AddField(
            model_name='structure',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='Names in the other official languages, e.g. {"ru": {"name": "…"}}.', verbose_name='translations'),
        ),
    ]
