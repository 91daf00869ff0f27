"""Annotated types for injected principals, so handlers name what they receive."""

from typing import TypeAlias

from litestar.di import NamedDependency

from events.auth import MemberPrincipal, OrganizerPrincipal

Member: TypeAlias = NamedDependency[MemberPrincipal]
Organizer: TypeAlias = NamedDependency[OrganizerPrincipal]
