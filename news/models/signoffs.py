"""The sign-off of a joint item by each of its issuing bodies (news/signing.py has the rules)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignOff(models.Model):
    """Where one issuing body of an item stands: its sign-off requested, given or declined. The
    content it last signed is kept: a sign-off holds only while the item's signed content (title,
    lead, body, photo, issuing bodies) is still that, and the signer is shown what changed since
    it last signed or declined."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SIGNED = "signed", _("Signed off")
        DECLINED = "declined", _("Declined")

    class Basis(models.TextChoices):
        PUBLISHER = "publisher", _("as a publisher of the body")
        MANAGER = "manager", _("as a manager, for the body")
        IMPORT = "import", _("recorded by an import")
        RECORD = "record", _("published before sign-offs were kept")

    item = models.ForeignKey(
        "news.NewsItem",
        verbose_name=_("news item"),
        on_delete=models.CASCADE,
        related_name="sign_offs",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("issuing body"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The last decision (a sign-off or a refusal): who, when, on what basis, why.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices, blank=True)
    reason = models.TextField(_("reason for declining"), blank=True)
    decided_content = models.JSONField(
        _("content decided on"),
        null=True,
        blank=True,
        help_text=_("The item's signed content when the body last signed it off or declined it."),
    )

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["item", "structure"], name="one_sign_off_per_body"),
        ]
        # "Awaiting my sign-off": the open requests of a user's bodies.
        indexes = [models.Index(fields=["structure", "state"], name="news_signoff_open_idx")]

    def __str__(self):
        return f"{self.structure}: {self.get_state_display()}"
