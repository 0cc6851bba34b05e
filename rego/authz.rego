# METADATA
# title: What a server's API takes
# description: >-
#   A server started with --authorization=basic asks data.system.authz.allow for every request
#   to its API. A server of the fleet answers queries (POST /v1/data/policyengine/decision) and
#   reports its health and configuration; it takes no writes through its data or policy API (PUT,
#   PATCH, DELETE), whoever asks. The bundle owns everything the rules read, but OPA's record of
#   what a bundle owns (data.system.bundles) is itself data the API can write: with it gone,
#   a write could change the policy's facts or add a rule.
package system.authz

default allow := false

# Reading and asking: nothing that changes what the server decides by.
allow if input.method in {"GET", "POST"}
