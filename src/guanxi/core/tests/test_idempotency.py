"""The Idempotency-Key decorator on a small API view that writes one job per request."""

import pytest
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from guanxi.core.errors import ApplicationError
from guanxi.core.idempotency import IdempotencyKey, idempotent
from guanxi.core.models import Job

pytestmark = pytest.mark.django_db


class JobCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField()

    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["title"] == "refuse":
            Job.objects.create(kind="test", title="written before the refusal")
            raise ApplicationError("refused", code="refused")
        job = Job.objects.create(kind="test", title=data.validated_data["title"])
        return Response({"id": job.pk, "title": job.title}, status=201)


def send(user, body, key=None, path="/api/v1/test/jobs/"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    request = APIRequestFactory().post(path, body, format="json", **headers)
    force_authenticate(request, user=user)
    response = JobCreateApi.as_view()(request)
    response.render()
    return response


def test_without_a_key_every_request_writes(owner):
    send(owner, {"title": "a"})
    send(owner, {"title": "a"})
    assert Job.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_same_key_and_body_gives_the_first_response(owner):
    first = send(owner, {"title": "a"}, key="k1")
    again = send(owner, {"title": "a"}, key="k1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.data == first.data == {"id": Job.objects.get().pk, "title": "a"}
    stored = IdempotencyKey.objects.get()
    assert (
        stored.user,
        stored.key,
        stored.request_method,
        stored.request_path,
        stored.response_status,
    ) == (
        owner,
        "k1",
        "POST",
        "/api/v1/test/jobs/",
        201,
    )


@pytest.mark.parametrize(
    ("body", "path", "_case"),
    [
        ({"title": "b"}, "/api/v1/test/jobs/", "other_body"),
        ({"title": "a"}, "/api/v1/test/other/", "other_path"),
    ],
)
def test_same_key_for_another_request_is_422(owner, body, path, _case):
    send(owner, {"title": "a"}, key="k1")
    response = send(owner, body, key="k1", path=path)
    assert response.status_code == 422
    assert response.data["error"]["code"] == "idempotency_key_reused"
    assert set(response.data["error"]) == {"code", "message", "fields"}
    assert Job.objects.count() == 1


def test_keys_belong_to_one_user(owner, make_staff):
    other = make_staff()
    send(owner, {"title": "a"}, key="k1")
    send(other, {"title": "a"}, key="k1")
    assert Job.objects.count() == 2


def test_a_refusal_rolls_back_with_its_key(owner):
    refused = send(owner, {"title": "refuse"}, key="k1")
    assert refused.status_code == 400
    assert (Job.objects.count(), IdempotencyKey.objects.count()) == (0, 0)
    invalid = send(owner, {}, key="k1")
    assert invalid.status_code == 400
    assert IdempotencyKey.objects.count() == 0
    assert send(owner, {"title": "a"}, key="k1").status_code == 201


def test_overlong_key_is_refused(owner):
    response = send(owner, {"title": "a"}, key="k" * 101)
    assert response.status_code == 400
    assert Job.objects.count() == 0
