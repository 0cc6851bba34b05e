package fides

import (
	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
)

// The ids of the import's own findings.
const (
	// RuleRenamed: a key fideslang renamed in 2.0, upgraded (a warning).
	RuleRenamed = "fides.renamed_key"
	// RuleUnknownKey: a key or field fideslang does not define (a warning; a taxonomy key is
	// still judged by its nearest known ancestor, a field is not read).
	RuleUnknownKey = "fides.unknown_key"
	// RuleUnmapped: a key the mapping table has no entry for, nor for any ancestor (a
	// warning; the key is read as a term outside the policy, which the policy's rule refuses).
	RuleUnmapped = "fides.unmapped_key"
	// RuleDropped: a field fideslang 3 drops silently, read and kept (a warning).
	RuleDropped = "fides.dropped_field"
	// RuleUnregistered: a vendor or third party missing from the recipient register (a
	// warning; it is judged as a recipient nothing is known of).
	RuleUnregistered = "fides.recipient_unregistered"
	// RuleDatasetMissing: a referenced dataset not among the files checked (denies: its
	// categories cannot be judged).
	RuleDatasetMissing = "fides.dataset_missing"
	// RuleRetentionUnread: a retention_period that is not a period (a warning;
	// retention.missing judges the declaration as having none).
	RuleRetentionUnread = "fides.retention_unread"
	// RuleNotPersonal: a declaration whose every category is not personal data (a warning;
	// it is not judged).
	RuleNotPersonal = "fides.not_personal_data"
	// RuleDuplicateKey: a system whose fides_key another system of the same directory uses (a
	// warning; both are decided).
	RuleDuplicateKey = "fides.duplicate_key"
	// RuleFlowMissing: a system's egress or ingress naming a system or dataset in none of the
	// files checked (a warning: what flows there is not judged).
	RuleFlowMissing = "fides.flow_missing"
	// RuleNoCategories: a privacy declaration that lists no data category, directly or through
	// its datasets (denies: what it processes cannot be judged; fideslang allows the empty list).
	RuleNoCategories = "fides.no_data_categories"
	// RuleMetaStale: a system's meta.policyengine, written by export fides, that no longer
	// describes its declaration as the Fides fields now stand (a warning; the Fides fields are
	// read instead).
	RuleMetaStale = "fides.meta_stale"
	// RuleFlagMismatch: a Fides flag its declaration contradicts (special-category processing,
	// profiling) (a warning; the declaration is judged by what it lists).
	RuleFlagMismatch = "fides.flag_mismatch"
)

// catalogue describes the import's findings: id, kind (deny or warn), title, description, remedy
// and the key of the clause they concern.
var catalogue = [...]struct{ id, kind, title, desc, remedy, clause string }{
	{RuleRenamed, "warn", "A fideslang 1.x key is upgraded", "A key fideslang renamed in 2.0 is read under its new name.", "Rename the key in the Fides file.", "personal-data"},
	{RuleUnknownKey, "warn", "A key fideslang does not define", "A taxonomy key that is neither in the default taxonomy nor declared by the project is judged by its nearest known ancestor; a field fideslang does not define is not read.", "Declare the key with a parent_key, or fix its spelling.", "personal-data"},
	{RuleUnmapped, "warn", "A Fides key the mapping table does not cover", "A key with no entry in the policy's fides_mapping, nor any ancestor with one, is read as a term outside the policy, which the policy's own rule refuses.", "Add an entry for the key (or its parent) to fides_mapping.", "personal-data"},
	{RuleDropped, "warn", "A field fideslang 3 drops", "A 1.x field that fideslang 3 drops silently is read and kept with the declaration.", "Move the fact to its fideslang 3 field.", "personal-data"},
	{RuleUnregistered, "warn", "A recipient missing from the recipient register", "A vendor system or a declaration's third parties have no entry in the policy's recipient_register, so nothing is known of the recipient's country, DPA or safeguard, and the sharing and transfer rules judge it so.", "Add an entry to recipient_register under the system's fides_key or vendor_id (or the third_parties name).", "sharing"},
	{RuleDatasetMissing, "deny", "A referenced dataset is missing", "A privacy declaration references a dataset that is not among the files checked, so the categories it holds cannot be judged.", "Check the dataset's file together with the system's.", "personal-data"},
	{RuleRetentionUnread, "warn", "A retention period that cannot be read", "A retention_period that is neither a number of days nor a count with a unit is not read.", "Write the period as a number of days (\"30\") or as \"3 years\".", "retention"},
	{RuleDuplicateKey, "warn", "A fides_key used twice", "Two systems in the same directory share a fides_key, which fideslang keeps unique in a project: their declarations' ids clash and Fides would keep only one.", "Give each system its own fides_key.", "personal-data"},
	{RuleFlowMissing, "warn", "A data flow to a system or dataset not checked", "A system's egress or ingress names a system or dataset that is in none of the Fides files checked, so the data that flows there is not judged.", "Check the other system's or dataset's file along with this one, or add it (a vendor's system with an entry in the recipient_register).", "sharing"},
	{RuleFlagMismatch, "warn", "A Fides flag the declaration contradicts", "A flag (processes_special_category_data, uses_profiling) says the opposite of what the declaration's categories or data use say; the declaration is judged by what it lists.", "Make the flag and the declaration agree.", "personal-data"},
	{RuleNoCategories, "deny", "A declaration of no data category", "A privacy declaration whose data_categories is empty, and whose datasets (if any) list none, does not say what it processes, so it cannot be judged.", "List the declaration's data categories, or reference the datasets that hold them.", "personal-data"},
	{RuleMetaStale, "warn", "Exported details that no longer match", "A system written by export fides keeps each declaration's activity in meta.policyengine; when the declaration's Fides fields have changed since, that activity is not read and the Fides fields are.", "Export the manifests again, or remove the system's meta.policyengine.", "personal-data"},
	{RuleNotPersonal, "warn", "A declaration of no personal data", "Every data category of the declaration is mapped as not personal data, so no rule judges it.", "Nothing to do if the system indeed holds no personal data.", "personal-data"},
}

// Rules describes the import's findings as catalogue entries, for the formats that list the
// rules (SARIF), with the sections of doc's clauses.
func Rules(doc *policy.Document) []policyengine.Rule {
	out := make([]policyengine.Rule, len(catalogue))
	for i, r := range catalogue {
		c := doc.Clauses[r.clause]
		out[i] = policyengine.Rule{ID: r.id, Kind: r.kind, Title: r.title, Description: r.desc, Remedy: r.remedy, Clause: c.Section, ClauseID: r.clause, ClauseText: c.Text, Package: "fides"}
	}
	return out
}

// Denies reports whether a finding of the import's rule denies its declaration (the rule's
// kind is deny, as Rules lists it); any other of its findings is a warning.
func Denies(rule string) bool {
	for _, r := range catalogue {
		if r.id == rule {
			return r.kind == "deny"
		}
	}
	return false
}
