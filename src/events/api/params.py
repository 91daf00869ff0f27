"""Query parameters shared by the list endpoints."""

from typing import Annotated

from litestar.params import QueryParameter

PageNumber = Annotated[int, QueryParameter(ge=1, le=10_000, description="Page, from 1")]
PerPage = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page")]
