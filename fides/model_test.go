package fides

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// The reader is held to fideslang 3.x's own models, as read in ethyca/fideslang's
// src/fideslang/models.py and validation.py (the 3.x line: pydantic 2 models, System with
// responsibility and the GVL fields, datasets with data_uses and data_purposes): a file they
// accept is never an input error, a file they refuse always is, at the value refused. These are
// the rules held, each tested below with a fixture written here, field by field:
//
//   - Every resource: fides_key is required and a FidesKey (^[a-zA-Z0-9_.<>-]+$);
//     organization_fides_key a FidesKey; tags a list of text; name and description text or null.
//     A top-level resource (FidesModel) reads a number given for text as text
//     (coerce_numbers_to_str); the parts nested in it (a privacy declaration, a data flow, a
//     collection, a field, a policy rule) do not. Any key a model does not know is ignored by
//     fideslang: here it is the warning fides.unknown_key, never an error.
//   - System: system_type (text) and privacy_declarations (a list) are required; egress and
//     ingress lists of data flows or null; dataset_references a list of FidesKeys (not null);
//     the flags processes_personal_data, exempt_from_privacy_regulations, uses_profiling,
//     does_international_transfers, requires_data_protection_assessments, uses_cookies,
//     cookie_refresh, uses_non_cookie_access are bools (not null); legal_basis_for_profiling a list
//     of Explicit consent, Contract, Authorised by law; legal_basis_for_transfers a list of text
//     (its enumeration is not enforced); responsibility a list of Controller, Processor,
//     Sub-Processor (a single value is refused); privacy_policy and
//     legitimate_interest_disclosure_url URLs; cookie_max_age_seconds a whole number;
//     vendor_deleted_date a date-time; every other field text or null; meta an object.
//   - System's validator: a declaration's egress (ingress), when given (even empty), needs its
//     system to define egress (ingress), and each key it lists is the fides_key of one of them.
//   - DataFlow: fides_key (FidesKey) and type are required; type is system, dataset or user; a
//     flow's fides_key is user exactly when its type is user; data_categories FidesKeys.
//   - PrivacyDeclaration: data_use (a FidesKey) and data_categories (a list of FidesKeys, which may
//     be empty) are required; data_subjects defaults to the empty list; dataset_references,
//     egress, ingress are lists of FidesKeys or null; legal_basis_for_processing one of Consent,
//     Contract, Legal obligations, Vital interests, Public interest, Legitimate interests (exact
//     case); special_category_legal_basis one of fideslang 3's ten art. 9 bases;
//     retention_period, third_parties, impact_assessment_location text or null (a number is
//     refused); processes_special_category_data, data_shared_with_third_parties,
//     flexible_legal_basis_for_processing bools; features and shared_categories lists of text.
//   - Bools are read as pydantic's lax mode reads them: true/false, 0/1 and the words
//     yes/no, on/off, t/f, y/n, true/false in any case.
//   - Dataset: collections is required (a list, which may be empty); data_categories, data_uses,
//     data_purposes, data_subjects lists of FidesKeys or null, on the dataset, each collection
//     and each field; fides_meta (or fidesops_meta) its metadata. Collection: name and fields
//     required. Field: name required; fields nested. No two collections of a dataset, and no two
//     fields of a collection, share a name. A field with sub-fields whose fides_meta gives a
//     data_type has data_type object; data_type is string, integer, float, boolean, object_id or
//     object, optionally with []; return_all_elements only with a data_type ending in [];
//     length a whole number above 0; a collection's after lists dataset.collection keys.
//   - Data categories and data uses: parent_key is the key's dotted prefix (none for a key with
//     no dot, required for one with a dot), never the key itself; a default key
//     (is_default true) has version_added; versions are versions. (That a key not marked default
//     carries no version fields depends on the order pydantic validates inherited fields in, so
//     it is not held.)
//   - Data subjects: rights, when given, has a strategy of ALL, EXCLUDE, INCLUDE or NONE, and
//     values (rights of fideslang's list) when the strategy is INCLUDE or EXCLUDE.
//   - Policy: rules is required; each rule has a name and data_categories, data_uses,
//     data_subjects, each with matches (ANY, ALL, NONE, OTHER) and values (FidesKeys).
//   - Organization: organization_parent_key is unset; controller, data_protection_officer and
//     representative are contact details of text fields; security_policy an http(s) URL.

// problemsAt reads one Fides file and returns the JSON pointers of every input error, and the
// declarations built.
func problemsAt(t *testing.T, src string) ([]string, []*Declaration) {
	t.Helper()
	f, err := Parse("m.yml", []byte(src), Limits{})
	require.NoError(t, err, src)
	decls, _, errs := Build([]*File{f}, policy.Default().Document)
	var at []string
	for _, e := range errs {
		at = append(at, e.Pointer)
	}
	for _, d := range decls {
		for _, p := range d.Problems {
			at = append(at, p.Pointer)
		}
	}
	return at, decls
}

// system is a valid system of one declaration, with more lines for the system and for the
// declaration (each written at its indentation).
func system(sys, decl string) string {
	return "system:\n  - fides_key: app\n    system_type: Service\n" + indent(sys, 4) +
		"    privacy_declarations:\n      - name: d\n        data_use: essential.service\n        data_categories: [user.name]\n" + indent(decl, 8)
}

func indent(s string, n int) string {
	if s == "" {
		return ""
	}
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

const decl0 = "/system/0/privacy_declarations/0"

func TestModelAccepts(t *testing.T) {
	for name, src := range map[string]string{
		"a minimal system":                   system("", ""),
		"empty lists of a declaration":       strings.Replace(system("", "data_subjects: []\ndataset_references: []\n"), "data_categories: [user.name]", "data_categories: []", 1),
		"no data_subjects (the default)":     system("", ""),
		"a declaration's flow to a dataset":  system("ingress:\n  - {fides_key: users_db, type: dataset}\n", "ingress: [users_db]\n"),
		"a flow to the user":                 system("egress:\n  - {fides_key: user, type: user}\n", "egress: [user]\n"),
		"lax bools":                          system("uses_profiling: \"yes\"\ndoes_international_transfers: 0\n", "processes_special_category_data: \"off\"\n"),
		"a number as a system's text":        system("administrating_department: 42\n", ""),
		"nulls where the model allows them":  system("meta: null\nvendor_id: null\negress: null\nprivacy_policy: null\n", "legal_basis_for_processing: null\nretention_period: null\ndataset_references: null\n"),
		"every legal basis spelling":         system("", "legal_basis_for_processing: Legitimate interests\nspecial_category_legal_basis: Explicit consent\n"),
		"a key fideslang does not know":      system("region: eu\n", "colour: blue\n"),
		"lists of the System model":          system("responsibility: [Controller, Sub-Processor]\nlegal_basis_for_profiling: [Authorised by law]\nlegal_basis_for_transfers: [Something new]\n", ""),
		"URLs, numbers and dates":            system("privacy_policy: https://example.com/p\ncookie_max_age_seconds: 3600\nvendor_deleted_date: 2024-05-01T10:00:00Z\n", ""),
		"a dataset with every label":         "dataset:\n  - fides_key: db\n    data_purposes: [analytics]\n    collections:\n      - name: users\n        data_uses: [essential.service]\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n            data_subjects: [customer]\n          - name: address\n            fides_meta: {data_type: object}\n            fields:\n              - name: city\n",
		"an empty dataset":                   "dataset:\n  - fides_key: db\n    collections: []\n",
		"fidesops_meta for fides_meta":       "dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fields:\n          - name: tags\n            fidesops_meta: {data_type: \"string[]\", return_all_elements: true}\n",
		"custom keys under their parents":    "data_category:\n  - fides_key: user.contact.email.work\n    parent_key: user.contact.email\ndata_use:\n  - fides_key: loyalty\n",
		"a default key with its version":     "data_category:\n  - fides_key: user\n    is_default: true\n    version_added: 2.0.0\n",
		"a subject's rights":                 "data_subject:\n  - fides_key: member\n    rights: {strategy: INCLUDE, values: [Access, Erasure]}\n",
		"a Fides policy":                     "policy:\n  - fides_key: p\n    rules:\n      - name: r\n        data_categories: {matches: ANY, values: [user]}\n        data_uses: {matches: NONE, values: []}\n        data_subjects: {matches: ALL, values: [customer]}\n",
		"an organization":                    "organization:\n  - fides_key: acme\n    controller: {name: A, email: a@example.com}\n    security_policy: https://example.com/security\n",
		"a lone system, as the API gives it": "{\"fides_key\": \"app\", \"system_type\": \"Service\", \"privacy_declarations\": []}",
	} {
		t.Run(name, func(t *testing.T) {
			at, _ := problemsAt(t, src)
			assert.Empty(t, at, src)
		})
	}
}

func TestModelRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ src, at string }{
		"no system_type":                        {"system:\n  - fides_key: app\n    privacy_declarations: []\n", "/system/0"},
		"no privacy_declarations":               {"system:\n  - fides_key: app\n    system_type: Service\n", "/system/0"},
		"no fides_key":                          {"system:\n  - system_type: Service\n    privacy_declarations: []\n", "/system/0"},
		"a fides_key with a space":              {"dataset:\n  - fides_key: my db\n    collections: []\n", "/dataset/0/fides_key"},
		"no data_use":                           {strings.Replace(system("", ""), "        data_use: essential.service\n", "", 1), decl0},
		"no data_categories":                    {strings.Replace(system("", ""), "        data_categories: [user.name]\n", "", 1), decl0},
		"null data_categories":                  {strings.Replace(system("", ""), "data_categories: [user.name]", "data_categories: null", 1), decl0 + "/data_categories"},
		"null data_subjects":                    {system("", "data_subjects: null\n"), decl0 + "/data_subjects"},
		"a data use that is no key":             {strings.Replace(system("", ""), "data_use: essential.service", "data_use: essential service", 1), decl0 + "/data_use"},
		"a retention period as a number":        {system("", "retention_period: 30\n"), decl0 + "/retention_period"},
		"a legal basis in another case":         {system("", "legal_basis_for_processing: consent\n"), decl0 + "/legal_basis_for_processing"},
		"an art. 9 basis outside fideslang 3":   {system("", "special_category_legal_basis: Explicit Consent\n"), decl0 + "/special_category_legal_basis"},
		"third_parties as a list":               {system("", "third_parties: [a, b]\n"), decl0 + "/third_parties"},
		"a flag that is no bool":                {system("", "data_shared_with_third_parties: sometimes\n"), decl0 + "/data_shared_with_third_parties"},
		"egress on a system without egress":     {system("", "egress: []\n"), decl0 + "/egress"},
		"egress to a flow the system lacks":     {system("egress:\n  - {fides_key: billing, type: system}\n", "egress: [mail]\n"), decl0 + "/egress/0"},
		"a declaration's flow as an object":     {system("egress:\n  - {fides_key: billing, type: system}\n", "egress:\n  - {fides_key: billing, type: system}\n"), decl0 + "/egress/0"},
		"a flow of no known type":               {system("ingress:\n  - {fides_key: app2, type: pipe}\n", ""), "/system/0/ingress/0/type"},
		"a flow to the user of type system":     {system("ingress:\n  - {fides_key: user, type: system}\n", ""), "/system/0/ingress/0"},
		"responsibility as one value":           {system("responsibility: Controller\n", ""), "/system/0/responsibility"},
		"a responsibility fideslang lacks":      {system("responsibility: [Owner]\n", ""), "/system/0/responsibility/0"},
		"a profiling basis as one value":        {system("legal_basis_for_profiling: Contract\n", ""), "/system/0/legal_basis_for_profiling"},
		"null legal_basis_for_transfers":        {system("legal_basis_for_transfers: null\n", ""), "/system/0/legal_basis_for_transfers"},
		"a privacy policy that is no URL":       {system("privacy_policy: see the wiki\n", ""), "/system/0/privacy_policy"},
		"a cookie age that is no number":        {system("cookie_max_age_seconds: a day\n", ""), "/system/0/cookie_max_age_seconds"},
		"a vendor deletion that is no date":     {system("vendor_deleted_date: yesterday\n", ""), "/system/0/vendor_deleted_date"},
		"data_security_practices as a list":     {system("data_security_practices: []\n", ""), "/system/0/data_security_practices"},
		"a dataset without collections":         {"dataset:\n  - fides_key: db\n", "/dataset/0"},
		"a collection without fields":           {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n", "/dataset/0/collections/0"},
		"a field without a name":                {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fields:\n          - data_categories: [user]\n", "/dataset/0/collections/0/fields/0"},
		"two collections of one name":           {"dataset:\n  - fides_key: db\n    collections:\n      - {name: c, fields: []}\n      - {name: c, fields: []}\n", "/dataset/0/collections/1/name"},
		"sub-fields of a string field":          {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fields:\n          - name: a\n            fides_meta: {data_type: string}\n            fields: [{name: b}]\n", "/dataset/0/collections/0/fields/0/fields"},
		"all elements of a scalar":              {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fields:\n          - name: a\n            fides_meta: {data_type: string, return_all_elements: true}\n", "/dataset/0/collections/0/fields/0/fides_meta/return_all_elements"},
		"a data type fides does not know":       {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fields:\n          - name: a\n            fides_meta: {data_type: text}\n", "/dataset/0/collections/0/fields/0/fides_meta/data_type"},
		"a field's purposes that are no keys":   {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fields:\n          - name: a\n            data_purposes: [send mail]\n", "/dataset/0/collections/0/fields/0/data_purposes/0"},
		"after that is no collection key":       {"dataset:\n  - fides_key: db\n    collections:\n      - name: c\n        fides_meta: {after: [other]}\n        fields: []\n", "/dataset/0/collections/0/fides_meta/after/0"},
		"a parent_key that is not the prefix":   {"data_category:\n  - fides_key: user.travel\n    parent_key: user.behavior\n", "/data_category/0/parent_key"},
		"a parent_key of a key with no dot":     {"data_use:\n  - fides_key: loyalty\n    parent_key: marketing\n", "/data_use/0/parent_key"},
		"a dotted key without its parent_key":   {"data_use:\n  - fides_key: marketing.loyalty\n", "/data_use/0"},
		"a default key with no version":         {"data_category:\n  - fides_key: user\n    is_default: true\n", "/data_category/0"},
		"rights to include, none listed":        {"data_subject:\n  - fides_key: member\n    rights: {strategy: INCLUDE}\n", "/data_subject/0/rights"},
		"a policy rule without values":          {"policy:\n  - fides_key: p\n    rules:\n      - name: r\n        data_categories: {matches: ANY, values: [user]}\n        data_uses: {matches: ANY, value: [marketing]}\n        data_subjects: {matches: ANY, values: [customer]}\n", "/policy/0/rules/0/data_uses"},
		"a policy without rules":                {"policy:\n  - fides_key: p\n", "/policy/0"},
		"an organization with a parent":         {"organization:\n  - fides_key: acme\n    organization_parent_key: holding\n", "/organization/0/organization_parent_key"},
		"a security policy that is no http URL": {"organization:\n  - fides_key: acme\n    security_policy: ftp://example.com/x\n", "/organization/0/security_policy"},
	} {
		t.Run(name, func(t *testing.T) {
			at, _ := problemsAt(t, tc.src)
			assert.Contains(t, at, tc.at, tc.src)
		})
	}
}

// The two files of the issue: Fides' own demo (a declaration's ingress names a dataset its
// system's ingress lists) and a system of Fides' API tests (a declaration whose lists are all
// empty) are decided; the empty declaration is a denial naming the field, not an input error.
func TestModelFidesOwnShapes(t *testing.T) {
	demo := "system:\n  - fides_key: analytics\n    system_type: Service\n    ingress:\n      - fides_key: users_db\n        type: dataset\n    privacy_declarations:\n      - name: analyze\n        data_categories: [user.contact]\n        data_use: functional.service.improve\n        data_subjects: [customer]\n        ingress:\n          - users_db\n"
	at, decls := problemsAt(t, demo)
	assert.Empty(t, at)
	require.Len(t, decls, 1)
	assert.NotNil(t, decls[0].Activity)

	empty := system("", "data_subjects: []\ndataset_references: []\n")
	empty = strings.Replace(empty, "data_categories: [user.name]", "data_categories: []", 1)
	at, decls = problemsAt(t, empty)
	assert.Empty(t, at)
	require.Len(t, decls, 1)
	assert.Nil(t, decls[0].Activity, "nothing to decide")
	var rules []string
	for _, f := range decls[0].Findings {
		rules = append(rules, fmt.Sprintf("%s %v %d", f.Rule, Denies(f.Rule), f.Line))
	}
	assert.Equal(t, []string{"fides.no_data_categories true 7"}, rules)
}
