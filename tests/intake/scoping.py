"""URL cases for the project-wide scoping test: each points at an object of unit A."""

CASES: dict = {}
