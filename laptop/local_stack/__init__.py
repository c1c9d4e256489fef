"""A Cognito-compatible endpoint on 127.0.0.1 that runs the project's trigger handlers in-process,
with moto answering every other AWS call on the same port. `make demo` starts it."""
