"""The HTTP shell: granian serving the runtime, the JSON access log and hot reload."""
