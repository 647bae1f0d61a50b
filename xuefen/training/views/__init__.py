"""Pages of the training app: each parses the request, calls one query or action, renders.
Every object is fetched through `training.queries` (404 for "not yours")."""
