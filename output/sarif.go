package output

import (
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/buildinfo"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifLevel     `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifLevel struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// srcRoot is the base a relative artifact URI is resolved against: the root of the checkout the
// run was made in, as code-scanning services know it.
const srcRoot = "%SRCROOT%"

// artifact locates a manifest as SARIF wants it: a URI, percent-encoded (spaces, "%", "#", "?"
// and control characters), relative to %SRCROOT% for a relative path, a file: URI for an
// absolute one.
func artifact(file string) sarifArtifact {
	slashed := filepath.ToSlash(file)
	if filepath.IsAbs(file) || path.IsAbs(slashed) {
		if !strings.HasPrefix(slashed, "/") {
			slashed = "/" + slashed // a Windows drive: file:///C:/...
		}
		return sarifArtifact{URI: (&url.URL{Scheme: "file", Path: slashed}).String()}
	}
	if file == check.Stdin {
		return sarifArtifact{URI: file}
	}
	return sarifArtifact{URI: (&url.URL{Path: slashed}).String(), URIBaseID: srcRoot}
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

// startSARIFCheck begins a check report as SARIF 2.1.0, the format code-scanning services read:
// one run, the policy's rules as the tool's rule metadata (with the clause they enforce and what
// to change to pass) and policyengine's own version, then one result per reason, warning and
// input error, each located at the line and column of the field at fault, and a note per
// condition specific to a declaration, written as the results come; after them, the policy's
// revision, the summary and the rights every person has, said once (everyPersonConditions; every
// condition a note with Options.AllConditions), in the run's properties.
func startSARIFCheck(w io.Writer, head *check.Report, o Options) CheckStream {
	rules, index := sarifRules(head.Rules)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "policyengine",
			InformationURI: "https://github.com/confect/policyengine",
			Version:        buildinfo.Read().String(),
			Rules:          rules,
		}},
		Results: []sarifResult{},
	}
	return &sarifCheck{
		results: newJSONStream(w, sarifDocument(run), 3, "results"), index: index,
		failOnWarn: head.FailOnWarn, rights: rightsTally{all: o.AllConditions},
	}
}

// sarifDocument is the log of one run.
func sarifDocument(run sarifRun) sarifLog {
	return sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
}

// sarifCheck writes a run's results as the check's results come, and its invocation and
// properties after them.
type sarifCheck struct {
	results    *jsonStream
	index      map[string]int
	failOnWarn bool
	rights     rightsTally
}

// Result writes the SARIF results of one check result.
func (s *sarifCheck) Result(res check.Result) error {
	var out []sarifResult
	for _, p := range res.Errors {
		out = append(out, sarifResultFor(s.index, res, p.In(res.File), check.InputRule, "error", p.Message, p.Pointer, p.Line, p.Column, ""))
	}
	for _, f := range res.Reasons {
		out = append(out, sarifResultFor(s.index, res, f.In(res.File), f.Rule, "error", f.Message, f.Path, f.Line, f.Column, f.Clause))
	}
	for _, f := range res.Warnings {
		out = append(out, sarifResultFor(s.index, res, f.In(res.File), f.Rule, levelOf(s.failOnWarn, "warning", "error"), f.Message, f.Path, f.Line, f.Column, f.Clause))
	}
	for _, c := range s.rights.listed(&res) {
		out = append(out, sarifResultFor(s.index, res, c.In(res.File), c.Rule, "note", "at run time, requires "+c.Requires, c.Path, c.Line, c.Column, c.Clause))
	}
	s.rights.add(&res)
	for _, r := range out {
		if err := s.results.element(r); err != nil {
			return err
		}
	}
	return nil
}

// End closes the results and writes the run's invocation and properties.
func (s *sarifCheck) End(r *check.Report) error {
	props := map[string]any{"policyRevision": r.Revision, "summary": r.Summary}
	if rs := s.rights.rights; len(rs) > 0 {
		every := make([]map[string]any, len(rs))
		for i, c := range rs {
			every[i] = map[string]any{"rule": c.Rule, "requires": c.Requires, "clause": c.Clause, "declarations": c.declarations}
		}
		props["everyPersonConditions"] = every
	}
	return s.results.end(sarifDocument(sarifRun{
		Results:     []sarifResult{},
		Invocations: []sarifInvocation{{ExecutionSuccessful: r.Summary.Errors == 0}},
		Properties:  props,
	}))
}

// sarifRules describes the catalogue, plus the input-error rule, sorted by id.
func sarifRules(catalogue []policyengine.Rule) ([]sarifRule, map[string]int) {
	rules := make([]sarifRule, 0, len(catalogue)+1)
	for _, r := range catalogue {
		level := "error"
		if r.Kind == "warn" {
			level = "warning"
		}
		help := r.Remedy
		if help == "" {
			help = r.Description
		}
		rules = append(rules, sarifRule{
			ID:                   r.ID,
			Name:                 r.Title,
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Description},
			Help:                 sarifText{Text: help + " (Policy: " + r.Clause + ")", Markdown: sarifHelpMarkdown(r)},
			DefaultConfiguration: sarifLevel{Level: level},
			Properties:           map[string]any{"clause": r.Clause, "clause_id": r.ClauseID, "tags": []string{"privacy", r.Kind}},
		})
	}
	rules = append(rules, sarifRule{
		ID:                   check.InputRule,
		Name:                 "The manifest is well-formed",
		ShortDescription:     sarifText{Text: "The manifest is well-formed"},
		FullDescription:      sarifText{Text: "A manifest that is not a well-formed processing activity (one object with the fields the activity schema lists) cannot be decided, so nothing in it is allowed."},
		Help:                 sarifText{Text: "Fix the field the result points at; the message says what was expected."},
		DefaultConfiguration: sarifLevel{Level: "error"},
	})
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
	}
	return rules, index
}

func sarifHelpMarkdown(r policyengine.Rule) string {
	md := "**" + r.Title + "**\n\n" + r.Description + "\n\n"
	if r.Remedy != "" {
		md += "**To pass:** " + r.Remedy + "\n\n"
	}
	return md + "**Policy**, " + r.Clause + ":\n\n> " + r.ClauseText
}

func sarifResultFor(index map[string]int, res check.Result, file, rule, level, message, path string, line, col int, clause string) sarifResult {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: artifact(file)}}
	if line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line, StartColumn: col}
	}
	if res.Activity != "" {
		loc.LogicalLocations = []sarifLogical{{Name: res.Activity, FullyQualifiedName: res.Activity + path, Kind: "object"}}
	}
	props := map[string]any{"path": path}
	if res.Activity != "" {
		props["activity"] = res.Activity
	}
	if clause != "" {
		props["clause"] = clause
	}
	i, ok := index[rule]
	if !ok {
		i = -1
	}
	return sarifResult{RuleID: rule, RuleIndex: i, Level: level, Message: sarifText{Text: message}, Locations: []sarifLocation{loc}, Properties: props}
}
