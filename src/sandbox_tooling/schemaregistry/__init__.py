"""The Schema Registry's own export/import RPC (``/data/foundation/schemaregistry/rpc``):
an XDM resource with every custom resource it needs, portable between orgs."""
