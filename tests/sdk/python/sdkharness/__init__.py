"""Harness shared by the SDK conformance suites: the OpenAPI response
validator (spec.py), the server lifecycle (server.py) and the recording HTTP
client for the Python SDK (recording.py)."""
