"""The audit trail: one ``Event`` model and one way to write it, ``event_record()``."""
