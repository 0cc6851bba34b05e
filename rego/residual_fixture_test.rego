# A declaration's residual as `policyengine bundle build --declarations` ships one, for the tests
# of by_id.rego: for the declaration id "residual-fixture" (the name is "d" and the first 128 bits
# of its SHA-256), under the policy revision "r1", made of two pieces, named as a bundle names
# them ("p" and a hash of their text). One denies a person whose consent is withdrawn; the other
# says the decision changes at the withdrawal, which it reads as a bundle's pieces read times (in
# any form RFC 3339 allows).
package policyengine_declarations

residuals.dc65f4a2ee27db86e2bdbc421d6f63b0a.revision := "r1"

residuals.dc65f4a2ee27db86e2bdbc421d6f63b0a.deny := pieces.p00000000000000000000000000000001.findings(0)

residuals.dc65f4a2ee27db86e2bdbc421d6f63b0a.warn := set()

residuals.dc65f4a2ee27db86e2bdbc421d6f63b0a.changes_at := pieces.p00000000000000000000000000000002.findings(0)

pieces.p00000000000000000000000000000001.findings(_) := {x |
	input.consent.status == "withdrawn"
	x := {"rule": "fixture.withdrawn", "path": "/consent/withdrawn_at", "message": "withdrawn", "clause": "c", "clause_id": "c"}
}

pieces.p00000000000000000000000000000002.findings(_) := {x | x := data.policyengine.lib.any_timestamp_ns(input.consent.withdrawn_at)}
