"""Record a real neighbour through a proxy and store its answers as a replayable overlay."""
