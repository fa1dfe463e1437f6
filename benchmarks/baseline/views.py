from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import RawBody


@csrf_exempt
def store_raw_body(request: HttpRequest) -> HttpResponse:
    RawBody._default_manager.create(body=request.body)
    return HttpResponse(status=204)
