"""Each news item gets a language (English for every item so far) and a translation group of its
own; a translation records its source and the source's version it was saved against. Taxonomy
names get their translations (filled by load_reference_data)."""

import django.db.models.deletion
import languages.registry
import uuid
from django.conf import settings
from django.db import migrations, models


def give_each_item_a_group(apps, schema_editor):
    """A key of its own for every item: a default computed once would put them all in one group."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE news_newsitem SET translation_key = gen_random_uuid()")
        return
    NewsItem = apps.get_model("news", "NewsItem")
    for pk in NewsItem.objects.values_list("pk", flat=True):
        NewsItem.objects.filter(pk=pk).update(translation_key=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ('countries', '0002_translations'),
        ('news', '0008_referencesnapshot'),
        ('structures', '0002_translations'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='fieldofwork',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='Names in the other official languages, e.g. {"ru": {"name": "…"}}.', verbose_name='translations'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='language',
            field=models.CharField(choices=languages.registry.choices, default='en', help_text='The language the item is written in.', max_length=12, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='search_config',
            field=models.CharField(default='english', editable=False, help_text="PostgreSQL's text search configuration for the item's language.", max_length=40, verbose_name='search configuration'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='source_version',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text='The version of the source the translation was last saved against.', null=True, verbose_name='source version'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='translated_from',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='news.newsitem', verbose_name='translated from'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='translation_key',
            field=models.UUIDField(null=True, editable=False, verbose_name='translation group'),
        ),
        migrations.RunPython(give_each_item_a_group, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='newsitem',
            name='translation_key',
            field=models.UUIDField(default=uuid.uuid4, editable=False, verbose_name='translation group'),
        ),
        migrations.AddConstraint(
            model_name='newsitem',
            constraint=models.UniqueConstraint(fields=('translation_key', 'language'), name='one_item_per_language_in_group'),
        ),
    ]
