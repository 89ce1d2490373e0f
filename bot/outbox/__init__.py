"""Sending: what use cases may ask to send, and the worker that sends it once, in order, paced."""
