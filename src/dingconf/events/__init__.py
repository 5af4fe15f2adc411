"""Events: the outbox, Stream-mode gateway, push subscriptions and retention."""
