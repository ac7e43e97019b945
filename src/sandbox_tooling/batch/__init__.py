"""Bulk loading: many registry objects of mixed types in one request, one transaction."""
