"""Where files live: the filesystem by default, an S3-compatible object store when configured."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from lianjian import settings as project_settings
from lianjian.core.images import photo_response

S3_ENV = {
    "LIANJIAN_S3_BUCKET": "photos",
    "LIANJIAN_S3_ENDPOINT_URL": "https://oss.example.cn",
    "LIANJIAN_S3_REGION": "cn-east-1",
    "LIANJIAN_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "LIANJIAN_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
    "LIANJIAN_S3_PREFIX": "/lianjian/",
    "LIANJIAN_S3_ADDRESSING_STYLE": "path",
    "LIANJIAN_S3_URL_EXPIRE": "120",
}


def test_files_are_on_the_filesystem_unless_a_bucket_is_set():
    assert project_settings.default_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert project_settings.default_storage({"LIANJIAN_S3_BUCKET": "  "})["BACKEND"].endswith("FileSystemStorage")


def test_a_bucket_switches_to_a_private_object_store_with_signed_urls():
    config = project_settings.default_storage(S3_ENV)
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "photos" and options["location"] == "lianjian"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["file_overwrite"] is False and options["querystring_expire"] == 120
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**options)
    url = urlparse(storage.url("needs/2026/11/abc.jpg"))
    assert url.netloc == "oss.example.cn" and url.path == "/photos/lianjian/needs/2026/11/abc.jpg"
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    # The photo views hand such a file over as a redirect to the signed URL.
    file = SimpleNamespace(name="needs/2026/11/abc.jpg", storage=storage)
    response = photo_response(RequestFactory().get("/"), file, public=True)
    assert response.status_code == 302 and "X-Amz-Signature" in response["Location"]
    assert response["Cache-Control"] == "private, no-store"


def test_a_bad_expiry_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        project_settings.default_storage({**S3_ENV, "LIANJIAN_S3_URL_EXPIRE": "soon"})
