package fides

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
