"""The browsable docs page: Swagger UI served from our own static files (vendored from npm by
scripts/copy-assets), never from a CDN, under the site's bar, with the code table below it."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

from xuefen.api.codes import TABLES

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "persistAuthorization": False,
            "validatorUrl": None,  # Swagger UI would otherwise ask validator.swagger.io
            "tryItOutEnabled": False,
        }
        return render(
            request,
            "api/docs.html",
            {"api": api, "swagger_settings": settings, "code_tables": TABLES.values()},
        )
