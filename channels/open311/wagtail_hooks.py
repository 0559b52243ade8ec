"""Partners and their calls in the Wagtail admin (Settings → Partners, Partner calls).

Partners are catalogue data: administrators add one, choose its councils, services, feeds and
rate limit, and see every call it made. The API key is made by ``services.actions.partners``
and shown **once** — on the page that answers the creation or the rotation (``no-store``, not
kept in the session or a message) — and only its digest is stored. Editing a partner never
shows or changes its key; "Rotate key" replaces it (the old key stops working at once).

Partner calls are read-only here: a log nobody can edit or delete from the admin.
Access follows Django's model permissions (``services.change_partner``,
``services.view_partnercall``), which administrators grant to Wagtail groups.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from services.actions.partners import create_partner, rotate_key
from services.models import Feed, Partner, PartnerCall

KEY_TEMPLATE = "open311/admin/partner_key.html"
ROTATE_TEMPLATE = "open311/admin/partner_rotate.html"


class PartnerForm(WagtailAdminModelForm):
    feeds = forms.MultipleChoiceField(
        choices=Feed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Event feeds"),
        help_text=_("Events sent, signed, to the feed address."),
    )

    def clean(self):
        data = super().clean()
        if data.get("feeds") and not (data.get("feed_url") or "").startswith("https://"):
            self.add_error("feed_url", _("Events need an https:// feed address."))
        return data


def key_page(request, new, title) -> TemplateResponse:
    response = TemplateResponse(
        request,
        KEY_TEMPLATE,
        {
            "page_title": title,
            "header_icon": "key",
            "partner": new.partner,
            "api_key": new.api_key,
            "feed_secret": new.feed_secret,
            "index_url": reverse("partners:index"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class PartnerCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        self.new_key = create_partner(
            data["name"],
            list(data["councils"]),
            services=list(data.get("services") or []),
            slug=data["slug"],
            user=data.get("user"),
            feeds=list(data.get("feeds") or []),
            feed_url=data.get("feed_url", ""),
            rate_limit=data["rate_limit"],
            active=data.get("active", True),
        )
        return self.new_key.partner

    def save_action(self):
        return key_page(self.request, self.new_key, _("Partner created: copy its key now"))


class PartnerEditView(EditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Rotate key"),
                url=reverse("partners:rotate", args=[self.object.pk]),
                icon_name="key",
                priority=5,
            )
        )
        return buttons


class RotateKeyView(View):
    """GET asks to confirm; POST replaces the key and shows the new one once."""

    def dispatch(self, request, pk):
        policy = ModelPermissionPolicy(Partner)
        if not policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.partner = get_object_or_404(Partner, pk=pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return TemplateResponse(
            request,
            ROTATE_TEMPLATE,
            {
                "page_title": _("Rotate key"),
                "header_icon": "key",
                "partner": self.partner,
                "edit_url": reverse("partners:edit", args=[pk]),
            },
        )

    def post(self, request, pk):
        return key_page(request, rotate_key(self.partner), _("New key: copy it now"))


class PartnerViewSet(ModelViewSet):
    model = Partner
    icon = "key"
    menu_label = _("Partners")
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    add_view_class = PartnerCreateView
    edit_view_class = PartnerEditView
    list_display = ["name", "slug", "rate_limit", "active", "key_created_at"]
    list_filter = ["active", "councils"]
    search_fields = ["name", "slug"]
    inspect_view_fields = [
        "name",
        "slug",
        "councils",
        "services",
        "user",
        "feeds",
        "feed_url",
        "rate_limit",
        "active",
        "key_prefix",
        "key_created_at",
        "created_at",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldPanel("councils", widget=forms.CheckboxSelectMultiple),
            FieldPanel("services"),
            FieldPanel("user"),
            FieldPanel("feeds"),
            FieldPanel("feed_url"),
            FieldPanel("rate_limit"),
            FieldPanel("active"),
        ],
        base_form_class=PartnerForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("rotate/<int:pk>/", RotateKeyView.as_view(), name="rotate"),
        ]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Viewing only: nobody adds, changes or deletes a call from the admin."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class PartnerCallViewSet(ModelViewSet):
    model = PartnerCall
    icon = "list-ul"
    menu_label = _("Partner calls")
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["at", "partner", "method", "path", "status_code", "remote_addr"]
    list_filter = ["partner", "status_code", "method"]
    search_fields = ["path"]
    inspect_view_fields = [
        "at",
        "partner",
        "method",
        "path",
        "status_code",
        "remote_addr",
        "detail",
    ]
    form_fields = ["detail"]  # never editable (ReadOnlyPolicy); a form class must exist


register_permission_policy(PartnerCall, ReadOnlyPolicy(PartnerCall))


class PartnersGroup(ModelViewSetGroup):
    menu_label = _("Partners")
    menu_icon = "key"
    menu_order = 850
    items = (PartnerViewSet("partners"), PartnerCallViewSet("partner_calls"))


@hooks.register("register_admin_viewset")
def register_partners():
    return PartnersGroup()
