# unit tests of policy, config and events
