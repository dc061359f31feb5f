"""Helpers the tests share: imported as `support.<module>`, never from another test file or conftest.py.

conftest.py holds the fixtures only; what a fixture builds (a tiny knowledge base, a terminal) lives here.
"""
