# policy, config and events (core); see lib/local.mk
