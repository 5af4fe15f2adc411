"""HTTP plumbing shared by every feature: operations, routing, parsing, guards,
errors, OpenAPI, observation."""
