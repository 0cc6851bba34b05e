package system.authz_test

import data.system.authz

test_queries_and_health_are_answered if {
	authz.allow with input as {"method": "POST", "path": ["v1", "data", "policyengine", "decision"]}
	authz.allow with input as {"method": "GET", "path": ["health"]}
}

# Issue 22, item 5: the data and policy API take no writes, OPA's own record of what the bundle
# owns included.
test_writes_are_refused if {
	every method in {"PUT", "PATCH", "DELETE"} {
		not authz.allow with input as {"method": method, "path": ["v1", "data", "system", "bundles"]}
		not authz.allow with input as {"method": method, "path": ["v1", "policies", "evil.rego"]}
		not authz.allow with input as {"method": method, "path": ["v1", "data", "policyengine_engine"]}
	}
}
