"""PEP 752 namespace grants: name prefixes reserved for an organization or a user."""
