"""API tokens: created on the profile with the key shown once, used as ``Authorization: Token``,
revoked at once; each staff member sees and revokes only their own."""

import hashlib
import json

import pytest
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.staff.models import ApiToken
from guanxi.staff.services.tokens import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


class WhoAmIApi(APIView):
    """A stand-in API view with the project's default authentication and permissions."""

    def get(self, request):
        return Response({"username": request.user.username})


def call_api(key):
    request = APIRequestFactory().get("/api/v1/whoami/", HTTP_AUTHORIZATION=f"Token {key}")
    return WhoAmIApi.as_view()(request)


# --- Services ------------------------------------------------------------------------------------


def test_create_returns_the_key_once_and_stores_only_its_hash(make_staff):
    # given
    staff = make_staff()

    # when
    token, key = api_token_create(user=staff, name="POS in SH01", actor=staff)

    # then
    stored = ApiToken.objects.get(pk=token.pk)
    assert len(key) == 43
    assert stored.prefix == key[:8]
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.prefix, stored.key_hash, stored.name}
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="staff.apitoken")
    assert event.changes == {
        "user": [None, staff.pk],
        "name": [None, "POS in SH01"],
        "prefix": [None, key[:8]],
    }
    assert key not in str(event.changes)
    assert stored.key_hash not in str(event.changes)


def test_revoke_is_audited_and_happens_once(make_staff):
    staff = make_staff()
    token, _key = api_token_create(user=staff, name="POS", actor=staff)

    api_token_revoke(token=token, actor=staff)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(token=token, actor=staff)

    assert first is not None
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert (
        AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="staff.apitoken").count()
        == 1
    )


# --- Authentication ----------------------------------------------------------------------------


def test_token_authenticates_an_api_request(make_staff):
    # given
    staff = make_staff(username="pos-sh01")
    token, key = api_token_create(user=staff, name="POS", actor=staff)

    # when
    response = call_api(key)

    # then
    assert response.status_code == 200
    assert response.data == {"username": "pos-sh01"}
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_revoked_token_gets_401_in_the_one_error_shape(client, make_staff):
    # given
    staff = make_staff()
    token, key = api_token_create(user=staff, name="POS", actor=staff)
    api_token_revoke(token=token, actor=staff)

    # when
    response = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {key}")

    # then
    assert response.status_code == 401
    assert json.loads(response.content) == {
        "error": {
            "code": "authentication_failed",
            "message": "Invalid or revoked token.",
            "fields": {},
        }
    }
    assert call_api(key).status_code == 401


def test_token_of_a_deactivated_staff_member_stops_working(make_staff):
    staff = make_staff()
    _token, key = api_token_create(user=staff, name="POS", actor=staff)
    staff.is_active = False
    staff.save(update_fields=["is_active"])

    assert call_api(key).status_code == 401


def test_unknown_key_gets_401(db):
    assert call_api("not-a-real-key").status_code == 401


# --- Pages --------------------------------------------------------------------------------------


def test_create_with_htmx_shows_the_key_once_in_the_list(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)

    # when
    response = client.post(
        reverse("staff:api-token-create"), {"name": "POS in SH01"}, HTTP_HX_REQUEST="true"
    )

    # then
    token = ApiToken.objects.get(user=staff)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert [t.name for t in response.context["tokens"]] == ["POS in SH01"]
    key = response.context["new_key"]
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert f'value="{key}"' in body
    assert "<html" not in body
    assert key not in client.get(reverse("staff:profile")).content.decode()


def test_create_without_htmx_renders_the_page_with_the_key(client, make_staff):
    staff = make_staff()
    client.force_login(staff)

    response = client.post(reverse("staff:api-token-create"), {"name": "Script"})

    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert response.context["new_token"].name == "Script"


def test_create_without_a_name_is_refused(client, make_staff):
    staff = make_staff()
    client.force_login(staff)

    response = client.post(reverse("staff:api-token-create"), {"name": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_revoke_with_htmx_removes_the_token_from_the_list(client, make_staff):
    # given
    staff = make_staff()
    keep, _ = api_token_create(user=staff, name="Keep", actor=staff)
    gone, _ = api_token_create(user=staff, name="Gone", actor=staff)
    client.force_login(staff)

    # when
    response = client.post(
        reverse("staff:api-token-revoke", kwargs={"pk": gone.pk}), HTTP_HX_REQUEST="true"
    )

    # then
    assert response.status_code == 200
    assert [t.pk for t in response.context["tokens"]] == [keep.pk]
    assert f'id="api-token-{gone.pk}"' not in response.content.decode()
    assert ApiToken.objects.get(pk=gone.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=keep.pk).revoked_at is None


def test_revoke_without_htmx_asks_then_returns_to_the_profile(client, make_staff):
    staff = make_staff()
    token, _ = api_token_create(user=staff, name="POS", actor=staff)
    client.force_login(staff)
    url = reverse("staff:api-token-revoke", kwargs={"pk": token.pk})

    confirm = client.get(url)
    response = client.post(url)

    assert confirm.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:profile")


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_staff_members_token_is_not_found(client, make_staff, owner, store_a, method):
    # given: even the owner of the business cannot use a colleague's token page
    colleague = make_staff(stores=[store_a])
    token, _ = api_token_create(user=colleague, name="Colleague's POS", actor=colleague)
    client.force_login(owner)

    # when
    response = getattr(client, method)(reverse("staff:api-token-revoke", kwargs={"pk": token.pk}))

    # then
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_profile_lists_only_my_active_tokens(client, make_staff, django_assert_max_num_queries):
    # given
    staff = make_staff()
    mine, _ = api_token_create(user=staff, name="Mine", actor=staff)
    old, _ = api_token_create(user=staff, name="Old", actor=staff)
    api_token_revoke(token=old, actor=staff)
    other = make_staff()
    api_token_create(user=other, name="Theirs", actor=other)
    client.force_login(staff)

    # when
    with django_assert_max_num_queries(10):
        response = client.get(reverse("staff:profile"))

    # then
    assert [t.pk for t in response.context["tokens"]] == [mine.pk]
    body = response.content.decode()
    assert f"{mine.prefix}…" in body
    assert "Theirs" not in body
