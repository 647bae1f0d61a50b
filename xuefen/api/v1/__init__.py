"""Version 1 of the REST API, mounted at /api/v1/ (see xuefen/api/urls.py)."""
