"""The test harness: the in-process ``responses`` transport and the ``satchel_mock`` pytest plugin.

Imported by every pytest run (the plugin lives here), so it imports nothing.
"""
