"""The pages, one module per page or flow, each an `APIRouter` named `router` (see services/web/README.md)."""
