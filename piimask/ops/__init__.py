"""Operations hooks for the worker: metrics, health endpoints, structured logs, policy reload."""
