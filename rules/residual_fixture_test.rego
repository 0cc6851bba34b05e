# A declaration's residual as `policyengine bundle build --declarations` ships one, for the tests
# of by_id.rego: the declaration id "residual-fixture" (the name is "d" and its SHA-256), under
# the policy revision "r1". It denies a person whose consent is withdrawn, and its decision
# changes at the withdrawal, which it reads as a bundle's residuals read times (in any form RFC
# 3339 allows).
package policyengine_declarations.residuals

dc65f4a2ee27db86e2bdbc421d6f63b0afda8fed98e5c1564ff2a81d7aa9a8a00.revision := "r1"

dc65f4a2ee27db86e2bdbc421d6f63b0afda8fed98e5c1564ff2a81d7aa9a8a00.deny contains x if {
	input.consent.status == "withdrawn"
	x := {"rule": "fixture.withdrawn", "path": "/consent/withdrawn_at", "message": "withdrawn", "clause": "c", "clause_id": "c"}
}

dc65f4a2ee27db86e2bdbc421d6f63b0afda8fed98e5c1564ff2a81d7aa9a8a00.changes_at contains x if {
	x := data.policyengine.lib.any_timestamp_ns(input.consent.withdrawn_at)
}
