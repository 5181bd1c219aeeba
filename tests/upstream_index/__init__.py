"""A fake PyPI for the upstream proxy tests: ``server.py`` (a second process, stdlib only)
and the ``fake_pypi`` fixture (``fixtures.py``, registered in tests/conftest.py)."""
