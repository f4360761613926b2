"""One client per neighbour service; each calls the neighbour by the operationIds in its spec."""
