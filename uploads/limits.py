"""The longest value the upload checks accept for each field that goes into a database column.

``uploads`` imports no app of ours (``.importlinter``), so the numbers are written here rather
than read from the models; ``tests/uploads/test_limits.py`` compares each with the
``max_length`` of the column it goes into, so the two cannot drift apart. A longer value is
refused by the checks, with a message, not by a failing INSERT.
"""

NAME_MAX = 200  # Project.name (and normalized_name, ultranormalized_name)
VERSION_MAX = 100  # Release.version and canonical_version
REQUIRES_PYTHON_MAX = 200  # Release.requires_python, File.requires_python
LICENSE_EXPRESSION_MAX = 400  # Release.license_expression
DESCRIPTION_CONTENT_TYPE_MAX = 128  # Release.description_content_type
SUMMARY_MAX = 512  # Release.summary; also PyPI's limit (S3.5)
FILENAME_MAX = 255  # File.filename, FilenameRegistry.filename
PYVERSION_MAX = 100  # File.python_version
