"""Model profiles: `Model.profile`'s test deployment and what it measured."""
