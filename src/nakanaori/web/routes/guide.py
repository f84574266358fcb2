"""ガイド: the guide pages (``/guide``…), built by :mod:`nakanaori.web.guide` from the guidance."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ..render import render

router = APIRouter(include_in_schema=False)


@router.get("/guide")
def guide_index(request: Request) -> Response:
    from .. import guide

    return render(request, "guide_index.html", {"nav": "guide", "groups": guide.index()})


@router.get("/guide/{slug}")
def guide_page(request: Request, slug: str, relationship: str | None = None) -> Response:
    from .. import guide

    found = guide.page(slug, relationship)
    if found is None:
        raise HTTPException(status_code=404)
    return render(request, "guide_page.html", {"nav": "guide", "page": found})


@router.get("/guide/{slug}/{name}")
def guide_named_page(request: Request, slug: str, name: str) -> Response:
    from .. import guide

    found = guide.page(slug, name) if slug in ("relationship", "stage") else None
    if found is None:
        raise HTTPException(status_code=404)
    return render(request, "guide_page.html", {"nav": "guide", "page": found})
