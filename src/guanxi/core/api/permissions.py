from typing import Any

from rest_framework.permissions import BasePermission

from guanxi.core.permissions import has_capability, role_of


class IsActiveStaff(BasePermission):
    """Any signed-in, active staff member with a role."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return role_of(request.user) is not None


def capability_required(capability: str) -> type[BasePermission]:
    """A DRF permission class for one capability of the shared permission layer."""

    class HasCapability(BasePermission):
        def has_permission(self, request: Any, view: Any) -> bool:
            return has_capability(request.user, capability)

    HasCapability.__name__ = f"Has_{capability.replace('.', '_')}"
    return HasCapability
