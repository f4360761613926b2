import api.pets  # noqa
