"""The running mocks both transports share: mocks.yaml, the engine of each neighbour on its
listener, Host routing, the admin endpoints and dashboard, the journal and the faults.
"""
