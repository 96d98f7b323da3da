"""Every table on one metadata.

Import ``metadata`` from here (not ``data.models`` alone) wherever the whole
schema matters: migrations, dropping a database, schema tests.
"""

from data import models, roster_models  # noqa: F401  (importing registers the tables)

metadata = models.Base.metadata
