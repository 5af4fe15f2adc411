"""The wire layer: DingTalk's HTTP surface (routes, request parsing, error mapping)."""
