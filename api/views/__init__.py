"""DRF views under /api/v1/: parse, ask ``access`` through ``api.permissions``, call one
service or selector, shape the answer."""
