package fides

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The reader holds every Fides file to fideslang 3.x's own models (the pydantic models of
// fideslang's models.py and validation.py): a file fideslang accepts is never an input error,
// and a file it refuses always is, at the value it refuses. model_test.go lists, rule by rule,
// what is held.

// kind is the type of a value in a fideslang model.
type kind int

const (
	kText          kind = iota // str (a number too, where the model coerces numbers to text)
	kKey                       // FidesKey: letters, digits and _ . < > -
	kCollectionKey             // "dataset.collection", two FidesKeys
	kBool                      // bool, in pydantic's lax reading
	kInt                       // int
	kPositiveInt               // PositiveInt
	kDatetime                  // datetime
	kURL                       // AnyUrl
	kHTTPURL                   // HttpUrl
	kVersion                   // a version, as packaging.version.Version reads one
	kDict                      // a mapping of anything
	kAny                       // anything
	kEnum                      // one of the values of a str enumeration (or a Literal)
	kList                      // a list of elem
	kModel                     // a nested model
	kNone                      // None only
)

// spec is one field of a model.
type spec struct {
	kind kind
	// required: the field has no default, so it must be given.
	required bool
	// nullable: the field is Optional, so null is accepted.
	nullable bool
	enum     []string
	elem     *spec
	model    *model
	// message overrides the enumeration's "expected one of" (a validator's own wording).
	message string
}

// model is a fideslang model: its fields, whether it reads numbers as text
// (coerce_numbers_to_str), and its validators beyond the fields' types.
type model struct {
	name          string
	fields        map[string]spec
	numbersAsText bool
	check         func(v *validation, obj map[string]any, at place)
	// extra are keys that are no field of the model but are known: written by the Fides server
	// (id, created_at, ...) or by fideslang 1.x (read with a fides.dropped_field warning where
	// the reader reads them). fideslang ignores both, as it ignores any key it does not know.
	extra map[string]bool
	// open: a model of metadata whose unknown keys are not reported (fideslang's fides_meta and
	// fidesctl_meta, which newer Fides versions extend).
	open bool
	// names are the fields' names, sorted: the order the model is validated in.
	names []string
}

// known reports whether a key is a field of the model, an alias fideslang reads as one, or a
// known extra.
func (m *model) known(k string) bool {
	_, ok := m.fields[k]
	return ok || m.alias(k) || m.extra[k]
}

// alias reports whether k is a key fideslang reads as a field of the model under another name:
// a dataset's, collection's or field's fidesops_meta, read as its fides_meta
// (FidesopsMetaBackwardsCompat).
func (m *model) alias(k string) bool {
	return k == "fidesops_meta" && (m == datasetModel || m == collectionModel || m == fieldModel)
}

// unknownKeys tells fn of every key of obj, and of the objects of its nested models, that is
// not known, but not of the fields named in skip (read separately).
func unknownKeys(m *model, obj map[string]any, at place, fn func(m *model, key string, at place), skip ...string) {
	if !m.open {
		for k := range obj {
			if !m.known(k) { // rare: only then are the keys sorted, for the findings' order
				for _, k := range sortedKeys(obj) {
					if !m.known(k) {
						fn(m, k, at.key(k))
					}
				}
				break
			}
		}
	}
	for _, k := range m.names {
		s := m.fields[k]
		v, has := obj[k]
		if !has || contains(skip, k) {
			continue
		}
		if s.kind == kList && s.elem.kind == kModel {
			list, _ := v.([]any)
			for i, e := range list {
				if em, ok := e.(map[string]any); ok {
					unknownKeys(s.elem.model, em, at.key(k).sub("/"+strconv.Itoa(i)), fn)
				}
			}
		} else if s.kind == kModel {
			if em, ok := v.(map[string]any); ok {
				unknownKeys(s.model, em, at.key(k), fn)
			}
		}
	}
}

func text() spec             { return spec{kind: kText} }
func optText() spec          { return spec{kind: kText, nullable: true} }
func key() spec              { return spec{kind: kKey} }
func optKey() spec           { return spec{kind: kKey, nullable: true} }
func boolean() spec          { return spec{kind: kBool} }
func optBool() spec          { return spec{kind: kBool, nullable: true} }
func listOf(e spec) spec     { return spec{kind: kList, elem: &e} }
func optListOf(e spec) spec  { return spec{kind: kList, elem: &e, nullable: true} }
func oneOf(v ...string) spec { return spec{kind: kEnum, enum: v} }
func optModel(m *model) spec { return spec{kind: kModel, model: m, nullable: true} }
func required(s spec) spec   { s.required = true; return s }
func nullable(s spec) spec   { s.nullable = true; return s }
func fields(f ...any) map[string]spec {
	out := map[string]spec{}
	for i := 0; i < len(f); i += 2 {
		out[f[i].(string)] = f[i+1].(spec)
	}
	return out
}

// The enumerations of fideslang 3.x, value for value.
var (
	legalBases           = []string{"Consent", "Contract", "Legal obligations", "Vital interests", "Public interest", "Legitimate interests"}
	profilingBases       = []string{"Explicit consent", "Contract", "Authorised by law"}
	specialCategoryBases = []string{"Explicit consent", "Employment, social security and social protection", "Vital interests", "Not-for-profit bodies", "Made public by the data subject", "Legal claims or judicial acts", "Reasons of substantial public interest (with a basis in law)", "Health or social care (with a basis in law)", "Public health (with a basis in law)", "Archiving, research and statistics (with a basis in law)"}
	responsibilities     = []string{"Controller", "Processor", "Sub-Processor"}
	flowTypes            = []string{"dataset", "system", "user"}
	matches              = []string{"ANY", "ALL", "NONE", "OTHER"}
	rightsStrategies     = []string{"ALL", "EXCLUDE", "INCLUDE", "NONE"}
	rights               = []string{"Informed", "Access", "Rectification", "Erasure", "Portability", "Restrict Processing", "Withdraw Consent", "Object", "Object to Automated Processing"}
	dataTypes            = []string{"string", "integer", "float", "boolean", "object_id", "object"}
)

// base are the fields of FidesModel, which every top-level resource has.
func base(f map[string]spec) map[string]spec {
	f["fides_key"] = required(key())
	f["organization_fides_key"] = key()
	f["tags"] = optListOf(text())
	f["name"] = optText()
	f["description"] = optText()
	return f
}

// defaults are the fields of DefaultModel, which the taxonomy's resources have.
func defaults(f map[string]spec) map[string]spec {
	f["version_added"] = spec{kind: kVersion, nullable: true}
	f["version_deprecated"] = spec{kind: kVersion, nullable: true}
	f["replaced_by"] = optKey()
	f["is_default"] = boolean()
	return f
}

var (
	flowModel = &model{name: "data flow", fields: fields(
		"fides_key", required(key()),
		"type", required(spec{kind: kEnum, enum: flowTypes, message: "expected a data flow's type: system, dataset or user"}),
		"data_categories", optListOf(key()),
	), check: checkFlow}

	declarationModel = &model{name: "privacy declaration", fields: fields(
		"name", optText(),
		"data_categories", required(listOf(key())),
		"data_use", required(key()),
		"data_subjects", listOf(key()),
		"dataset_references", optListOf(key()),
		"egress", optListOf(key()),
		"ingress", optListOf(key()),
		"features", listOf(text()),
		"flexible_legal_basis_for_processing", boolean(),
		"legal_basis_for_processing", nullable(oneOf(legalBases...)),
		"impact_assessment_location", optText(),
		"retention_period", optText(),
		"processes_special_category_data", boolean(),
		"special_category_legal_basis", nullable(oneOf(specialCategoryBases...)),
		"data_shared_with_third_parties", boolean(),
		"third_parties", optText(),
		"shared_categories", listOf(text()),
	)}

	systemMetaModel = &model{name: "system's fidesctl_meta", numbersAsText: true, fields: fields(
		"resource_id", optText(), "endpoint_address", optText(), "endpoint_port", optText(),
	)}

	systemModel = &model{name: "system", numbersAsText: true, fields: base(fields(
		"meta", spec{kind: kDict, nullable: true},
		"fidesctl_meta", optModel(systemMetaModel),
		"system_type", required(text()),
		"egress", optListOf(spec{kind: kModel, model: flowModel}),
		"ingress", optListOf(spec{kind: kModel, model: flowModel}),
		"privacy_declarations", required(listOf(spec{kind: kModel, model: declarationModel})),
		"administrating_department", optText(),
		"vendor_id", optText(),
		"previous_vendor_id", optText(),
		"vendor_deleted_date", spec{kind: kDatetime, nullable: true},
		"dataset_references", listOf(key()),
		"processes_personal_data", boolean(),
		"exempt_from_privacy_regulations", boolean(),
		"reason_for_exemption", optText(),
		"uses_profiling", boolean(),
		"legal_basis_for_profiling", listOf(oneOf(profilingBases...)),
		"does_international_transfers", boolean(),
		"legal_basis_for_transfers", listOf(text()),
		"requires_data_protection_assessments", boolean(),
		"dpa_location", optText(),
		"dpa_progress", optText(),
		"privacy_policy", spec{kind: kURL, nullable: true},
		"legal_name", optText(),
		"legal_address", optText(),
		"responsibility", listOf(oneOf(responsibilities...)),
		"dpo", optText(),
		"joint_controller_info", optText(),
		"data_security_practices", optText(),
		"cookie_max_age_seconds", spec{kind: kInt, nullable: true},
		"uses_cookies", boolean(),
		"cookie_refresh", boolean(),
		"uses_non_cookie_access", boolean(),
		"legitimate_interest_disclosure_url", spec{kind: kURL, nullable: true},
	)), check: checkSystemFlows}

	referenceModel = &model{name: "field reference", fields: fields(
		"dataset", required(key()), "field", required(text()), "direction", nullable(oneOf("from", "to")),
	)}
	fieldMaskingModel = &model{name: "masking strategy override", fields: fields(
		"strategy", required(text()), "configuration", spec{kind: kDict, nullable: true},
	)}
	fieldMetaModel = &model{name: "field's fides_meta", fields: fields(
		"references", optListOf(spec{kind: kModel, model: referenceModel}),
		"identity", optText(),
		"primary_key", optBool(),
		"data_type", optText(),
		"length", spec{kind: kPositiveInt, nullable: true},
		"return_all_elements", optBool(),
		"read_only", optBool(),
		"custom_request_field", optText(),
		"masking_strategy_override", optModel(fieldMaskingModel),
		"redact", nullable(oneOf("name")),
	), check: checkFieldMeta}
	collectionMaskingModel = &model{name: "masking strategy override", fields: fields("strategy", required(oneOf("delete")))}
	collectionMetaModel    = &model{name: "collection's fides_meta", fields: fields(
		"after", optListOf(spec{kind: kCollectionKey}),
		"erase_after", optListOf(spec{kind: kCollectionKey}),
		"skip_processing", optBool(),
		"masking_strategy_override", optModel(collectionMaskingModel),
		"partitioning", spec{kind: kAny, nullable: true},
		"redact", nullable(oneOf("name")),
	)}
	datasetMetaModel = &model{name: "dataset's fides_meta", fields: fields(
		"resource_id", optText(), "after", optListOf(key()), "namespace", spec{kind: kDict, nullable: true}, "redact", nullable(oneOf("name")),
	)}

	// labels are the taxonomy keys a dataset, a collection and a field may carry.
	labels = fields("data_categories", optListOf(key()), "data_uses", optListOf(key()), "data_purposes", optListOf(key()), "data_subjects", optListOf(key()))

	fieldModel      = &model{name: "dataset field", check: checkField}
	collectionModel = &model{name: "collection", check: uniqueNames("fields")}
	datasetModel    = &model{name: "dataset", numbersAsText: true, check: uniqueNames("collections")}

	contactModel = &model{name: "contact details", fields: fields("name", text(), "address", text(), "email", text(), "phone", text())}
	filterModel  = &model{name: "resource filter", fields: fields("type", required(text()), "value", required(text()))}
	orgMetaModel = &model{name: "organization's fidesctl_meta", fields: fields("resource_filters", optListOf(spec{kind: kModel, model: filterModel}))}

	organizationModel = &model{name: "organization", numbersAsText: true, fields: base(fields(
		"organization_parent_key", spec{kind: kNone, nullable: true},
		"controller", optModel(contactModel),
		"data_protection_officer", optModel(contactModel),
		"fidesctl_meta", optModel(orgMetaModel),
		"representative", optModel(contactModel),
		"security_policy", spec{kind: kHTTPURL, nullable: true},
	))}

	privacyRuleModel = &model{name: "privacy rule", fields: fields("matches", required(oneOf(matches...)), "values", required(listOf(key())))}
	policyRuleModel  = &model{name: "policy rule", fields: fields(
		"name", required(text()),
		"data_categories", required(spec{kind: kModel, model: privacyRuleModel}),
		"data_uses", required(spec{kind: kModel, model: privacyRuleModel}),
		"data_subjects", required(spec{kind: kModel, model: privacyRuleModel}),
	)}
	policyModel = &model{name: "policy", numbersAsText: true, fields: base(fields("rules", required(listOf(spec{kind: kModel, model: policyRuleModel}))))}

	rightsModel = &model{name: "data subject rights", fields: fields(
		"strategy", required(oneOf(rightsStrategies...)), "values", optListOf(oneOf(rights...)),
	), check: checkRights}

	categoryModel = &model{name: "data category", numbersAsText: true, fields: defaults(base(fields("parent_key", optKey()))), check: checkTaxonomy}
	useModel      = &model{name: "data use", numbersAsText: true, fields: defaults(base(fields("parent_key", optKey()))), check: checkTaxonomy}
	subjectModel  = &model{name: "data subject", numbersAsText: true, fields: defaults(base(fields(
		"rights", optModel(rightsModel), "automated_decisions_or_profiling", optBool(),
	))), check: checkVersions}
)

func init() {
	systemModel.extra = fieldSet("id created_at updated_at user_id data_stewards cookies registry_id dataset_reference fides_meta flexible_legal_basis_for_processing " + droppedSystem)
	declarationModel.extra = fieldSet("id system_id created_at updated_at cookies " + droppedDeclaration)
	datasetModel.extra = fieldSet("data_qualifier fidesctl_meta retention joint_controller third_country_transfers")
	collectionModel.extra = fieldSet("data_qualifier retention")
	fieldModel.extra = fieldSet("data_qualifier retention tags")
	policyModel.extra = fieldSet("fides_meta")
	policyRuleModel.extra = fieldSet("description data_qualifier")
	organizationModel.extra = fieldSet("fides_meta")
	useModel.extra = fieldSet("active legal_basis special_category recipients legitimate_interest legitimate_interest_impact_assessment")
	categoryModel.extra = fieldSet("active")
	subjectModel.extra = fieldSet("active")
	for _, m := range []*model{systemMetaModel, fieldMetaModel, collectionMetaModel, datasetMetaModel, orgMetaModel} {
		m.open = true
	}
	// The dataset's parts refer to each other (a field holds fields), so their fields are set here.
	fieldModel.fields = withLabels(fields(
		"name", required(text()),
		"description", optText(),
		"fides_meta", optModel(fieldMetaModel),
		"fields", optListOf(spec{kind: kModel, model: fieldModel}),
	))
	collectionModel.fields = withLabels(fields(
		"name", required(text()),
		"description", optText(),
		"fields", required(listOf(spec{kind: kModel, model: fieldModel})),
		"fides_meta", optModel(collectionMetaModel),
	))
	datasetModel.fields = withLabels(base(fields(
		"meta", spec{kind: kDict, nullable: true},
		"fides_meta", optModel(datasetMetaModel),
		"collections", required(listOf(spec{kind: kModel, model: collectionModel})),
	)))
	for _, m := range []*model{flowModel, declarationModel, systemMetaModel, systemModel, referenceModel, fieldMaskingModel,
		fieldMetaModel, collectionMaskingModel, collectionMetaModel, datasetMetaModel, fieldModel, collectionModel,
		datasetModel, contactModel, filterModel, orgMetaModel, organizationModel, privacyRuleModel, policyRuleModel,
		policyModel, rightsModel, categoryModel, useModel, subjectModel} {
		m.names = sortedKeys(m.fields)
	}
}

func withLabels(f map[string]spec) map[string]spec {
	for k, s := range labels {
		f[k] = s
	}
	return f
}

// resourceModels are the models of the top-level resource lists fideslang 3 reads.
var resourceModels = map[string]*model{
	"system": systemModel, "dataset": datasetModel, "policy": policyModel, "organization": organizationModel,
	"data_category": categoryModel, "data_use": useModel, "data_subject": subjectModel,
}

// validation holds a file to the models, reporting what they refuse.
type validation struct {
	report func(at place, message string)
	// skip, when set, names a field of the top-level model not to descend into (the system's
	// privacy declarations, each validated as its own declaration).
	skip string
}

// object validates obj against m.
func (v *validation) object(m *model, obj map[string]any, at place, top bool) {
	for _, name := range m.names {
		s := m.fields[name]
		val, has := obj[name]
		if !has && name == "fides_meta" && m.alias("fidesops_meta") {
			val, has = obj["fidesops_meta"]
		}
		switch {
		case !has:
			if s.required {
				v.report(at, fmt.Sprintf("a %s needs %s (fideslang requires it)", m.name, name))
			}
		case top && name == v.skip:
		default:
			v.value(m, name, s, val, spot{at: at, key: name})
		}
	}
	if m.check != nil {
		m.check(v, obj, at)
	}
}

// spot is the place of a value, made only when it is needed (to report, or to descend): a
// member of the object at at, or (with no key) an element of the list at at.
type spot struct {
	at    place
	key   string
	index int
}

func (s spot) place() place {
	if s.key != "" {
		return s.at.key(s.key)
	}
	return s.at.sub("/" + strconv.Itoa(s.index))
}

// value validates one value against its field's spec.
func (v *validation) value(m *model, name string, s spec, val any, here spot) {
	if val == nil {
		if !s.nullable && s.kind != kAny {
			v.report(here.place(), fmt.Sprintf("%s may not be null: %s", name, expected(s)))
		}
		return
	}
	ok := true
	switch s.kind {
	case kText:
		ok = isText(val, m.numbersAsText)
	case kKey:
		str, isStr := textOf(val, m.numbersAsText)
		ok = isStr && isKey(str)
	case kCollectionKey:
		str, isStr := val.(string)
		parts := strings.Split(str, ".")
		ok = isStr && len(parts) == 2 && isKey(parts[0]) && isKey(parts[1])
	case kBool:
		_, ok = laxBool(val)
	case kInt, kPositiveInt:
		n, isInt := laxInt(val)
		ok = isInt && (s.kind == kInt || n > 0)
	case kDatetime:
		str, isStr := val.(string)
		_, isNum := val.(fmt.Stringer)
		ok = isNum || isStr && datetime.MatchString(str)
	case kURL:
		str, isStr := val.(string)
		ok = isStr && anyURL.MatchString(str)
	case kHTTPURL:
		str, isStr := val.(string)
		ok = isStr && len(str) <= 2083 && httpURL.MatchString(str)
	case kVersion:
		str, isStr := val.(string)
		ok = isStr && (str == "" || version.MatchString(str))
	case kDict:
		_, ok = val.(map[string]any)
	case kEnum:
		str, isStr := val.(string)
		ok = isStr && contains(s.enum, str)
	case kNone:
		ok = false
	case kList:
		list, isList := val.([]any)
		if !isList {
			ok = false
			break
		}
		if len(list) > 0 {
			at := here.place()
			for i, e := range list {
				v.value(m, name, *s.elem, e, spot{at: at, index: i})
			}
		}
	case kModel:
		obj, isObj := val.(map[string]any)
		if !isObj {
			ok = false
			break
		}
		v.object(s.model, obj, here.place(), false)
	}
	if !ok {
		v.report(here.place(), expected(s))
	}
}

// expected says what a spec accepts, for a message.
func expected(s spec) string {
	switch s.kind {
	case kText:
		return "expected text"
	case kKey:
		return "expected a Fides key (letters, digits and _ . < > -)"
	case kCollectionKey:
		return "expected a collection's key: dataset.collection"
	case kBool:
		return "expected true or false"
	case kInt:
		return "expected a whole number"
	case kPositiveInt:
		return "expected a whole number above 0"
	case kDatetime:
		return "expected a date and time (ISO 8601)"
	case kURL:
		return "expected a URL"
	case kHTTPURL:
		return "expected an http or https URL"
	case kVersion:
		return "expected a version such as 2.0.0"
	case kDict:
		return "expected an object"
	case kEnum:
		if s.message != "" {
			return s.message
		}
		return "expected one of " + strings.Join(s.enum, ", ")
	case kNone:
		return "expected nothing here (fideslang leaves it unset)"
	case kList:
		return "expected a list (" + strings.TrimPrefix(expected(*s.elem), "expected ") + " each)"
	case kModel:
		return "expected a " + s.model.name + " (an object)"
	}
	return "unexpected value"
}

var (
	fidesKey = regexp.MustCompile(`^[a-zA-Z0-9_.<>-]+$`)
	datetime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$`)
	anyURL   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:\S+$`)
	httpURL  = regexp.MustCompile(`^(?i:https?)://[^\s/?#]+\S*$`)
	// version is PEP 440's form, as packaging.version reads it.
	version = regexp.MustCompile(`(?i)^\s*v?([0-9]+!)?[0-9]+(\.[0-9]+)*([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?((-[0-9]+)|([-_.]?(post|rev|r)[-_.]?[0-9]*))?([-_.]?dev[-_.]?[0-9]*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?\s*$`)
)

// isKey reports whether s is a fides_key as fideslang's FidesKey accepts one.
func isKey(s string) bool { return fidesKey.MatchString(s) }

// isText reports whether a value is text (or, where numbers are read as text, a number).
func isText(v any, numbers bool) bool {
	_, ok := textOf(v, numbers)
	return ok
}

// textOf returns a value as text: a string, or a number where numbers are read as text.
func textOf(v any, numbers bool) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case fmt.Stringer: // a number (json.Number)
		if numbers {
			return x.String(), true
		}
	}
	return "", false
}

// laxBool reads a bool as pydantic's lax mode does: true and false, 0 and 1, and the words
// pydantic accepts.
func laxBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "1", "on", "t", "true", "y", "yes":
			return true, true
		case "0", "off", "f", "false", "n", "no":
			return false, true
		}
	case fmt.Stringer:
		switch x.String() {
		case "1", "1.0":
			return true, true
		case "0", "0.0":
			return false, true
		}
	}
	return false, false
}

// laxInt reads a whole number as pydantic's lax mode does: a number with no fraction, or text
// of one.
func laxInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case fmt.Stringer:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int64(f), true
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// boolField reads a bool field of a resource as fideslang does, its default when absent.
func boolField(obj map[string]any, name string, def bool) bool {
	if b, ok := laxBool(obj[name]); ok {
		return b
	}
	return def
}

// checkFlow: a flow to the user is of type user, and only such a flow is (DataFlow's
// user_special_case).
func checkFlow(v *validation, obj map[string]any, at place) {
	k, _ := obj["fides_key"].(string)
	t, _ := obj["type"].(string)
	if (k == "user") != (t == "user") {
		v.report(at, "a data flow to the user has both fides_key and type user, and only such a flow has either")
	}
}

// checkSystemFlows: a declaration's egress and ingress name only flows its system's egress and
// ingress define (System's privacy_declarations_reference_data_flows).
func checkSystemFlows(v *validation, obj map[string]any, at place) {
	decls, _ := obj["privacy_declarations"].([]any)
	for i, d := range decls {
		dm, _ := d.(map[string]any)
		for _, dir := range []string{"egress", "ingress"} {
			keys, given := dm[dir].([]any)
			if !given {
				continue
			}
			flows := flowKeys(obj[dir])
			where := at.sub("/privacy_declarations/" + strconv.Itoa(i) + "/" + dir)
			if len(flows) == 0 {
				v.report(where, fmt.Sprintf("this declaration's %s names flows, but its system defines no %s: add them to the system's %s", dir, dir, dir))
				continue
			}
			for j, k := range keys {
				if s, _ := k.(string); !flows[s] {
					v.report(where.sub("/"+strconv.Itoa(j)), fmt.Sprintf("this declaration's %s names a system or dataset its own system's %s does not: add it to the system's %s", dir, dir, dir))
				}
			}
		}
	}
}

// checkFieldMeta: return_all_elements only on an array field (FidesMeta's data_type and
// DatasetField's valid_meta).
func checkFieldMeta(v *validation, obj map[string]any, at place) {
	dt, _ := obj["data_type"].(string)
	if dt != "" {
		name, _, _ := strings.Cut(dt, "[]")
		if !contains(dataTypes, name) {
			v.report(at.sub("/data_type"), "expected a data type: "+strings.Join(dataTypes, ", ")+", or one of them followed by []")
		}
	}
	if _, set := obj["return_all_elements"]; set && obj["return_all_elements"] != nil && !strings.HasSuffix(dt, "[]") {
		v.report(at.sub("/return_all_elements"), "return_all_elements is only for an array field (a data_type ending in [])")
	}
}

// checkField: a field with sub-fields is an object (DatasetField's validate_object_fields).
func checkField(v *validation, obj map[string]any, at place) {
	sub, _ := obj["fields"].([]any)
	meta, _ := obj["fides_meta"].(map[string]any)
	if meta == nil {
		meta, _ = obj["fidesops_meta"].(map[string]any)
	}
	dt, _ := meta["data_type"].(string)
	if len(sub) > 0 && dt != "" {
		if name, _, _ := strings.Cut(dt, "[]"); name != "object" {
			v.report(at.sub("/fields"), "a field with sub-fields has data_type object: change its data_type or move the sub-fields")
		}
	}
}

// uniqueNames: no two items of a list share a name (unique_items_in_list).
func uniqueNames(list string) func(v *validation, obj map[string]any, at place) {
	return func(v *validation, obj map[string]any, at place) {
		items, _ := obj[list].([]any)
		seen := map[string]bool{}
		for i, it := range items {
			m, _ := it.(map[string]any)
			n, ok := m["name"].(string)
			if !ok {
				continue
			}
			if seen[n] {
				v.report(at.sub("/"+list+"/"+strconv.Itoa(i)+"/name"), "another item of "+list+" has this name: fideslang requires them unique")
			}
			seen[n] = true
		}
	}
}

// checkRights: INCLUDE and EXCLUDE list the rights they apply to.
func checkRights(v *validation, obj map[string]any, at place) {
	if s, _ := obj["strategy"].(string); (s == "INCLUDE" || s == "EXCLUDE") && obj["values"] == nil {
		v.report(at, "a rights strategy of INCLUDE or EXCLUDE lists its values")
	}
}

// checkTaxonomy: a data category's or data use's parent_key is its fides_key's dotted prefix
// (none for a key without a dot), never the key itself; and the version rules.
func checkTaxonomy(v *validation, obj map[string]any, at place) {
	checkVersions(v, obj, at)
	k, ok := textOf(obj["fides_key"], true)
	if !ok || !isKey(k) {
		return
	}
	parent, _ := textOf(obj["parent_key"], true)
	i := strings.LastIndexByte(k, '.')
	switch {
	case parent != "" && parent == k:
		v.report(at.sub("/parent_key"), "a key cannot be its own parent_key")
	case i < 0 && parent != "":
		v.report(at.sub("/parent_key"), "a key without a dot has no parent_key in fideslang 3: name the key under its parent (parent.key) instead")
	case i >= 0 && parent != k[:i]:
		where := at
		if _, has := obj["parent_key"]; has {
			where = at.sub("/parent_key")
		}
		v.report(where, "a dotted key's parent_key is the key up to its last dot, as fideslang requires")
	}
}

// checkVersions: the DefaultModel rules: a default key has version_added; any other has no
// version fields; a deprecated version comes after the added one; a replaced key is deprecated.
func checkVersions(v *validation, obj map[string]any, at place) {
	added, _ := obj["version_added"].(string)
	deprecated, _ := obj["version_deprecated"].(string)
	replaced, _ := obj["replaced_by"].(string)
	// A default key without version_added is refused whatever order pydantic validates the
	// fields in. A key not marked default that has version fields is refused only when
	// is_default is validated after them, which depends on pydantic's order of inherited
	// fields: not held (the default taxonomy as exported leaves is_default out).
	if boolField(obj, "is_default", false) && added == "" {
		v.report(at, "a default taxonomy key (is_default true) has version_added")
	}
	if deprecated != "" && deprecated <= added { // fideslang compares them as text
		v.report(at.sub("/version_deprecated"), "version_deprecated comes after version_added")
	}
	if replaced != "" && deprecated == "" {
		v.report(at.sub("/replaced_by"), "a key replaced_by another is deprecated (version_deprecated)")
	}
}
